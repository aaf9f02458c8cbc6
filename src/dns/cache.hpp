#pragma once
// The DNS answer cache of the server locator: each answer lives for its own
// TTL (RFC 1035 §3.2.1), negative answers for their SOA-derived TTL (RFC 2308
// §5), and an expired answer is kept a while longer so it can be served when
// the resolver fails (RFC 8767). Time is passed in by the caller, which reads
// it from the injected TimerService; the cache itself never reads a clock.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "dns/records.hpp"
#include "runtime/clock.hpp"

namespace sipline::dns {

struct CacheOptions {
  // Upper bounds on what a server may ask for. RFC 2308 §5 suggests one to
  // three hours for negative answers; a day is plenty for SIP servers.
  std::uint32_t max_ttl = 86'400;
  std::uint32_t max_negative_ttl = 3 * 3'600;
  // RFC 8767 §5: how long past its TTL an answer may still be served when
  // the resolver fails ("1 to 3 days" suggested).
  runtime::Duration max_stale = std::chrono::hours(24);
  // RFC 8767 §4: the TTL given to a stale answer when it is served, and for
  // as long the resolver is not asked again for it.
  std::uint32_t stale_ttl = 30;
  std::size_t max_entries = 4'096;
};

class DnsCache {
 public:
  enum class Freshness : std::uint8_t {
    fresh,  // within its TTL (or within a stale answer's recheck window)
    stale,  // past its TTL but within max_stale: only for when the resolver fails
  };
  struct Hit {
    const Answer* answer = nullptr;  // valid until the cache is next modified
    Freshness freshness = Freshness::fresh;
    std::uint32_t remaining_ttl = 0;  // seconds, rounded up; 0 when stale
  };

  explicit DnsCache(CacheOptions options = {}) : options_(options) {}

  // The answer to `query`, fresh or stale. With no entry of its own, a fresh
  // NXDOMAIN for the same name answers every type (RFC 2308 §5: NXDOMAIN
  // says the name does not exist at all).
  std::optional<Hit> find(const Query& query, runtime::TimePoint now);

  // Stores an answer received at `now`; its TTL is clamped to the limits.
  // A negative answer with no negative TTL (no SOA came with it) is not
  // stored (RFC 2308 §5).
  void store(const Query& query, Answer answer, runtime::TimePoint now);

  // RFC 8767 §4: the resolver failed for `query`. If an expired answer within
  // max_stale exists, it is handed out with stale_ttl, and find() calls it
  // fresh until stale_ttl has passed, so a dead server is not asked again
  // for every lookup.
  std::optional<Hit> serve_stale(const Query& query, runtime::TimePoint now);

  std::size_t size() const noexcept { return entries_.size(); }
  void clear() noexcept { entries_.clear(); }
  const CacheOptions& options() const noexcept { return options_; }

 private:
  using Key = std::pair<std::string, RecordType>;
  struct Entry {
    Answer answer;
    runtime::TimePoint expires;
    runtime::TimePoint recheck_until;  // a served stale answer counts as fresh until then
  };

  static Key key_of(const Query& query) { return {normalize_name(query.name), query.type}; }
  std::optional<Hit> hit(const Entry& entry, runtime::TimePoint now) const;
  // Drops entries past their stale window, then the soonest to expire, until
  // there is room for one more.
  void make_room(runtime::TimePoint now);

  CacheOptions options_;
  std::map<Key, Entry> entries_;
};

// Seconds from `now` until `until`, rounded up (0 when `until` has passed).
std::uint32_t seconds_until(runtime::TimePoint until, runtime::TimePoint now) noexcept;

}  // namespace sipline::dns

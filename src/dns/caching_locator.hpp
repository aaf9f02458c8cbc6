#pragma once
// The production Locator: RFC 3263 selection (dns/selection.hpp) over a
// Resolver, with a TTL cache (dns/cache.hpp) between them.
//
// - Each locate() runs the pure selection, asks the questions it names (all
//   of one round in parallel), and runs it again until the list is final:
//   at most three rounds (NAPTR, SRV, A/AAAA), each skipped when cached.
// - Identical questions in flight at once, from any number of locate()
//   calls, go to the resolver once.
// - An expired answer is asked again on its next use; when the resolver then
//   fails, the stale answer is served (RFC 8767).
// - Static records (Polycom dns.cache.*, Grandstream "use configured IP")
//   either override the DNS or stand in when it fails.
// Time only through the injected TimerService.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/cache.hpp"
#include "dns/locator.hpp"
#include "dns/resolver.hpp"
#include "dns/selection.hpp"
#include "runtime/clock.hpp"

namespace sipline::dns {

struct LocatorOptions {
  SelectionOptions selection;
  CacheOptions cache;
};

class CachingLocator final : public Locator {
 public:
  // Where the seed of each locate()'s SRV weighting comes from; a fixed
  // sequence in tests. Left empty, the locator seeds itself at random.
  using SeedSource = std::function<std::uint64_t()>;

  enum class StaticMode : std::uint8_t {
    override,  // always answered from the static record; the DNS is not asked
    fallback,  // used only when the resolver fails and nothing stale is left
  };

  struct Stats {
    std::uint64_t locates = 0;
    std::uint64_t resolver_queries = 0;  // questions sent to the resolver
    std::uint64_t cache_hits = 0;        // questions answered by a fresh entry
    std::uint64_t coalesced = 0;         // questions joined to one in flight
    std::uint64_t stale_served = 0;      // RFC 8767 answers after a failure
    std::uint64_t static_answers = 0;
  };

  // `resolver` and `timers` must outlive the locator.
  CachingLocator(Resolver& resolver, runtime::TimerService& timers, LocatorOptions options = {},
                 SeedSource seeds = {});
  ~CachingLocator() override;
  CachingLocator(const CachingLocator&) = delete;
  CachingLocator& operator=(const CachingLocator&) = delete;

  [[nodiscard]] Lookup locate(const ServerSpec& spec, Callback callback) override;

  // A static host: `name` resolves to `addresses` (numeric, either family).
  // Fails with Errc::malformed on a bad name or address.
  Result<void> add_host(std::string_view name, std::span<const std::string> addresses,
                        StaticMode mode = StaticMode::override);
  // Any static answer (SRV or NAPTR records, as in Polycom dns.cache.SRV/NAPTR).
  void add_static(const Query& query, Answer answer, StaticMode mode = StaticMode::override);
  void clear_static() noexcept { static_.clear(); }

  const Stats& stats() const noexcept { return stats_; }
  DnsCache& cache() noexcept { return cache_; }
  const LocatorOptions& options() const noexcept { return options_; }
  std::size_t pending_operations() const noexcept { return ops_.size(); }

 private:
  using Key = std::pair<std::string, RecordType>;
  // What one locate() has learnt, fixed for its lifetime so that the cache
  // changing under it cannot make the rounds go on forever.
  struct Pinned {
    bool failed = false;
    Answer answer;
    std::uint32_t remaining_ttl = 0;
  };
  struct Operation {
    ServerSpec spec;
    Callback callback;
    std::uint64_t seed = 0;
    std::map<Key, Pinned> pinned;
    std::size_t waiting = 0;  // questions in flight for it
    std::size_t rounds = 0;
    runtime::Timer start;
  };
  struct InFlight {
    Query query;
    Lookup lookup;
    std::vector<std::uint64_t> waiters;
  };
  struct StaticEntry {
    Answer answer;
    StaticMode mode;
  };

  static Key key_of(const Query& q) { return {normalize_name(q.name), q.type}; }
  void run(std::uint64_t id);
  // Pins `query` from static data or the cache, or joins/starts a query.
  // Returns true when it was pinned at once.
  bool fetch(std::uint64_t id, Operation& op, const Query& query);
  void on_answer(const Key& key, Result<Answer> result);
  void complete(std::uint64_t id, Result<std::vector<ResolvedTarget>> result);
  void detach(std::uint64_t id) noexcept;

  void cancel_operation(std::uint64_t id) noexcept override;
  bool operation_pending(std::uint64_t id) const noexcept override;

  Resolver& resolver_;
  runtime::TimerService& timers_;
  LocatorOptions options_;
  SeedSource seeds_;
  DnsCache cache_;
  std::map<Key, StaticEntry> static_;
  std::map<std::uint64_t, Operation> ops_;
  std::map<Key, InFlight> inflight_;
  std::uint64_t next_id_ = 1;
  std::uint64_t seed_base_ = 0;
  std::uint64_t seed_counter_ = 0;
  Stats stats_;
};

}  // namespace sipline::dns

#pragma once
// RFC 3263 §4 server location as a pure function over DNS answers.
//
// select_targets() walks NAPTR -> SRV -> A/AAAA for one ServerSpec using only
// the answers an AnswerSource already holds. Where an answer it needs is not
// there yet it notes the question and carries on with everything that does
// not depend on it, so one pass names every question that can be asked in
// parallel. The caller (CachingLocator) asks them and runs the pass again;
// three rounds at most (NAPTR, SRV, addresses) give the final list. Passes
// with the same answers and the same seed give the same list.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "dns/locator.hpp"
#include "dns/records.hpp"

namespace sipline::dns {

// Which address families to ask for, and which comes first for each host.
// The other family follows it, so a host reachable over both is tried over
// both (RFC 8305 §4 asks for both families; the order is configuration).
enum class FamilyPolicy : std::uint8_t { prefer_ipv4, prefer_ipv6, ipv4_only, ipv6_only };

struct SelectionOptions {
  // Transports this client can use, in the order their SRV records are asked
  // when there is no usable NAPTR record (RFC 3263 §4.1 leaves the order to
  // the client; UDP first matches what phones do).
  std::vector<Transport> transports{Transport::udp, Transport::tcp, Transport::tls};
  FamilyPolicy families = FamilyPolicy::prefer_ipv4;
  // Bounds on what one server entry can expand to, against a zone that lists
  // hundreds of records.
  std::size_t max_naptr = 16;
  std::size_t max_srv_per_service = 16;
  std::size_t max_hosts = 16;
  std::size_t max_targets = 64;
};

// What an AnswerSource knows about one question.

struct AnswerView {
  enum class State : std::uint8_t {
    missing,  // not asked yet, or not answered yet: ask it
    failed,   // asked, and the resolver failed (no stale answer either)
    answered,
  };
  State state = State::missing;
  const Answer* answer = nullptr;  // set when answered
  // Seconds the answer may still be used (the cache's count-down of its TTL).
  std::uint32_t remaining_ttl = 0;
};

using AnswerSource = std::function<AnswerView(const Query&)>;

struct SelectionOutcome {
  // Questions whose answers are needed before the list is final; empty when
  // `targets` is the answer.
  std::vector<Query> missing;
  std::vector<ResolvedTarget> targets;
  // True when a resolver failure (rather than the DNS data) left something
  // out; an empty list then reads as an I/O error, not as "no such server".
  bool had_failure = false;
  // The host is neither an IP literal nor a name that can be asked.
  bool invalid_name = false;
};

SelectionOutcome select_targets(const ServerSpec& spec, const SelectionOptions& options,
                                const AnswerSource& answers, std::uint64_t seed);

// The final verdict of a complete outcome: the targets, or Errc::not_found
// (the DNS says there is no server) or Errc::io (resolution failed).
Result<std::vector<ResolvedTarget>> finish(const SelectionOutcome& outcome, const ServerSpec& spec);

// ---- the steps, exposed for tests and for callers with their own loop ----

// A small deterministic generator (SplitMix64): the same seed gives the same
// SRV order on every platform, which std::uniform_int_distribution does not
// promise.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept;
  // Uniform in [0, bound] (inclusive), bound < 2^63.
  std::uint64_t up_to(std::uint64_t bound) noexcept;

 private:
  std::uint64_t state_;
};

// RFC 2782 "Usage rules": lowest priority first; within one priority a
// weighted random order (a record of weight w is chosen first with
// probability w / sum; weight-0 records are placed first in the running sum
// so they get a small chance, as the RFC says). "." records are kept; the
// caller decides what they mean.
std::vector<SrvRecord> order_srv(std::span<const SrvRecord> records, SeededRandom& random);

// One SRV question to ask and the transport it stands for.
struct ServiceQuery {
  Transport transport = Transport::udp;
  std::string name;  // e.g. "_sip._udp.example.com"
  bool operator==(const ServiceQuery&) const = default;
};

// The NAPTR step of RFC 3263 §4.1: records whose flag is "s", whose regexp is
// empty and whose service is SIP+D2U, SIP+D2T or SIPS+D2T (only SIPS+D2T for
// a SIPS URI) and a transport in `transports`, sorted by order then
// preference (RFC 3403 §4.1), without repeating a replacement. Empty when
// nothing is usable, and the caller then falls back to SRV.
std::vector<ServiceQuery> services_from_naptr(std::span<const NaptrRecord> records, bool sips,
                                              std::span<const Transport> transports,
                                              std::size_t limit);

// The SRV names to ask when NAPTR gave nothing usable (§4.1): one per usable
// transport in `transports` order (`_sips._tcp` only for a SIPS URI).
std::vector<ServiceQuery> services_without_naptr(std::string_view domain, bool sips,
                                                 std::span<const Transport> transports);

// The SRV owner name of a transport ("_sip._udp.", "_sip._tcp.", "_sips._tcp.").
std::string service_name(Transport transport, std::string_view domain);

}  // namespace sipline::dns

#pragma once
// Per-target health for the redundancy policy: which resolved targets
// (transport, address, port) may be tried now. Fed by passive signals (the
// outcome of REGISTERs and other requests) and active ones (probe answers).
// Pure: the time comes in as an argument, so every rule is a plain function
// of its inputs.
//
//  - 503 with Retry-After: blacklisted until then (RFC 3261 §21.5.4; RFC 3263
//    §4.3 moves on to the next target at once).
//  - Timeout, refused, unreachable, reset, TLS failure, keep-alive loss, 503
//    without Retry-After: greylisted for a while (default 32 s, one Timer F),
//    so the next attempt within that time skips the target instead of paying
//    the timeout again.
//  - Anything else (4xx, other 5xx) says the server is up: no entry.
// A success clears the entry.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reg/events.hpp"
#include "runtime/clock.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

enum class TargetHealth : std::uint8_t { ok, greylisted, blacklisted };

struct HealthEntry {
  sip::Target target;
  TargetHealth state = TargetHealth::ok;
  runtime::TimePoint until{};
  FailureKind failure = FailureKind::none;
};

class HealthTable {
 public:
  explicit HealthTable(runtime::Duration greylist = std::chrono::seconds(32))
      : greylist_(greylist) {}

  // A request to `target` failed; `retry_after` in seconds (0: none given).
  void report_failure(const sip::Target& target, FailureKind kind, std::uint32_t retry_after,
                      runtime::TimePoint now);
  // The target answered (any response but a 503): clears its entry.
  void report_success(const sip::Target& target);

  // True unless the target is grey- or blacklisted at `now`.
  bool usable(const sip::Target& target, runtime::TimePoint now) const;
  TargetHealth state(const sip::Target& target, runtime::TimePoint now) const;
  // When the target becomes usable again (nullopt when usable now).
  std::optional<runtime::TimePoint> usable_at(const sip::Target& target,
                                              runtime::TimePoint now) const;
  // "ok", "greylisted (timeout) for 12 s", "blacklisted (503) for 60 s".
  std::string describe(const sip::Target& target, runtime::TimePoint now) const;

  runtime::Duration greylist_duration() const noexcept { return greylist_; }
  void set_greylist_duration(runtime::Duration d) noexcept { greylist_ = d; }

 private:
  const HealthEntry* find(const sip::Target& target, runtime::TimePoint now) const;

  runtime::Duration greylist_;
  std::vector<HealthEntry> entries_;
};

// Whether a failure of this kind says the target cannot be used (as opposed
// to a server that answered and refused us).
bool is_target_failure(FailureKind kind) noexcept;

}  // namespace sipline::reg

#pragma once
// When the account, registered on a lower-priority server, tries the higher
// one again. Pure functions of the configuration and a few instants, so that
// every mode's timing is a one-line test.
//
//   new_requests  every new request tries the primary first (route_for_new_request);
//                 the registration is moved back every fallback_timeout
//                 (Yealink fallback.timeout, successive mode)
//   dns_ttl       when the A/AAAA TTL of the registered target runs out
//                 (at renewal when the target came from an IP literal)
//   registration  at the renewal of the registration
//   duration      failback_timeout after arriving (0 = never)
//   monitor       FLX: probe every probe_interval, move after good_probes
//                 answers in a row
// Never earlier than the dwell time after arriving. The dwell doubles each
// time the account had to leave a server soon after returning to it (flap
// damping), so a primary that comes and goes cannot make the registration
// come and go with it.

#include <cstdint>
#include <optional>

#include "config/account.hpp"
#include "runtime/clock.hpp"

namespace sipline::reg {

struct FailbackSchedule {
  config::FailbackMode mode = config::FailbackMode::new_requests;
  std::uint32_t failback_timeout = 3600;  // duration mode; 0 = never
  std::uint32_t fallback_timeout = 120;   // new_requests mode: REGISTER probe interval
  std::uint32_t probe_interval = 30;      // monitor mode
  runtime::Duration dwell{};              // effective minimum dwell (after damping)
};

// The moment of the next failback attempt (a REGISTER to the better server,
// or for monitor the next probe), counted from `base` (arrival on the
// current server, or the last failed attempt). `renewal` is the next refresh
// of the current registration; `address_ttl` the TTL of its target address.
// nullopt: no failback by policy.
std::optional<runtime::TimePoint> next_failback(const FailbackSchedule& schedule,
                                                runtime::TimePoint arrived, runtime::TimePoint base,
                                                std::optional<runtime::TimePoint> renewal,
                                                std::uint32_t address_ttl);

// Modes other than monitor wait for the account to have no call (Yealink:
// "only when the IP phone is idle").
bool waits_for_idle(config::FailbackMode mode) noexcept;

// Flap damping: the dwell for `flaps` recent early departures, doubling from
// `min_dwell` up to one hour.
runtime::Duration damped_dwell(std::uint32_t min_dwell, unsigned flaps) noexcept;

// Hysteresis of monitor mode: answers in a row.
class ProbeStreak {
 public:
  explicit ProbeStreak(int needed) : needed_(needed < 1 ? 1 : needed) {}
  void record(bool answered) noexcept { good_ = answered ? good_ + 1 : 0; }
  void reset() noexcept { good_ = 0; }
  bool satisfied() const noexcept { return good_ >= needed_; }
  int good() const noexcept { return good_; }

 private:
  int needed_;
  int good_ = 0;
};

}  // namespace sipline::reg

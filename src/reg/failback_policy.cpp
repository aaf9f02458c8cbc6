#include "reg/failback_policy.hpp"

#include <algorithm>
#include <chrono>

namespace sipline::reg {

using std::chrono::seconds;

std::optional<runtime::TimePoint> next_failback(const FailbackSchedule& schedule,
                                                runtime::TimePoint arrived, runtime::TimePoint base,
                                                std::optional<runtime::TimePoint> renewal,
                                                std::uint32_t address_ttl) {
  std::optional<runtime::TimePoint> due;
  switch (schedule.mode) {
    case config::FailbackMode::new_requests:
      due = base + seconds(std::max<std::uint32_t>(schedule.fallback_timeout, 1));
      break;
    case config::FailbackMode::dns_ttl:
      if (address_ttl > 0) {
        due = base + seconds(address_ttl);
      } else {
        due = renewal;
      }
      break;
    case config::FailbackMode::registration:
      due = renewal;
      break;
    case config::FailbackMode::duration:
      if (schedule.failback_timeout == 0) return std::nullopt;
      due = base + seconds(schedule.failback_timeout);
      break;
    case config::FailbackMode::monitor:
      due = base + seconds(std::max<std::uint32_t>(schedule.probe_interval, 1));
      break;
  }
  if (!due) return std::nullopt;
  // A renewal that has already passed (or comes before the base) means "now".
  if (*due < base) due = base;
  return std::max(*due, arrived + schedule.dwell);
}

bool waits_for_idle(config::FailbackMode mode) noexcept {
  return mode != config::FailbackMode::monitor;
}

runtime::Duration damped_dwell(std::uint32_t min_dwell, unsigned flaps) noexcept {
  constexpr std::uint64_t kMax = 3600;
  std::uint64_t value = min_dwell;
  for (unsigned i = 0; i < flaps && value < kMax; ++i) {
    value = std::max<std::uint64_t>(value * 2, 1);
  }
  return seconds(std::min(value, kMax));
}

}  // namespace sipline::reg

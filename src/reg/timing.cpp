#include "reg/timing.hpp"

#include <algorithm>
#include <cmath>

namespace sipline::reg {
namespace {

double clamp_unit(double u) {
  return std::clamp(u, 0.0, 1.0);
}

}  // namespace

Seconds refresh_delay(std::uint32_t granted, std::uint32_t overlap, double unit_random) {
  const double lifetime = granted;
  double delay = 0;
  if (overlap > 0) {
    delay = lifetime <= 2.0 * overlap ? lifetime / 2.0 : lifetime - overlap;
  } else {
    const double margin = std::clamp(lifetime / 10.0, 2.0, 60.0);
    const double jitter = clamp_unit(unit_random) * margin / 2.0;
    // Never refresh sooner than half the lifetime, even for tiny grants.
    delay = std::max(lifetime / 2.0, lifetime - margin - jitter);
  }
  // A registrar that grants a few seconds (misconfigured, or one that meant
  // Min-Expires, RFC 3261 §10.2.8) would otherwise get a REGISTER every
  // half-second per phone. Letting such a short binding lapse for a moment is
  // the lesser harm than a fleet-wide REGISTER storm.
  return Seconds(std::max(delay, min_refresh_delay.count()));
}

Seconds backoff_ceiling(std::uint32_t base_time, std::uint32_t max_time,
                        unsigned consecutive_failures) {
  // 2^failures overflows nothing useful beyond 2^31; the cap applies long before.
  const double factor = std::ldexp(1.0, static_cast<int>(std::min(consecutive_failures, 31U)));
  return Seconds(std::min(static_cast<double>(max_time), base_time * factor));
}

Seconds retry_delay(const config::RetryPolicy& policy, unsigned consecutive_failures,
                    FailureClass failure, std::uint32_t retry_after, double unit_random) {
  const double u = clamp_unit(unit_random);
  double delay = 0;
  if (failure == FailureClass::permanent) {
    delay = policy.permanent_error_interval * (0.9 + 0.1 * u);
  } else if (policy.max_time > 0) {
    const double ceiling =
        backoff_ceiling(policy.base_time, policy.max_time, consecutive_failures).count();
    delay = ceiling * (0.5 + 0.5 * u);
  } else {
    delay = policy.fixed_interval * (0.9 + 0.1 * u);
  }
  return Seconds(std::max(delay, static_cast<double>(retry_after)));
}

Seconds keepalive_delay(Seconds interval, double unit_random) {
  return interval * (0.8 + 0.2 * clamp_unit(unit_random));
}

Seconds surge_delay(std::uint32_t surge_prevention, double unit_random) {
  return Seconds(std::min(surge_prevention, 60U) * clamp_unit(unit_random));
}

}  // namespace sipline::reg

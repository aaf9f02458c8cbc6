#pragma once
// Pure timing rules of registration: when to refresh a binding and how long
// to wait before retrying after a failure. Randomness comes in as a number in
// [0, 1) so that every rule is a deterministic, testable function.

#include <chrono>
#include <cstdint>

#include "config/account.hpp"

namespace sipline::reg {

using Seconds = std::chrono::duration<double>;

// When to send the refresh, counted from the 2xx that granted `granted`
// seconds. With an overlap configured (Polycom expires.overlap, Yealink
// register_expires_overlap) the refresh goes `overlap` seconds early, or at
// half the lifetime when the grant is not longer than twice the overlap.
// Otherwise the margin is a tenth of the lifetime (between 2 s and 60 s) plus
// up to half a margin of jitter, so that phones registered together spread out.
// Never sooner than min_refresh_delay after the 2xx, however short the grant.
inline constexpr Seconds min_refresh_delay{5.0};
Seconds refresh_delay(std::uint32_t granted, std::uint32_t overlap, double unit_random);

// RFC 5626 §4.5 upper bound: min(max_time, base_time * 2^failures).
Seconds backoff_ceiling(std::uint32_t base_time, std::uint32_t max_time,
                        unsigned consecutive_failures);

enum class FailureClass : std::uint8_t {
  transient,  // timeout, transport error, 5xx, 408, 480...
  permanent,  // 403, 404: an administrator has to act
};

// Delay before the next registration attempt after `consecutive_failures`
// (>= 1) failures in a row. RFC 5626 backoff when the policy sets max_time,
// otherwise the fixed interval; always jittered downwards (50-100 % of the
// ceiling for backoff, 90-100 % for a fixed interval) so that a fleet that
// failed together does not retry together. A Retry-After from the server is a
// floor (RFC 3261 §21.5.4, §20.33).
Seconds retry_delay(const config::RetryPolicy& policy, unsigned consecutive_failures,
                    FailureClass failure, std::uint32_t retry_after, double unit_random);

// When the next OPTIONS keep-alive goes out: 80-100 % of `interval`, like the
// transport's CRLF and STUN keep-alives (RFC 5626 §4.4.1), so that phones
// started together do not ping in step.
Seconds keepalive_delay(Seconds interval, double unit_random);

// Random start-up delay (Yealink sip.reg_surge_prevention, 0-60 s).
Seconds surge_delay(std::uint32_t surge_prevention, double unit_random);

}  // namespace sipline::reg

#pragma once
// The RFC 3261 §17 timer values of one transaction. Every transaction gets its
// own copy (a registrar with a long round trip may need a larger T1 than the
// rest), so nothing here is global.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/result.hpp"
#include "runtime/clock.hpp"

namespace sipline::txn {

using runtime::Duration;

struct TimerConfig {
  // RFC 3261 §17.1.1.1 and Table 4.
  Duration t1 = std::chrono::milliseconds(500);  // round-trip estimate
  Duration t2 =
      std::chrono::seconds(4);  // cap on non-INVITE request and INVITE response retransmits
  Duration t4 = std::chrono::seconds(5);  // longest a message lingers in the network
  // Timer D must be at least 32 s over unreliable transports (§17.1.1.2).
  Duration timer_d_unreliable = std::chrono::seconds(32);
  // A server INVITE transaction sends 100 Trying when the TU has not answered
  // within this time (§17.2.1).
  Duration trying_delay = std::chrono::milliseconds(200);

  // Vendors' retry_counts / invite_retry_counts: how many retransmissions a
  // client transaction over an unreliable transport sends without hearing any
  // response before it gives up with EndReason::timeout, instead of waiting
  // for Timer B/F. The budget counts retransmissions, not the first send, and
  // the transaction ends when the next one would be due: with a budget of 3
  // and T1 = 500 ms the sends are at 0, 0.5, 1.5 and 3.5 s and the timeout is
  // at 7.5 s; a budget of 0 times out at T1. Timer B/F still bound it. Empty:
  // RFC timing only. Reliable transports never retransmit; there the budget
  // becomes a silence deadline at the instant the unreliable schedule would
  // have given up (budget_deadline()), so a blackholed TCP or TLS server is
  // left as fast as a UDP one instead of after Timer B/F.
  std::optional<std::uint8_t> retransmit_budget;
  static constexpr std::uint8_t max_retransmit_budget = 20;

  Duration timer_a() const { return t1; }
  Duration timer_b() const { return 64 * t1; }
  Duration timer_d(bool reliable) const { return reliable ? Duration::zero() : timer_d_unreliable; }
  Duration timer_e() const { return t1; }
  Duration timer_f() const { return 64 * t1; }
  Duration timer_g() const { return t1; }
  Duration timer_h() const { return 64 * t1; }
  Duration timer_i(bool reliable) const { return reliable ? Duration::zero() : t4; }
  Duration timer_j(bool reliable) const { return reliable ? Duration::zero() : 64 * t1; }
  Duration timer_k(bool reliable) const { return reliable ? Duration::zero() : t4; }
  // RFC 6026 §8.4 and §8.7.
  Duration timer_l() const { return 64 * t1; }
  Duration timer_m() const { return 64 * t1; }

  // T1 must be positive (a zero interval would retransmit forever at one
  // instant); T2 not below T1; nothing negative or above an hour (which also
  // keeps 64*T1 far from overflowing); the budget 0-20.
  Result<void> validate() const {
    constexpr Duration hour = std::chrono::hours(1);
    if (t1 <= Duration::zero()) return fail(Errc::out_of_range, "T1 must be positive");
    if (t2 < t1) return fail(Errc::out_of_range, "T2 must not be below T1");
    for (Duration d : {t1, t2, t4, timer_d_unreliable, trying_delay}) {
      if (d < Duration::zero() || d > hour) {
        return fail(Errc::out_of_range, "timer values must be between 0 and 1 hour");
      }
    }
    if (retransmit_budget && *retransmit_budget > max_retransmit_budget) {
      return fail(Errc::out_of_range, "retransmission budget must be 0-20");
    }
    return ok();
  }
};

// The next retransmission interval: doubled, and capped at T2 when `capped`
// (non-INVITE requests §17.1.2.2, INVITE responses §17.2.1; INVITE requests
// double without a cap, §17.1.1.2).
inline Duration next_interval(Duration current, const TimerConfig& config, bool capped) {
  const Duration doubled = 2 * current;
  return capped ? std::min(doubled, config.t2) : doubled;
}

// When a transaction with `budget` retransmissions times out, counted from
// the first send: T1 + 2*T1 + ... over budget + 1 intervals, each capped at
// T2 when `capped` (non-INVITE), e.g. 0.5 + 1 + 2 = 3.5 s for a budget of 2.
inline Duration budget_deadline(const TimerConfig& config, std::uint8_t budget, bool capped) {
  Duration interval = config.t1;
  Duration total = interval;
  for (std::uint8_t i = 0; i < budget; ++i) {
    interval = next_interval(interval, config, capped);
    total += interval;
  }
  return total;
}

}  // namespace sipline::txn

#pragma once
// Runs an action once a burst of notifications is over: each notification
// restarts a quiet period, and the action runs when none has come for that
// long. A source that never falls quiet (a flapping Wi-Fi link, a router
// advertising every few hundred milliseconds) cannot postpone it forever:
// the action runs at the latest `max_wait` after the burst's first
// notification.

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "runtime/clock.hpp"

namespace sipline::ua {

class QuietPeriod {
 public:
  QuietPeriod(runtime::TimerService& timers, std::function<void()> action)
      : timers_(timers), action_(std::move(action)) {}

  void set_times(runtime::Duration quiet, runtime::Duration max_wait) {
    quiet_ = quiet;
    max_wait_ = std::max(quiet, max_wait);
  }

  void notify() {
    const runtime::TimePoint now = timers_.now();
    if (!burst_start_) burst_start_ = now;
    const runtime::Duration left = *burst_start_ + max_wait_ - now;
    timer_ = timers_.start(std::clamp(left, runtime::Duration::zero(), quiet_), [this] {
      burst_start_.reset();
      action_();
    });
  }

  void cancel() {
    timer_.cancel();
    burst_start_.reset();
  }

 private:
  runtime::TimerService& timers_;
  std::function<void()> action_;
  runtime::Duration quiet_{};
  runtime::Duration max_wait_{};
  std::optional<runtime::TimePoint> burst_start_;
  runtime::Timer timer_;
};

}  // namespace sipline::ua

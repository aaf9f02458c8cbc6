#pragma once
// A TimerService whose time moves only when told to. Tests and fuzzers use it
// to run a 32 s Timer F or a one-hour refresh in microseconds, with exact and
// repeatable deadlines.
//
// Ordering: timers fire in deadline order; timers with the same deadline fire
// in the order they were started. While a callback runs, now() equals its
// deadline. Callbacks may start and cancel timers, including ones that fall
// due within the advance in progress (a zero delay fires at the current
// instant, after the timers already due then).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "runtime/clock.hpp"

namespace sipline::runtime {

class ManualClock final : public TimerService {
 public:
  // An arbitrary fixed origin, far from the epoch so that subtracting a few
  // hours from now() never underflows.
  static constexpr TimePoint default_start = TimePoint(std::chrono::hours(1000));
  // 2024-01-01T00:00:00Z, for the wall clock shown in events.
  static constexpr SystemTime default_system_start = SystemTime(std::chrono::seconds(1704067200));

  explicit ManualClock(TimePoint start = default_start,
                       SystemTime system_start = default_system_start)
      : start_(start), now_(start), system_start_(system_start) {}
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;
  ~ManualClock() override = default;

  TimePoint now() const override { return now_; }
  // Moves in step with now(): the wall clock never jumps unless told to.
  SystemTime system_now() const override {
    return system_start_ + std::chrono::duration_cast<SystemTime::duration>(now_ - start_);
  }

  // Moves time forward by `d` (a negative `d` counts as zero), running every
  // timer due up to the new time. Returns the number of callbacks run.
  std::size_t advance(Duration d);
  // The same, up to an absolute time (nothing happens if `t` is in the past).
  std::size_t advance_to(TimePoint t);
  // Runs the timers due at the current instant only.
  std::size_t run_due() { return advance(Duration::zero()); }

  // Runs timers one deadline after another until none is left, but never
  // beyond `limit` from the time of the call nor more than `max_callbacks`
  // callbacks (a timer that restarts itself forever would otherwise never let
  // this return). Time stops at the last deadline run, not at `limit`.
  // Returns true when no timer is pending afterwards.
  bool run_until_idle(Duration limit = std::chrono::hours(24),
                      std::size_t max_callbacks = 1'000'000);

  // Steps the wall clock alone (an NTP correction): monotonic timers are not
  // affected.
  void step_system_clock(Duration d) {
    system_start_ += std::chrono::duration_cast<SystemTime::duration>(d);
  }

  std::size_t pending_count() const noexcept { return live_.size(); }
  std::optional<TimePoint> next_deadline() const;

 protected:
  std::uint64_t schedule(Duration delay, std::function<void()> fn) override;
  void cancel(std::uint64_t id) noexcept override;
  bool pending(std::uint64_t id) const noexcept override;

 private:
  struct Slot {
    TimePoint deadline;
    std::uint64_t id;
  };
  // Orders the heap so that its top is the earliest deadline, and among equal
  // deadlines the timer started first.
  struct Later {
    bool operator()(const Slot& a, const Slot& b) const noexcept {
      if (a.deadline != b.deadline) return a.deadline > b.deadline;
      return a.id > b.id;
    }
  };
  struct Entry {
    TimePoint deadline;
    std::function<void()> fn;
  };

  // Drops cancelled slots from the top of the heap.
  void skip_cancelled() const;
  // Rebuilds the heap when cancelled slots outnumber live ones, so memory
  // stays proportional to the live timers however many are cancelled.
  void compact();
  // Pops and runs the earliest timer if it is due at or before `limit`.
  bool run_one(TimePoint limit);

  TimePoint start_;
  TimePoint now_;
  SystemTime system_start_;
  std::uint64_t next_id_ = 1;
  bool running_ = false;
  // Cancelling only erases from `live_` (O(1)); the heap slot is discarded
  // lazily when it reaches the top.
  std::unordered_map<std::uint64_t, Entry> live_;
  mutable std::priority_queue<Slot, std::vector<Slot>, Later> heap_;
};

}  // namespace sipline::runtime

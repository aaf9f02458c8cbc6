#pragma once
// Time, injected. The sans-I/O core (sip/, auth/, txn/, dns/ selection, reg/,
// call/) never reads a clock: it is handed a TimerService, which tells the
// time and runs callbacks at deadlines. Production uses the event loop's
// implementation; tests use ManualClock (runtime/manual_clock.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace sipline::runtime {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;   // monotonic
using SystemTime = std::chrono::system_clock::time_point;  // wall clock, for display only

class TimerService;

// RAII handle of a scheduled callback: destroying or cancelling it guarantees
// the callback will not run. Cheap to cancel (SIP timers are mostly cancelled).
// Once the callback has started it is no longer armed: destroying its Timer
// from inside the callback (its owner ending) is allowed and harmless. The
// TimerService must outlive every Timer it handed out.
class Timer {
 public:
  Timer() = default;
  Timer(Timer&& other) noexcept;
  Timer& operator=(Timer&& other) noexcept;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  void cancel() noexcept;
  bool armed() const noexcept;

 private:
  friend class TimerService;
  Timer(TimerService* service, std::uint64_t id) : service_(service), id_(id) {}
  TimerService* service_ = nullptr;
  std::uint64_t id_ = 0;
};

class TimerService {
 public:
  virtual ~TimerService() = default;

  virtual TimePoint now() const = 0;
  virtual SystemTime system_now() const = 0;

  // Runs `fn` once, `delay` from now (a negative delay means now). Callbacks
  // run on the loop thread, never from inside start().
  [[nodiscard]] Timer start(Duration delay, std::function<void()> fn) {
    return Timer(this, schedule(delay, std::move(fn)));
  }

 protected:
  static constexpr std::uint64_t no_timer = 0;
  // Returns a non-zero id.
  virtual std::uint64_t schedule(Duration delay, std::function<void()> fn) = 0;
  virtual void cancel(std::uint64_t id) noexcept = 0;
  virtual bool pending(std::uint64_t id) const noexcept = 0;

 private:
  friend class Timer;
};

inline Timer::Timer(Timer&& other) noexcept : service_(other.service_), id_(other.id_) {
  other.service_ = nullptr;
  other.id_ = 0;
}

inline Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    service_ = other.service_;
    id_ = other.id_;
    other.service_ = nullptr;
    other.id_ = 0;
  }
  return *this;
}

inline void Timer::cancel() noexcept {
  if (service_ != nullptr) service_->cancel(id_);
  service_ = nullptr;
  id_ = 0;
}

inline bool Timer::armed() const noexcept {
  return service_ != nullptr && service_->pending(id_);
}

}  // namespace sipline::runtime

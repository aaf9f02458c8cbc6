#pragma once
// The production event loop: standalone Asio underneath, but no Asio type in
// this header, so code that only needs time and hand-over (txn/, reg/, ua/)
// sees the TimerService and Dispatcher interfaces. Transports reach the
// io_context through runtime/asio_access.hpp.
//
// Threading: one thread calls run()/run_for()/run_until() and owns every
// timer and socket. Other threads may call post() and stop() only.

#include <cstddef>
#include <functional>
#include <memory>

#include "runtime/clock.hpp"
#include "runtime/dispatcher.hpp"

namespace sipline::runtime {

class EventLoop final : public TimerService, public Dispatcher {
 public:
  EventLoop();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  TimePoint now() const override;
  SystemTime system_now() const override;

  void post(std::function<void()> fn) override;
  bool on_loop_thread() const noexcept override;

  // Runs until stop(), even while there is nothing to do.
  void run();
  // Ends the current run()/run_for()/run_until() soon. Thread-safe.
  void stop();
  // Runs for `duration` of real time or until stop(); returns the number of
  // handlers executed. Meant for integration tests and shutdown phases.
  std::size_t run_for(Duration duration);
  // Runs until `done()` returns true (checked after every handler) or
  // `timeout` elapses or stop() is called; returns done()'s last value.
  bool run_until(const std::function<bool()>& done, Duration timeout);

  // Number of armed timers (for tests and diagnostics).
  std::size_t timer_count() const noexcept;

  struct Impl;

 protected:
  std::uint64_t schedule(Duration delay, std::function<void()> fn) override;
  void cancel(std::uint64_t id) noexcept override;
  bool pending(std::uint64_t id) const noexcept override;

 private:
  friend Impl& impl_of(EventLoop& loop) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::runtime

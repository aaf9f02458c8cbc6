#include "runtime/event_loop.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "runtime/asio_access.hpp"

namespace sipline::runtime {

// Timers live in an ordered map keyed by (deadline, id), driven by a single
// steady_timer armed for the earliest deadline. Cancelling is an erase, which
// matters because almost every SIP timer is cancelled before it fires.
struct EventLoop::Impl {
  struct Key {
    TimePoint deadline;
    std::uint64_t id;
    friend bool operator<(const Key& a, const Key& b) {
      return a.deadline != b.deadline ? a.deadline < b.deadline : a.id < b.id;
    }
  };

  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  asio::steady_timer wake{io};
  std::optional<TimePoint> armed_for;  // deadline of the outstanding wait, if any
  std::uint64_t generation = 0;        // invalidates waits superseded by a re-arm
  std::map<Key, std::function<void()>> timers;
  std::unordered_map<std::uint64_t, TimePoint> deadlines;
  std::uint64_t next_id = 1;
  std::atomic<std::thread::id> loop_thread{};

  void arm() {
    if (timers.empty()) {
      if (armed_for) {
        armed_for.reset();
        ++generation;
        wake.cancel();
      }
      return;
    }
    const TimePoint earliest = timers.begin()->first.deadline;
    if (armed_for && *armed_for == earliest) return;
    armed_for = earliest;
    const std::uint64_t gen = ++generation;
    wake.expires_at(earliest);
    wake.async_wait([this, gen](const std::error_code& ec) {
      // A superseded wait may still complete successfully if it expired
      // before the re-arm; the generation check drops it.
      if (ec || gen != generation) return;
      armed_for.reset();
      fire();
    });
  }

  void fire() {
    // Only what is due now runs in this pass: a callback that schedules a
    // zero-delay timer gets it on a later pass, so the loop cannot starve.
    const TimePoint now = std::chrono::steady_clock::now();
    while (!timers.empty() && timers.begin()->first.deadline <= now) {
      auto node = timers.extract(timers.begin());
      deadlines.erase(node.key().id);
      // Erased before running: cancelling its own Timer inside the callback
      // is then a harmless no-op.
      node.mapped()();
    }
    arm();
  }

  void prepare_run() {
    loop_thread.store(std::this_thread::get_id());
    if (io.stopped()) io.restart();
  }

  void finish_run() { loop_thread.store(std::thread::id{}); }
};

EventLoop::Impl& impl_of(EventLoop& loop) noexcept {
  return *loop.impl_;
}

asio::io_context& io_context_of(EventLoop& loop) noexcept {
  return impl_of(loop).io;
}

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}

EventLoop::~EventLoop() = default;

TimePoint EventLoop::now() const {
  return std::chrono::steady_clock::now();
}

SystemTime EventLoop::system_now() const {
  return std::chrono::system_clock::now();
}

void EventLoop::post(std::function<void()> fn) {
  asio::post(impl_->io, std::move(fn));
}

bool EventLoop::on_loop_thread() const noexcept {
  return impl_->loop_thread.load() == std::this_thread::get_id();
}

void EventLoop::run() {
  impl_->prepare_run();
  impl_->io.run();
  impl_->finish_run();
}

void EventLoop::stop() {
  impl_->io.stop();
}

std::size_t EventLoop::run_for(Duration duration) {
  impl_->prepare_run();
  const std::size_t n = impl_->io.run_for(duration);
  impl_->finish_run();
  return n;
}

bool EventLoop::run_until(const std::function<bool()>& done, Duration timeout) {
  impl_->prepare_run();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool result = done();
  while (!result && !impl_->io.stopped()) {
    if (impl_->io.run_one_until(deadline) == 0) {
      result = done();
      break;
    }
    result = done();
  }
  impl_->finish_run();
  return result;
}

std::size_t EventLoop::timer_count() const noexcept {
  return impl_->timers.size();
}

std::uint64_t EventLoop::schedule(Duration delay, std::function<void()> fn) {
  Impl& s = *impl_;
  const std::uint64_t id = s.next_id++;
  const TimePoint deadline = now() + (delay < Duration::zero() ? Duration::zero() : delay);
  s.timers.emplace(Impl::Key{deadline, id}, std::move(fn));
  s.deadlines.emplace(id, deadline);
  s.arm();
  return id;
}

void EventLoop::cancel(std::uint64_t id) noexcept {
  Impl& s = *impl_;
  const auto it = s.deadlines.find(id);
  if (it == s.deadlines.end()) return;
  s.timers.erase(Impl::Key{it->second, id});
  s.deadlines.erase(it);
  // The wake-up stays armed for a cancelled deadline; it fires, finds nothing
  // due and re-arms. Cheaper than re-arming on every cancel.
}

bool EventLoop::pending(std::uint64_t id) const noexcept {
  return impl_->deadlines.contains(id);
}

}  // namespace sipline::runtime

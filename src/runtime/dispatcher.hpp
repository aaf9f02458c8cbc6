#pragma once
// The one way into the thread that owns SIP state. Everything in the core runs
// on that thread; another thread (a control socket, a signal handler, a test
// driver) hands work over with post().

#include <functional>

namespace sipline::runtime {

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;

  // Queues `fn` to run on the loop thread. Safe from any thread, including
  // the loop thread itself (the function then runs later, never inline).
  virtual void post(std::function<void()> fn) = 0;

  // True when called from the thread currently running the loop.
  virtual bool on_loop_thread() const noexcept = 0;
};

}  // namespace sipline::runtime

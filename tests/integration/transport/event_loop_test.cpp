// The production event loop on real time: timer order, cancellation, and
// hand-over from other threads. Durations are tens of milliseconds.

#include "runtime/event_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

namespace sipline::runtime {
namespace {

using namespace std::chrono_literals;

TEST(EventLoop, TimersFireInDeadlineOrderNotStartOrder) {
  EventLoop loop;
  std::vector<int> order;
  Timer late = loop.start(40ms, [&] { order.push_back(3); });
  Timer early = loop.start(10ms, [&] { order.push_back(1); });
  Timer middle = loop.start(20ms, [&] { order.push_back(2); });
  const auto begin = loop.now();
  ASSERT_TRUE(loop.run_until([&] { return order.size() == 3; }, 2s));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_GE(loop.now() - begin, 40ms);
  EXPECT_FALSE(late.armed());
  EXPECT_EQ(loop.timer_count(), 0u);
}

TEST(EventLoop, CallbackNeverRunsInsideStart) {
  EventLoop loop;
  bool ran = false;
  Timer t = loop.start(-5ms, [&] { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_TRUE(t.armed());
  ASSERT_TRUE(loop.run_until([&] { return ran; }, 1s));
}

TEST(EventLoop, CancelledAndDestroyedTimersDoNotFire) {
  EventLoop loop;
  int fired = 0;
  Timer cancelled = loop.start(5ms, [&] { fired += 100; });
  {
    Timer dropped = loop.start(5ms, [&] { fired += 10; });
  }
  Timer kept = loop.start(15ms, [&] { fired += 1; });
  cancelled.cancel();
  EXPECT_FALSE(cancelled.armed());
  ASSERT_TRUE(loop.run_until([&] { return fired != 0; }, 1s));
  loop.run_for(20ms);
  EXPECT_EQ(fired, 1);
}

TEST(EventLoop, CallbackMayCancelAnotherDueTimerAndItself) {
  EventLoop loop;
  std::vector<int> order;
  Timer second;
  Timer first = loop.start(5ms, [&] {
    order.push_back(1);
    second.cancel();
    first.cancel();  // already running: a no-op
  });
  second = loop.start(5ms, [&] { order.push_back(2); });
  Timer third = loop.start(10ms, [&] { order.push_back(3); });
  ASSERT_TRUE(loop.run_until([&] { return !order.empty() && order.back() == 3; }, 1s));
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(EventLoop, TimerHandleMayBeReplacedFromItsOwnCallback) {
  EventLoop loop;
  int runs = 0;
  Timer t;
  std::function<void()> tick = [&] {
    if (++runs < 5) t = loop.start(1ms, tick);
  };
  t = loop.start(1ms, tick);
  ASSERT_TRUE(loop.run_until([&] { return runs == 5; }, 1s));
  loop.run_for(10ms);
  EXPECT_EQ(runs, 5);
}

TEST(EventLoop, EarlierTimerStartedLaterRearmsTheWakeUp) {
  EventLoop loop;
  std::optional<TimePoint> fired_at;
  Timer far = loop.start(10s, [] {});
  const auto begin = loop.now();
  Timer near = loop.start(10ms, [&] { fired_at = loop.now(); });
  ASSERT_TRUE(loop.run_until([&] { return fired_at.has_value(); }, 2s));
  EXPECT_LT(*fired_at - begin, 1s);
  EXPECT_TRUE(far.armed());
}

TEST(EventLoop, PostFromAnotherThreadRunsOnTheLoopThread) {
  EventLoop loop;
  std::atomic<bool> on_loop{false};
  std::atomic<bool> done{false};
  EXPECT_FALSE(loop.on_loop_thread());
  std::thread other([&] {
    loop.post([&] {
      on_loop = loop.on_loop_thread();
      done = true;
    });
  });
  ASSERT_TRUE(loop.run_until([&] { return done.load(); }, 2s));
  other.join();
  EXPECT_TRUE(on_loop.load());
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
  EventLoop loop;
  std::atomic<bool> started{false};
  loop.post([&] { started = true; });
  std::thread stopper([&] {
    while (!started.load()) std::this_thread::yield();
    loop.stop();
  });
  loop.run();  // returns only because of stop()
  stopper.join();
  EXPECT_TRUE(started.load());
  // The loop can run again afterwards.
  bool again = false;
  loop.post([&] { again = true; });
  EXPECT_TRUE(loop.run_until([&] { return again; }, 1s));
}

TEST(EventLoop, RunForReturnsWhenIdle) {
  EventLoop loop;
  const auto begin = std::chrono::steady_clock::now();
  loop.run_for(30ms);
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, 30ms);
  EXPECT_LT(took, 2s);
}

TEST(EventLoop, RunUntilGivesUpAtTheTimeout) {
  EventLoop loop;
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_FALSE(loop.run_until([] { return false; }, 30ms));
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 30ms);
}

}  // namespace
}  // namespace sipline::runtime

#include "runtime/manual_clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipline::runtime {
namespace {

using namespace std::chrono_literals;

class ManualClockTest : public ::testing::Test {
 protected:
  // Milliseconds since the clock was created.
  long long ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - origin).count();
  }

  ManualClock clock;
  TimePoint origin = clock.now();
  std::vector<std::string> log;
};

TEST_F(ManualClockTest, StartsAtAFixedTime) {
  ManualClock other;
  EXPECT_EQ(clock.now(), other.now());
  EXPECT_EQ(clock.now(), ManualClock::default_start);
  EXPECT_EQ(clock.system_now(), ManualClock::default_system_start);
  ManualClock custom(TimePoint(5s), SystemTime(10s));
  EXPECT_EQ(custom.now(), TimePoint(5s));
  EXPECT_EQ(custom.system_now(), SystemTime(10s));
}

TEST_F(ManualClockTest, TimeMovesOnlyWhenAdvanced) {
  EXPECT_EQ(ms(), 0);
  clock.advance(1500ms);
  EXPECT_EQ(ms(), 1500);
  clock.advance(-5s);  // never backwards
  EXPECT_EQ(ms(), 1500);
  clock.advance_to(origin);  // in the past: nothing
  EXPECT_EQ(ms(), 1500);
  clock.advance_to(origin + 2s);
  EXPECT_EQ(ms(), 2000);
}

TEST_F(ManualClockTest, SystemClockFollowsAndCanBeStepped) {
  const SystemTime before = clock.system_now();
  clock.advance(90s);
  EXPECT_EQ(clock.system_now() - before, 90s);
  clock.step_system_clock(-1h);
  EXPECT_EQ(clock.system_now() - before, 90s - 1h);
  EXPECT_EQ(ms(), 90000);  // the monotonic clock did not move
}

TEST_F(ManualClockTest, FiresInDeadlineOrderAtTheirDeadline) {
  std::vector<long long> at;
  Timer c = clock.start(300ms, [&] {
    log.push_back("c");
    at.push_back(ms());
  });
  Timer a = clock.start(100ms, [&] {
    log.push_back("a");
    at.push_back(ms());
  });
  Timer b = clock.start(200ms, [&] {
    log.push_back("b");
    at.push_back(ms());
  });
  EXPECT_EQ(clock.pending_count(), 3u);
  EXPECT_EQ(clock.advance(250ms), 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(at, (std::vector<long long>{100, 200}));
  EXPECT_EQ(ms(), 250);
  EXPECT_EQ(clock.pending_count(), 1u);
  EXPECT_EQ(clock.advance(50ms), 1u);
  EXPECT_EQ(at.back(), 300);
  EXPECT_EQ(clock.pending_count(), 0u);
}

TEST_F(ManualClockTest, TiesFireInCreationOrder) {
  std::vector<Timer> timers;
  for (char name : std::string("edcba")) {
    timers.push_back(clock.start(1s, [&, name] { log.emplace_back(1, name); }));
  }
  clock.advance(1s);
  EXPECT_EQ(log, (std::vector<std::string>{"e", "d", "c", "b", "a"}));
}

TEST_F(ManualClockTest, NegativeDelayMeansNowAndNeverRunsInsideStart) {
  bool ran = false;
  Timer t = clock.start(-3s, [&] { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_TRUE(t.armed());
  EXPECT_EQ(clock.next_deadline(), clock.now());
  EXPECT_EQ(clock.run_due(), 1u);
  EXPECT_TRUE(ran);
  EXPECT_EQ(ms(), 0);
}

TEST_F(ManualClockTest, CancelAndDestroyPreventTheCallback) {
  bool a = false, b = false;
  Timer ta = clock.start(1s, [&] { a = true; });
  {
    Timer tb = clock.start(1s, [&] { b = true; });
    EXPECT_TRUE(tb.armed());
  }
  ta.cancel();
  EXPECT_FALSE(ta.armed());
  ta.cancel();  // twice is fine
  EXPECT_EQ(clock.pending_count(), 0u);
  EXPECT_EQ(clock.advance(2s), 0u);
  EXPECT_FALSE(a);
  EXPECT_FALSE(b);
}

TEST_F(ManualClockTest, MovingATimerKeepsItAndAssigningCancelsTheOldOne) {
  int fired = 0;
  Timer a = clock.start(1s, [&] { fired += 1; });
  Timer b = std::move(a);
  EXPECT_FALSE(a.armed());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_TRUE(b.armed());
  b = clock.start(2s, [&] { fired += 10; });  // the 1 s timer is cancelled
  EXPECT_EQ(clock.pending_count(), 1u);
  clock.advance(3s);
  EXPECT_EQ(fired, 10);
}

TEST_F(ManualClockTest, ATimerIsNotArmedOnceItFired) {
  bool armed_inside = true;
  Timer t;
  t = clock.start(1s, [&] { armed_inside = t.armed(); });
  clock.advance(1s);
  EXPECT_FALSE(armed_inside);
  EXPECT_FALSE(t.armed());
}

TEST_F(ManualClockTest, CallbackCanStartTimersDueWithinTheSameAdvance) {
  std::vector<long long> at;
  Timer first, second, third;
  first = clock.start(100ms, [&] {
    at.push_back(ms());
    second = clock.start(100ms, [&] {
      at.push_back(ms());
      third = clock.start(0ms, [&] { at.push_back(ms()); });
    });
  });
  EXPECT_EQ(clock.advance(1s), 3u);
  EXPECT_EQ(at, (std::vector<long long>{100, 200, 200}));
  EXPECT_EQ(ms(), 1000);
}

TEST_F(ManualClockTest, ZeroDelayFromACallbackRunsAfterTimersAlreadyDue) {
  Timer a, b, c;
  a = clock.start(1s, [&] {
    log.push_back("a");
    c = clock.start(0s, [&] { log.push_back("c"); });
  });
  b = clock.start(1s, [&] { log.push_back("b"); });
  clock.advance(1s);
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(ManualClockTest, CallbackCanCancelATimerDueAtTheSameInstant) {
  Timer a, b;
  a = clock.start(1s, [&] {
    log.push_back("a");
    b.cancel();
  });
  b = clock.start(1s, [&] { log.push_back("b"); });
  EXPECT_EQ(clock.advance(5s), 1u);
  EXPECT_EQ(log, (std::vector<std::string>{"a"}));
}

TEST_F(ManualClockTest, CallbackCanDestroyItsOwnTimer) {
  auto owner = std::make_unique<Timer>();
  int value = 0;
  *owner = clock.start(1s, [&, captured = std::make_shared<int>(7)] {
    owner.reset();      // the owner goes away while its callback runs
    value = *captured;  // captured state is still alive
  });
  clock.advance(1s);
  EXPECT_EQ(owner, nullptr);
  EXPECT_EQ(value, 7);
}

TEST_F(ManualClockTest, RestartingFromItsOwnCallbackMakesAPeriodicTimer) {
  std::vector<long long> at;
  Timer t;
  std::function<void()> tick = [&] {
    at.push_back(ms());
    if (at.size() < 4) t = clock.start(250ms, tick);
  };
  t = clock.start(250ms, tick);
  clock.advance(10s);
  EXPECT_EQ(at, (std::vector<long long>{250, 500, 750, 1000}));
}

TEST_F(ManualClockTest, NextDeadlineSkipsCancelledTimers) {
  EXPECT_EQ(clock.next_deadline(), std::nullopt);
  Timer a = clock.start(1s, [] {});
  Timer b = clock.start(3s, [] {});
  EXPECT_EQ(clock.next_deadline(), origin + 1s);
  a.cancel();
  EXPECT_EQ(clock.next_deadline(), origin + 3s);
  b.cancel();
  EXPECT_EQ(clock.next_deadline(), std::nullopt);
}

TEST_F(ManualClockTest, RunUntilIdleStopsAtTheLastDeadline) {
  int fired = 0;
  Timer a = clock.start(2s, [&] { ++fired; });
  Timer b = clock.start(40s, [&] { ++fired; });
  EXPECT_TRUE(clock.run_until_idle());
  EXPECT_EQ(fired, 2);
  EXPECT_EQ(ms(), 40000);
}

TEST_F(ManualClockTest, RunUntilIdleHonoursItsTimeLimit) {
  int fired = 0;
  Timer a = clock.start(2s, [&] { ++fired; });
  Timer b = clock.start(2h, [&] { ++fired; });
  EXPECT_FALSE(clock.run_until_idle(1h));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(ms(), 2000);
  EXPECT_EQ(clock.pending_count(), 1u);
}

TEST_F(ManualClockTest, RunUntilIdleHonoursItsCallbackLimit) {
  int fired = 0;
  Timer t;
  std::function<void()> forever = [&] {
    ++fired;
    t = clock.start(0ms, forever);
  };
  t = clock.start(0ms, forever);
  EXPECT_FALSE(clock.run_until_idle(1h, 100));
  EXPECT_EQ(fired, 100);
  t.cancel();
  EXPECT_TRUE(clock.run_until_idle());
}

TEST_F(ManualClockTest, ManyCancelledTimersNeitherFireNorHideALiveOne) {
  // Typical SIP pattern: a retransmission timer armed and cancelled over and
  // over. Only the live timers count, and the survivor still fires on time.
  Timer keep = clock.start(10s, [&] { log.push_back("keep"); });
  for (int i = 0; i < 10000; ++i) {
    Timer t = clock.start(std::chrono::milliseconds(i % 50), [&] { log.push_back("x"); });
  }
  EXPECT_EQ(clock.pending_count(), 1u);
  EXPECT_EQ(clock.next_deadline(), origin + 10s);
  clock.advance(10s);
  EXPECT_EQ(log, (std::vector<std::string>{"keep"}));
}

}  // namespace
}  // namespace sipline::runtime

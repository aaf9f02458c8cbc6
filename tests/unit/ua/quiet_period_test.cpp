// QuietPeriod: a burst of notifications runs the action once, after the
// quiet time, and a source that never falls quiet cannot delay it past
// max_wait. On a manual clock.

#include "ua/quiet_period.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "runtime/manual_clock.hpp"

namespace sipline::ua {
namespace {

using namespace std::chrono_literals;

class QuietPeriodTest : public ::testing::Test {
 protected:
  QuietPeriodTest() { period.set_times(500ms, 5s); }
  runtime::ManualClock clock;
  int runs = 0;
  runtime::TimePoint last_run{};
  QuietPeriod period{clock, [this] {
                       ++runs;
                       last_run = clock.now();
                     }};
};

TEST_F(QuietPeriodTest, ABurstRunsTheActionOnceAfterTheQuietTime) {
  const auto t0 = clock.now();
  period.notify();
  clock.advance(200ms);
  period.notify();
  clock.advance(200ms);
  period.notify();  // the last notification at +400 ms
  clock.advance(499ms);
  EXPECT_EQ(runs, 0);
  clock.advance(1ms);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(last_run - t0, 900ms);
  clock.advance(10s);
  EXPECT_EQ(runs, 1);
}

TEST_F(QuietPeriodTest, ANeverQuietSourceRunsItAtMaxWaitThenStartsANewBurst) {
  const auto t0 = clock.now();
  // A notification every 100 ms from +0 to +9.9 s: never 500 ms of quiet.
  std::vector<runtime::Duration> run_times;
  for (int i = 0; i < 100; ++i) {
    period.notify();
    const int before = runs;
    clock.advance(100ms);
    if (runs != before) run_times.push_back(last_run - t0);
  }
  // Each burst is cut at max_wait (5 s) after its first notification.
  EXPECT_EQ(run_times, (std::vector<runtime::Duration>{5s, 10s}));
  clock.advance(1s);
  EXPECT_EQ(runs, 2);
}

TEST_F(QuietPeriodTest, TheBurstAfterACutEndsWithItsOwnQuietTime) {
  const auto t0 = clock.now();
  for (int i = 0; i < 60; ++i) {  // +0 to +5.9 s
    period.notify();
    clock.advance(100ms);
  }
  EXPECT_EQ(runs, 1);  // cut at +5 s
  clock.advance(1s);
  EXPECT_EQ(runs, 2);  // the second burst (+5.0 to +5.9 s) went quiet
  EXPECT_EQ(last_run - t0, 6400ms);
}

TEST_F(QuietPeriodTest, CancelDropsThePendingRun) {
  period.notify();
  period.cancel();
  clock.advance(10s);
  EXPECT_EQ(runs, 0);
  period.notify();  // a new burst starts afresh
  clock.advance(500ms);
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace sipline::ua

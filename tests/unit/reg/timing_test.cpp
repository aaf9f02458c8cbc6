#include "reg/timing.hpp"

#include <gtest/gtest.h>

namespace sipline::reg {
namespace {

TEST(RefreshDelay, ConfiguredOverlapRefreshesThatMuchEarly) {
  EXPECT_DOUBLE_EQ(refresh_delay(3600, 60, 0.7).count(), 3540.0);
  EXPECT_DOUBLE_EQ(refresh_delay(120, 30, 0.0).count(), 90.0);  // Yealink's 120/30 example
}

TEST(RefreshDelay, GrantShorterThanTwiceTheOverlapRefreshesAtHalf) {
  EXPECT_DOUBLE_EQ(refresh_delay(100, 60, 0.3).count(), 50.0);  // Polycom rule
  EXPECT_DOUBLE_EQ(refresh_delay(120, 60, 0.3).count(), 60.0);
}

TEST(RefreshDelay, AutomaticMarginIsATenthWithJitter) {
  EXPECT_DOUBLE_EQ(refresh_delay(3600, 0, 0.0).count(), 3540.0);  // margin capped at 60 s
  EXPECT_DOUBLE_EQ(refresh_delay(3600, 0, 1.0).count(), 3510.0);  // plus half a margin
  EXPECT_DOUBLE_EQ(refresh_delay(55, 0, 0.0).count(), 49.5);      // FLX default
  EXPECT_DOUBLE_EQ(refresh_delay(10, 0, 1.0).count(), 7.0);       // 2 s floor on the margin
}

TEST(RefreshDelay, TinyGrantsRefreshNoSoonerThanTheFloor) {
  // A 1 s grant would mean a REGISTER every half-second without the floor.
  EXPECT_DOUBLE_EQ(refresh_delay(1, 0, 0.5).count(), min_refresh_delay.count());
  EXPECT_DOUBLE_EQ(refresh_delay(2, 0, 1.0).count(), min_refresh_delay.count());
  EXPECT_DOUBLE_EQ(refresh_delay(4, 3, 0.0).count(),
                   min_refresh_delay.count());                // overlap rule too
  EXPECT_DOUBLE_EQ(refresh_delay(12, 0, 0.0).count(), 10.0);  // above the floor: unchanged
}

TEST(Backoff, FollowsTheRfc5626Examples) {
  // RFC 5626 §4.5, all flows failed: base 30, max 1800 -> 60, 120, 240, 480, 960, 1800.
  const double expected[] = {60, 120, 240, 480, 960, 1800, 1800};
  for (unsigned failures = 1; failures <= 7; ++failures) {
    EXPECT_DOUBLE_EQ(backoff_ceiling(30, 1800, failures).count(), expected[failures - 1]);
  }
  // One flow still up: base 90 -> 180, 360, 720, 1440, 1800.
  EXPECT_DOUBLE_EQ(backoff_ceiling(90, 1800, 1).count(), 180.0);
  EXPECT_DOUBLE_EQ(backoff_ceiling(90, 1800, 5).count(), 1800.0);
  EXPECT_DOUBLE_EQ(backoff_ceiling(30, 1800, 4000).count(), 1800.0);
}

TEST(RetryDelay, BackoffIsJitteredBetweenHalfAndAllOfTheCeiling) {
  config::RetryPolicy p{.base_time = 30, .max_time = 1800};
  EXPECT_DOUBLE_EQ(retry_delay(p, 2, FailureClass::transient, 0, 0.0).count(), 60.0);
  EXPECT_DOUBLE_EQ(retry_delay(p, 2, FailureClass::transient, 0, 1.0).count(), 120.0);
}

TEST(RetryDelay, FixedIntervalIsJitteredDownwards) {
  config::RetryPolicy p;  // FLX: 300 s
  EXPECT_DOUBLE_EQ(retry_delay(p, 1, FailureClass::transient, 0, 0.0).count(), 270.0);
  EXPECT_DOUBLE_EQ(retry_delay(p, 9, FailureClass::transient, 0, 1.0).count(), 300.0);
}

TEST(RetryDelay, RetryAfterIsAFloorAndPermanentErrorsBackOffLong) {
  config::RetryPolicy p{.fixed_interval = 30};
  EXPECT_DOUBLE_EQ(retry_delay(p, 1, FailureClass::transient, 120, 0.5).count(), 120.0);
  EXPECT_DOUBLE_EQ(retry_delay(p, 1, FailureClass::permanent, 0, 1.0).count(), 1800.0);
}

TEST(KeepAliveDelay, IsEightyToOneHundredPercentOfTheInterval) {
  EXPECT_DOUBLE_EQ(keepalive_delay(Seconds(30), 0.0).count(), 24.0);
  EXPECT_DOUBLE_EQ(keepalive_delay(Seconds(30), 0.5).count(), 27.0);
  EXPECT_DOUBLE_EQ(keepalive_delay(Seconds(30), 1.0).count(), 30.0);
  EXPECT_DOUBLE_EQ(keepalive_delay(Seconds(30), 7.0).count(), 30.0);  // clamped
}

TEST(SurgeDelay, IsBoundedBySixtySeconds) {
  EXPECT_DOUBLE_EQ(surge_delay(30, 0.5).count(), 15.0);
  EXPECT_DOUBLE_EQ(surge_delay(600, 1.0).count(), 60.0);
  EXPECT_DOUBLE_EQ(surge_delay(0, 0.9).count(), 0.0);
}

}  // namespace
}  // namespace sipline::reg

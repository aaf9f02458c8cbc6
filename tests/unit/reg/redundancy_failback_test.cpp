// Failback scenarios: each mode with its timing, idle-only deferral,
// make-before-break and hysteresis against a flapping primary.

#include "engine_harness.hpp"

namespace sipline::reg::testing {
namespace {

class RedundancyFailback : public EngineHarness {
 protected:
  // The primary refuses at start and is back 10 s later; the account is on
  // the backup from ~11 ms on.
  void start_on_backup(config::Account account) {
    registrar.at(primary).refuse();
    start(std::move(account));
    registrar.change_at(t0 + 10s, [&] { registrar.at(primary).answer_ok(); });
    run_for(1s);
    ASSERT_EQ(active(), 1U) << trace(events, t0);
    since = first(EventType::registered)->at;
  }
  static config::Account with_mode(config::FailbackMode mode) {
    auto a = two_server_account();
    a.servers[0].failback_mode = mode;
    return a;
  }
  // When the REGISTER that brought the account back went out, relative to
  // its arrival on the backup.
  std::optional<runtime::Duration> failback_register_after_arrival() const {
    auto sent = registrar.exchanges_to(primary);
    for (const Exchange* e : sent) {
      if (e->request.method() == sip::Method::register_ && e->at > since) return e->at - since;
    }
    return std::nullopt;
  }
  runtime::TimePoint since{};
};

TEST_F(RedundancyFailback, DurationModeReturnsAfterTheFailbackTimeout) {
  auto account = with_mode(config::FailbackMode::duration);
  account.servers[0].failback_timeout = 300;
  start_on_backup(account);
  run_until(299s);
  EXPECT_EQ(first(EventType::failback), nullptr);
  run_until(301s);
  ASSERT_NE(first(EventType::failback), nullptr) << trace(events, t0);
  EXPECT_EQ(failback_register_after_arrival(), 300s);
  EXPECT_EQ(first(EventType::failback)->at - since, 300s + 10ms);
  EXPECT_EQ(active(), 0U);
}

TEST_F(RedundancyFailback, DurationZeroNeverReturns) {
  auto account = with_mode(config::FailbackMode::duration);
  account.servers[0].failback_timeout = 0;
  start_on_backup(account);
  run_for(3h);
  EXPECT_EQ(first(EventType::failback), nullptr);
  EXPECT_EQ(active(), 1U);
  EXPECT_EQ(registers_to(primary), 1U);
}

TEST_F(RedundancyFailback, RegistrationModeReturnsAtRenewal) {
  auto account = with_mode(config::FailbackMode::registration);
  account.registration_timeout = 600;  // refresh at 600 - 60 s (no jitter)
  start_on_backup(account);
  run_until(539s);
  EXPECT_EQ(first(EventType::failback), nullptr);
  run_until(542s);
  ASSERT_NE(first(EventType::failback), nullptr) << trace(events, t0);
  EXPECT_EQ(failback_register_after_arrival(), 540s);
}

TEST_F(RedundancyFailback, DnsTtlModeReturnsWhenTheAddressRecordExpires) {
  locator.set_ttl("192.0.2.2", 200);
  start_on_backup(with_mode(config::FailbackMode::dns_ttl));
  run_until(199s);
  EXPECT_EQ(first(EventType::failback), nullptr);
  run_until(202s);
  ASSERT_NE(first(EventType::failback), nullptr) << trace(events, t0);
  EXPECT_EQ(failback_register_after_arrival(), 200s);
}

TEST_F(RedundancyFailback, NewRequestsModeTriesThePrimaryFirstAndMovesBackEveryFallbackTimeout) {
  auto account = with_mode(config::FailbackMode::new_requests);
  account.fallback_timeout = 120;
  start_on_backup(account);
  // The primary is greylisted for 32 s after refusing: requests use the backup.
  auto route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
  run_until(40s);
  route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, primary);
  EXPECT_EQ(route->server_uri, "sip:192.0.2.1:5060;transport=udp");
  EXPECT_EQ(active(), 1U);  // the registration stays until fallback_timeout
  run_until(122s);
  ASSERT_NE(first(EventType::failback), nullptr) << trace(events, t0);
  EXPECT_EQ(failback_register_after_arrival(), 120s);
}

TEST_F(RedundancyFailback, MonitorModeProbesAndReturnsAfterGoodProbesInARow) {
  auto account = with_mode(config::FailbackMode::monitor);
  account.failback =
      config::FailbackTuning{.probe_interval = 30, .good_probes = 2, .min_dwell = 30};
  start_on_backup(account);
  run_until(31s);
  EXPECT_EQ(options_to(primary), 1U);
  EXPECT_EQ(first(EventType::failback), nullptr);
  run_until(62s);
  EXPECT_EQ(options_to(primary), 2U);
  ASSERT_NE(first(EventType::failback), nullptr) << trace(events, t0);
  // Right after the second answer (10 ms): 60 s after arrival.
  EXPECT_GE(*failback_register_after_arrival(), 60s);
  EXPECT_LT(*failback_register_after_arrival(), 60100ms);
  EXPECT_EQ(engine->status().role, "primary");
}

TEST_F(RedundancyFailback, MonitorModeRespectsTheMinimumDwell) {
  auto account = with_mode(config::FailbackMode::monitor);
  account.failback =
      config::FailbackTuning{.probe_interval = 10, .good_probes = 2, .min_dwell = 100};
  start_on_backup(account);
  run_until(99s);
  EXPECT_EQ(first(EventType::failback), nullptr);
  run_until(200s);
  ASSERT_NE(first(EventType::failback), nullptr);
  EXPECT_GE(*failback_register_after_arrival(), 100s);
  EXPECT_LE(*failback_register_after_arrival(), 110100ms);
}

TEST_F(RedundancyFailback, MakeBeforeBreakLeavesExactlyOneBinding) {
  auto account = with_mode(config::FailbackMode::duration);
  account.servers[0].failback_timeout = 60;
  start_on_backup(account);
  EXPECT_EQ(registrar.at(backup).bindings().size(), 1U);
  run_until(120s);
  ASSERT_NE(first(EventType::failback), nullptr);
  EXPECT_EQ(registrar.at(primary).bindings().size(), 1U);
  EXPECT_TRUE(registrar.at(backup).bindings().empty());
  // Order: the primary's 200 first, then the backup's Expires: 0.
  const Exchange* removal = registrar.exchanges_to(backup).back();
  EXPECT_EQ(removal->request.expires().value_or(99), 0U);
  EXPECT_GT(removal->at, first(EventType::failback)->at - 1ms);
  const auto unregistered = events_of(EventType::unregistered);
  ASSERT_EQ(unregistered.size(), 1U);
  EXPECT_EQ(unregistered[0]->server, "sip:192.0.2.2:5060;transport=udp");
  // The same +sip.instance everywhere: a binding moves, it is not duplicated.
  EXPECT_EQ(registrar.at(primary).bindings()[0].instance.empty(), false);
}

TEST_F(RedundancyFailback, IdleOnlyModesWaitForTheCallToEnd) {
  auto account = with_mode(config::FailbackMode::duration);
  account.servers[0].failback_timeout = 300;
  start_on_backup(account);
  run_until(100s);
  engine->call_started();
  run_until(400s);
  EXPECT_EQ(first(EventType::failback), nullptr);
  EXPECT_EQ(registers_to(primary), 1U);
  engine->call_ended();
  run_for(1s);
  ASSERT_NE(first(EventType::failback), nullptr);
  EXPECT_EQ(elapsed(first(EventType::failback)->at), 400s + 10ms);
}

TEST_F(RedundancyFailback, MonitorModeDoesNotWaitForCalls) {
  auto account = with_mode(config::FailbackMode::monitor);
  start_on_backup(account);
  engine->call_started();
  run_until(70s);
  ASSERT_NE(first(EventType::failback), nullptr);
}

TEST_F(RedundancyFailback, FailedFailbackStaysOnTheBackupAndTriesAgainLater) {
  auto account = with_mode(config::FailbackMode::duration);
  account.servers[0].failback_timeout = 60;
  registrar.at(primary).refuse();
  start(account);
  run_for(1s);
  since = first(EventType::registered)->at;
  run_until(61s);
  EXPECT_EQ(registers_to(primary), 2U);
  EXPECT_EQ(active(), 1U);
  EXPECT_EQ(first(EventType::failback), nullptr);
  EXPECT_EQ(first(EventType::registration_failed), nullptr);  // still registered
  run_until(122s);
  EXPECT_EQ(registers_to(primary), 3U);
  EXPECT_EQ(registrar.at(backup).bindings().size(), 1U);
}

// The primary comes and goes every 10 s for an hour. The account must not
// follow it: probes need answers in a row, and each early departure from
// the primary doubles the dwell (flap damping).
TEST_F(RedundancyFailback, FlappingPrimaryCannotCauseFlappingRegistrations) {
  auto account = with_mode(config::FailbackMode::monitor);
  account.failback = config::FailbackTuning{.probe_interval = 5, .good_probes = 2, .min_dwell = 30};
  account.keepalive = config::KeepAlive{config::KeepAliveKind::options, 30};
  start_on_backup(account);
  bool up = true;
  for (int k = 0; k < 360; ++k) {
    registrar.change_at(t0 + 12500ms + k * 10s, [&, k] {
      up = k % 2 == 1;
      if (up) {
        registrar.at(primary).answer_ok();
      } else {
        registrar.at(primary).refuse();
      }
    });
  }
  run_until(1h + 15s);
  const auto failbacks = events_of(EventType::failback).size();
  const auto failovers = events_of(EventType::failover).size();
  // Dwell 30, 60, 120, ... 1920 s: at most 7 returns fit in an hour.
  EXPECT_GE(failbacks, 1U) << trace(events, t0);
  EXPECT_LE(failbacks, 7U) << trace(events, t0);
  EXPECT_LE(failovers, failbacks + 1);
  EXPECT_LE(registers_to(primary), 2 * failbacks + 2) << trace(events, t0);
  // The backup: one REGISTER per arrival and one Expires: 0 per departure
  // (make-before-break); its refresh is due only after 3600 s.
  EXPECT_LE(registers_to(backup), failovers + failbacks) << trace(events, t0);
  // Never a duplicate binding: the Call-ID and instance stay the same per
  // registrar, so each return refreshes the binding left there.
  EXPECT_LE(registrar.at(primary).bindings().size(), 1U);
  EXPECT_EQ(registrar.at(backup).bindings().size(), 1U);
  EXPECT_EQ(active(), 1U);
}

}  // namespace
}  // namespace sipline::reg::testing

// Failover scenarios of the redundancy engine, on the manual clock. Each
// test reads like a trace: what the servers do, what the account did and
// when.

#include "engine_harness.hpp"

namespace sipline::reg::testing {
namespace {

using RedundancyFailover = EngineHarness;

TEST_F(RedundancyFailover, RegistersWithThePrimaryWhenItAnswers) {
  start(two_server_account());
  run_for(1s);
  ASSERT_NE(first(EventType::registered), nullptr);
  EXPECT_EQ(first(EventType::registered)->server, "sip:192.0.2.1:5060;transport=udp");
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(engine->status().role, "primary");
  EXPECT_EQ(engine->status().state, AccountState::registered);
  EXPECT_EQ(registers_to(backup), 0U);  // successive: the backup is left alone
  EXPECT_EQ(registrar.at(primary).bindings().size(), 1U);
}

TEST_F(RedundancyFailover, RefusedPrimaryFailsOverAtOnce) {
  registrar.at(primary).refuse();
  start(two_server_account());
  run_for(1s);

  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr);
  EXPECT_EQ(failover->failure, FailureKind::refused);
  EXPECT_EQ(failover->previous_server, "sip:192.0.2.1:5060;transport=udp");
  EXPECT_EQ(failover->server, "sip:192.0.2.2:5060;transport=udp");
  EXPECT_LE(elapsed(failover->at), 2ms);  // the ICMP report, not a timeout
  const Event* registered = first(EventType::registered);
  ASSERT_NE(registered, nullptr);
  EXPECT_EQ(registered->server, "sip:192.0.2.2:5060;transport=udp");
  EXPECT_LT(elapsed(registered->at), 100ms);
  EXPECT_EQ(active(), 1U);
  EXPECT_EQ(engine->status().role, "backup");
  EXPECT_EQ(engine->status().last_failure, FailureKind::refused);
  EXPECT_NE(engine->status().servers[0].health.find("greylisted (refused)"), std::string::npos);
}

TEST_F(RedundancyFailover, BlackholedPrimaryIsDeclaredDeadAfterThreeAndAHalfSeconds) {
  // retry_counts 3 (default) -> first send + 2 retransmissions: 0.5 + 1 + 2 s.
  registrar.at(primary).blackhole();
  start(two_server_account());
  run_for(3499ms);
  EXPECT_EQ(first(EventType::failover), nullptr);
  run_for(1ms);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr);
  EXPECT_EQ(elapsed(failover->at), 3500ms);
  EXPECT_EQ(failover->failure, FailureKind::timeout);
  run_for(100ms);
  ASSERT_NE(first(EventType::registered), nullptr);
  EXPECT_LE(elapsed(first(EventType::registered)->at), 4s);
  EXPECT_EQ(active(), 1U);
}

TEST_F(RedundancyFailover, RetryCountsSetTheBudget) {
  registrar.at(primary).blackhole();
  auto account = two_server_account();
  account.servers[0].retry_counts = 1;  // no retransmission: 0.5 s
  start(account);
  run_for(10s);
  ASSERT_NE(first(EventType::failover), nullptr);
  EXPECT_EQ(elapsed(first(EventType::failover)->at), 500ms);
}

TEST_F(RedundancyFailover, ServiceUnavailableWithRetryAfterBlacklistsThePrimary) {
  registrar.at(primary).unavailable(120);
  start(two_server_account());
  run_for(1s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr);
  EXPECT_EQ(failover->failure, FailureKind::service_unavailable);
  EXPECT_EQ(failover->status_code, 503);
  EXPECT_NE(failover->reason.find("Retry-After 120"), std::string::npos);
  EXPECT_EQ(active(), 1U);
  EXPECT_NE(engine->status().servers[0].health.find("blacklisted (503)"), std::string::npos);

  // The backup dies too: the primary, back already, is still blacklisted,
  // so it is not asked before its Retry-After runs out.
  registrar.at(backup).blackhole();
  registrar.at(primary).answer_ok();
  engine->report_request_failure(backup, FailureKind::timeout);
  run_until(119s);
  EXPECT_EQ(registers_to(primary), 1U);
  const Event* failed = first(EventType::registration_failed);
  ASSERT_NE(failed, nullptr);
  ASSERT_TRUE(failed->next_attempt.has_value());
  run_until(200s);
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(registers_to(primary), 2U);
}

TEST_F(RedundancyFailover, AllDownBacksOffThenTheBackupReturnsFirstThenThePrimary) {
  registrar.at(primary).refuse();
  registrar.at(backup).refuse();
  auto account = two_server_account();
  account.retry = config::RetryPolicy{.base_time = 30, .max_time = 1800};
  account.servers[0].failback_mode = config::FailbackMode::monitor;
  start(account);
  registrar.change_at(t0 + 100s, [&] { registrar.at(backup).answer_ok(); });
  registrar.change_at(t0 + 400s, [&] { registrar.at(primary).answer_ok(); });
  run_until(99s);

  // RFC 5626 backoff with the lowest jitter: 30 s, then 60 s, then 120 s.
  auto failed = events_of(EventType::registration_failed);
  ASSERT_EQ(failed.size(), 3U);
  EXPECT_EQ(*failed[0]->next_attempt - failed[0]->at, 30s);
  EXPECT_EQ(*failed[1]->next_attempt - failed[1]->at, 60s);
  EXPECT_EQ(*failed[2]->next_attempt - failed[2]->at, 120s);
  // Every retry asked both servers again, though they were greylisted.
  EXPECT_EQ(registers_to(primary), 3U);
  EXPECT_EQ(registers_to(backup), 3U);
  EXPECT_EQ(engine->status().state, AccountState::failed);

  run_until(400s);
  ASSERT_NE(first(EventType::registered), nullptr);
  const Event registered = *first(EventType::registered);  // a copy: events grows
  EXPECT_EQ(registered.server, "sip:192.0.2.2:5060;transport=udp");
  EXPECT_EQ(active(), 1U);

  run_until(600s);
  const Event* failback = first(EventType::failback);
  ASSERT_NE(failback, nullptr) << trace(events, t0);
  EXPECT_EQ(failback->server, "sip:192.0.2.1:5060;transport=udp");
  EXPECT_EQ(failback->previous_server, "sip:192.0.2.2:5060;transport=udp");
  EXPECT_GT(failback->at, registered.at);
  // Back within two probe intervals of the primary's return.
  EXPECT_LE(elapsed(failback->at), 400s + 2 * 30s + 1s);
  EXPECT_EQ(active(), 0U);
}

TEST_F(RedundancyFailover, KeepAliveNoticesADeadServerWhileIdle) {
  auto account = two_server_account();
  account.keepalive = config::KeepAlive{config::KeepAliveKind::options, 30};
  start(account);
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  registrar.change_at(t0 + 100s, [&] { registrar.at(primary).blackhole(); });
  run_until(123s);
  EXPECT_EQ(first(EventType::failover), nullptr);
  // The probe at 120 s goes unanswered for 3.5 s.
  run_until(124s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr) << trace(events, t0);
  EXPECT_EQ(failover->failure, FailureKind::keepalive_lost);
  EXPECT_GE(elapsed(failover->at), 123500ms);
  EXPECT_LT(elapsed(failover->at), 123600ms);
  EXPECT_GE(options_to(primary), 4U);
  EXPECT_EQ(active(), 1U);
}

TEST_F(RedundancyFailover, ForbiddenRaisesAnAlarmAndBacksOffLong) {
  registrar.at(primary).respond(403);
  start(two_server_account());
  run_for(30min);
  const Event* alarm = first(EventType::alarm);
  ASSERT_NE(alarm, nullptr);
  EXPECT_EQ(alarm->failure, FailureKind::auth_rejected);
  const Event* failed = first(EventType::registration_failed);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(*failed->next_attempt - failed->at, 1620s);  // 90 % of 1800 s
  EXPECT_EQ(registers_to(backup), 0U);                   // a 403 is not a dead server
  EXPECT_EQ(registers_to(primary), 2U);
}

TEST_F(RedundancyFailover, RedundancyWithRegFailMovesOnAfterAnErrorResponse) {
  registrar.at(primary).respond(500);
  auto account = two_server_account();
  account.redundancy_with_reg_fail = true;
  start(account);
  run_for(1s);
  ASSERT_NE(first(EventType::failover), nullptr);
  EXPECT_EQ(first(EventType::failover)->failure, FailureKind::server_error);
  EXPECT_EQ(active(), 1U);
}

TEST_F(RedundancyFailover, WrongPasswordStopsTheChallengeLoop) {
  registrar.at(primary).require_digest({.username = "alice", .password = "other"});
  start(two_server_account());
  run_for(10min);
  const Event* alarm = first(EventType::alarm);
  ASSERT_NE(alarm, nullptr);
  EXPECT_EQ(alarm->failure, FailureKind::auth_rejected);
  EXPECT_LE(registers_to(primary), 4U);
  EXPECT_EQ(engine->status().state, AccountState::failed);
  for (const Event& e : events) EXPECT_EQ(e.reason.find("secret-pw"), std::string::npos);
}

TEST_F(RedundancyFailover, DigestWithTheRightPasswordRegisters) {
  registrar.at(primary).require_digest({.username = "alice", .password = "secret-pw"});
  start(two_server_account());
  run_for(1s);
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(registers_to(primary), 2U);  // challenge, then credentials
}

TEST_F(RedundancyFailover, IntervalTooBriefIsAdopted) {
  registrar.at(primary).min_expires(600);
  auto account = two_server_account();
  account.registration_timeout = 300;
  start(account);
  run_for(1s);
  const Event* registered = first(EventType::registered);
  ASSERT_NE(registered, nullptr);
  EXPECT_EQ(registered->expires, 600U);
  EXPECT_EQ(active(), 0U);
}

TEST_F(RedundancyFailover, ServiceRouteIsReplacedOnFailover) {
  registrar.at(primary).service_route({"sip:orig1.example.com;lr"});
  registrar.at(backup).service_route({"sip:orig2.example.com;lr"});
  auto account = two_server_account();
  account.servers[0].failback_mode = config::FailbackMode::duration;
  start(account);
  run_for(1s);
  auto route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, primary);
  EXPECT_EQ(route->route_set, std::vector<std::string>{"sip:orig1.example.com;lr"});

  registrar.at(primary).refuse();
  engine->report_request_failure(primary, FailureKind::refused);
  run_for(1s);
  route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
  EXPECT_EQ(route->route_set, std::vector<std::string>{"sip:orig2.example.com;lr"});
  EXPECT_EQ(route->retransmit_budget, 3);  // invite_retry_counts
}

TEST_F(RedundancyFailover, InboundRequestsAreTrustedOnlyFromTheRegisteredServer) {
  start(two_server_account());
  run_for(1s);
  EXPECT_TRUE(engine->accepts_request_from(primary));
  EXPECT_FALSE(engine->accepts_request_from(backup));
  EXPECT_FALSE(engine->accepts_request_from(udp_target("198.51.100.7")));
}

TEST_F(RedundancyFailover, DnsExpansionTriesTheNextAddressOfTheSameServer) {
  auto account = two_server_account();
  account.servers[0].address = "pbx.example.com";
  account.servers[0].port = 0;
  dns::ResolvedTarget a{
      dns::Transport::udp, "192.0.2.11", dns::Family::ipv4, 5060, "pbx.example.com", 10, 300, {}};
  dns::ResolvedTarget b = a;
  b.address = "192.0.2.12";
  locator.set("pbx.example.com", {a, b});
  registrar.at(udp_target("192.0.2.11")).refuse();
  start(account);
  run_for(1s);
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(engine->status().servers[0].target, "192.0.2.12:5060/udp");
  EXPECT_EQ(registers_to(backup), 0U);
}

TEST_F(RedundancyFailover, UnresolvableServerIsSkipped) {
  auto account = two_server_account();
  account.servers[0].address = "gone.example.com";
  locator.fail("gone.example.com");
  start(account);
  run_for(1s);
  ASSERT_NE(first(EventType::failover), nullptr);
  EXPECT_EQ(first(EventType::failover)->failure, FailureKind::dns_failure);
  EXPECT_EQ(active(), 1U);
}

TEST_F(RedundancyFailover, RegisterOnEnableOffSignalsThroughTheBackupWithoutRegistering) {
  auto account = two_server_account();
  account.servers[1].register_on_enable = false;
  start(account);
  run_for(1s);
  registrar.at(primary).refuse();
  engine->report_request_failure(primary, FailureKind::refused);
  run_for(1s);
  ASSERT_NE(first(EventType::failover), nullptr);
  EXPECT_NE(first(EventType::failover)->reason.find("without registering"), std::string::npos);
  EXPECT_EQ(registers_to(backup), 0U);
  EXPECT_EQ(active(), 1U);
  auto route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
  EXPECT_TRUE(engine->accepts_request_from(backup));
}

TEST_F(RedundancyFailover, FlxAlwaysRegistersOnTheBackup) {
  auto account = two_server_account();
  account.servers[1].register_on_enable = false;
  start(account, config::Dialect::flx);
  run_for(1s);
  registrar.at(primary).refuse();
  engine->report_request_failure(primary, FailureKind::refused);
  run_for(1s);
  EXPECT_EQ(registers_to(backup), 1U);
  EXPECT_EQ(registrar.at(backup).bindings().size(), 1U);
  EXPECT_EQ(active(), 1U);
}

TEST_F(RedundancyFailover, StopUnregistersAndReportsDone) {
  start(two_server_account());
  run_for(1s);
  bool done = false;
  engine->stop([&] { done = true; });
  run_for(1s);
  EXPECT_TRUE(done);
  EXPECT_TRUE(registrar.at(primary).bindings().empty());
  EXPECT_EQ(engine->status().state, AccountState::disabled);
  EXPECT_NE(first(EventType::unregistered), nullptr);
}

TEST_F(RedundancyFailover, StopWhileARegisterIsInFlightLeavesNoBinding) {
  registrar.at(primary).delay(2s);
  start(two_server_account());
  run_for(1s);
  bool done = false;
  engine->stop([&] { done = true; });
  run_for(10s);
  EXPECT_TRUE(done);
  EXPECT_TRUE(registrar.at(primary).bindings().empty());
  EXPECT_EQ(registers_to(primary), 2U);  // the REGISTER, then its Expires: 0
}

TEST_F(RedundancyFailover, SurgePreventionDelaysTheFirstRegister) {
  auto account = two_server_account();
  account.surge_prevention = 20;
  random_value = 0.5;
  start(account);
  run_for(9s);
  EXPECT_EQ(registers_to(primary), 0U);
  run_for(2s);
  EXPECT_EQ(registers_to(primary), 1U);
}

}  // namespace
}  // namespace sipline::reg::testing

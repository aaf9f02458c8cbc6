// route_for_new_request(exclude): a request that failed at some servers is
// routed to the next usable one at once, before the engine's own failover
// has re-registered anywhere (the INVITE retry of a call).

#include "engine_harness.hpp"

namespace sipline::reg::testing {
namespace {

using RequestFailover = EngineHarness;

TEST_F(RequestFailover, TheBackupIsOfferedAtOnceWhenThePrimaryIsExcluded) {
  start(two_server_account());
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  registrar.at(primary).refuse();
  engine->report_request_failure(primary, FailureKind::refused);
  // No time passes: the engine has not registered with the backup yet.
  EXPECT_EQ(registrar.at(backup).bindings().size(), 0U);
  auto usual = engine->route_for_new_request(true);
  EXPECT_FALSE(usual.has_value() && usual->target == backup);  // why the exclude list exists
  auto route = engine->route_for_new_request(true, {primary});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
  EXPECT_EQ(route->server_uri, engine->status().servers[1].uri);
  EXPECT_EQ(route->retransmit_budget, 3);  // the backup's invite_retry_counts
  EXPECT_TRUE(route->route_set.empty());   // no Service-Route: not registered there yet
}

TEST_F(RequestFailover, AnUnexcludedUsualRouteIsKept) {
  start(two_server_account());
  run_for(1s);
  auto route = engine->route_for_new_request(true, {udp_target("198.51.100.9")});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, primary);
}

TEST_F(RequestFailover, NothingIsLeftWhenEveryServerIsExcluded) {
  start(two_server_account());
  run_for(1s);
  EXPECT_FALSE(engine->route_for_new_request(true, {primary, backup}).has_value());
}

TEST_F(RequestFailover, ABackupThatIsRegisteredCarriesItsServiceRoute) {
  registrar.at(backup).service_route({"sip:edge2.example.com;lr"});
  auto account = two_server_account();
  account.redundancy = config::RedundancyType::concurrent;
  start(account);
  run_for(1s);
  ASSERT_EQ(registrar.at(backup).bindings().size(), 1U);
  auto route = engine->route_for_new_request(true, {primary});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
  EXPECT_EQ(route->route_set, std::vector<std::string>{"sip:edge2.example.com;lr"});
}

TEST_F(RequestFailover, OnlySignalWithRegisteredForbidsAnUnregisteredBackup) {
  auto account = two_server_account();
  for (auto& s : account.servers) {
    s.only_signal_with_registered = true;
    s.failback_mode = config::FailbackMode::registration;
  }
  start(account);
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  EXPECT_FALSE(engine->route_for_new_request(true, {primary}).has_value());
}

TEST_F(RequestFailover, OnlySignalWithRegisteredHasNoEffectInNewRequestsMode) {
  // Yealink: the setting applies only with failback_mode 1-3.
  auto account = two_server_account();
  for (auto& s : account.servers) s.only_signal_with_registered = true;
  ASSERT_EQ(account.servers[0].failback_mode, config::FailbackMode::new_requests);
  start(account);
  run_for(1s);
  auto route = engine->route_for_new_request(true, {primary});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
}

TEST_F(RequestFailover, ABlacklistedBackupIsNeverOffered) {
  start(two_server_account());
  run_for(1s);
  engine->report_request_failure(backup, FailureKind::service_unavailable, 300);
  EXPECT_FALSE(engine->route_for_new_request(true, {primary}).has_value());
}

TEST_F(RequestFailover, AGreylistedBackupIsStillBetterThanNothing) {
  start(two_server_account());
  run_for(1s);
  engine->report_request_failure(backup, FailureKind::timeout);
  auto route = engine->route_for_new_request(true, {primary});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, backup);
}

TEST_F(RequestFailover, ABackupNamedByDnsIsLocatedAheadOfNeed) {
  auto account = two_server_account();
  account.servers[1].address = "backup.example.com";
  account.servers[1].port = 0;
  dns::ResolvedTarget b{
      dns::Transport::udp, "192.0.2.22", dns::Family::ipv4, 5060, "backup.example.com", 0, 300, {}};
  locator.set("backup.example.com", {b});
  start(account);
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  auto route = engine->route_for_new_request(true, {primary});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, udp_target("192.0.2.22"));
}

}  // namespace
}  // namespace sipline::reg::testing

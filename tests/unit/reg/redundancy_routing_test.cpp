// Outbound proxies (chained route set, failover pair with -1 inheritance,
// strict vs loose routing) and concurrent vs successive registration.

#include "engine_harness.hpp"

namespace sipline::reg::testing {
namespace {

using RedundancyRouting = EngineHarness;

std::vector<std::string> routes_of(const sip::Message& request) {
  std::vector<std::string> out;
  auto list = request.name_addrs(sip::HeaderId::route);
  if (!list) return out;
  for (const auto& entry : *list) out.emplace_back(entry.uri.raw);
  return out;
}

config::OutboundProxy proxy(const std::string& address) {
  config::OutboundProxy p;
  p.address = address;
  return p;
}

TEST_F(RedundancyRouting, ChainedProxiesAreALooseRouteSetForRegister) {
  auto account = two_server_account();
  account.proxies = {proxy("192.0.2.50"), proxy("192.0.2.51;lr")};
  start(account);
  run_for(1s);
  const auto sent = registrar.exchanges_to(udp_target("192.0.2.50"));
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0]->request.request_uri().raw, "sip:192.0.2.1:5060");
  EXPECT_EQ(routes_of(sent[0]->request),
            (std::vector<std::string>{"sip:192.0.2.50;lr", "sip:192.0.2.51;lr"}));
  EXPECT_EQ(registers_to(primary), 0U);  // nothing goes around the proxy
  EXPECT_EQ(active(), 0U);
  auto route = engine->route_for_new_request(false);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->target, udp_target("192.0.2.50"));
  EXPECT_EQ(route->route_set.size(), 2U);
}

TEST_F(RedundancyRouting, StrictRoutingRewritesTheRequestUriWhenTheProxyLacksLr) {
  auto account = two_server_account();
  account.proxies = {proxy("192.0.2.50")};
  account.strict_routing = true;
  start(account);
  run_for(1s);
  const auto sent = registrar.exchanges_to(udp_target("192.0.2.50"));
  ASSERT_EQ(sent.size(), 1U);
  // RFC 3261 §12.2.1.1: Request-URI <- the strict router, target appended.
  EXPECT_EQ(sent[0]->request.request_uri().raw, "sip:192.0.2.50");
  EXPECT_EQ(routes_of(sent[0]->request), std::vector<std::string>{"sip:192.0.2.1:5060"});
}

TEST_F(RedundancyRouting, StrictRoutingEnabledStillRoutesLooselyThroughAProxyWithLr) {
  auto account = two_server_account();
  account.proxies = {proxy("192.0.2.50;lr")};
  account.strict_routing = true;
  start(account);
  run_for(1s);
  const auto sent = registrar.exchanges_to(udp_target("192.0.2.50"));
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0]->request.request_uri().raw, "sip:192.0.2.1:5060");
  EXPECT_EQ(routes_of(sent[0]->request), std::vector<std::string>{"sip:192.0.2.50;lr"});
}

TEST_F(RedundancyRouting, WithoutProxyForRegistrationOnlyOtherRequestsUseTheProxy) {
  auto account = two_server_account();
  account.proxies = {proxy("192.0.2.50")};
  account.use_proxy_for_registration = false;
  start(account);
  run_for(1s);
  EXPECT_EQ(registers_to(primary), 1U);
  EXPECT_TRUE(registrar.exchanges_to(udp_target("192.0.2.50")).empty());
  EXPECT_TRUE(routes_of(registrar.exchanges_to(primary)[0]->request).empty());
  auto route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->route_set, std::vector<std::string>{"sip:192.0.2.50"});
}

TEST_F(RedundancyRouting, FailoverProxyPairInheritsTheServerSettings) {
  auto account = two_server_account();
  account.proxy_mode = config::ProxyMode::failover;
  account.proxies = {proxy("192.0.2.50"), proxy("192.0.2.51")};
  account.servers[0].retry_counts = 1;  // -1 on the proxy: inherited, 0.5 s
  account.servers[1].retry_counts = 5;
  registrar.at(udp_target("192.0.2.50")).blackhole();
  start(account);
  run_for(1s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr) << trace(events, t0);
  EXPECT_EQ(elapsed(failover->at), 500ms);
  EXPECT_EQ(failover->previous_server, "sip:192.0.2.50");
  EXPECT_EQ(failover->server, "sip:192.0.2.51");
  // The backup proxy carries REGISTERs for the second server.
  const auto sent = registrar.exchanges_to(udp_target("192.0.2.51"));
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0]->request.request_uri().raw, "sip:192.0.2.2:5060");
  EXPECT_EQ(routes_of(sent[0]->request), std::vector<std::string>{"sip:192.0.2.51;lr"});
  auto route = engine->route_for_new_request(true);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->retransmit_budget, 3);
}

TEST_F(RedundancyRouting, ExplicitProxyValuesOverrideTheServer) {
  auto account = two_server_account();
  account.proxy_mode = config::ProxyMode::failover;
  account.proxies = {proxy("192.0.2.50"), proxy("192.0.2.51")};
  account.servers[0].retry_counts = 1;
  account.proxies[0].retry_counts = 3;  // not -1: 0.5 + 1 + 2 s
  registrar.at(udp_target("192.0.2.50")).blackhole();
  start(account);
  run_for(5s);
  ASSERT_NE(first(EventType::failover), nullptr);
  EXPECT_EQ(elapsed(first(EventType::failover)->at), 3500ms);
}

TEST_F(RedundancyRouting, OnlySignalWithRegisteredRefusesToRouteUnregistered) {
  auto account = two_server_account();
  account.servers[0].only_signal_with_registered = true;
  account.servers[1].only_signal_with_registered = true;
  registrar.at(primary).refuse();
  registrar.at(backup).refuse();
  start(account);
  run_for(1s);
  EXPECT_FALSE(engine->route_for_new_request(true).has_value());
}

TEST_F(RedundancyRouting, ConcurrentRegistersWithAllAndTheBestIsActive) {
  auto account = two_server_account();
  account.redundancy = config::RedundancyType::concurrent;
  account.registration_timeout = 60;  // refresh at 54 s
  // The refresh notices the loss here; a jittered OPTIONS keep-alive (24 s
  // with this harness's draws) would notice it first, at 49 s.
  account.keepalive.kind = config::KeepAliveKind::none;
  start(account);
  run_for(1s);
  EXPECT_EQ(registers_to(primary), 1U);
  EXPECT_EQ(registers_to(backup), 1U);
  EXPECT_EQ(events_of(EventType::registered).size(), 2U);
  EXPECT_EQ(active(), 0U);
  EXPECT_TRUE(engine->accepts_request_from(backup));  // both hold a binding

  // The primary dies; its refresh at 54 s times out at 57.5 s: the backup,
  // registered all along, takes over without a REGISTER of its own.
  registrar.change_at(t0 + 40s, [&] { registrar.at(primary).blackhole(); });
  registrar.change_at(t0 + 100s, [&] { registrar.at(primary).answer_ok(); });
  run_until(58s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr) << trace(events, t0);
  EXPECT_EQ(failover->failure, FailureKind::timeout);
  EXPECT_EQ(failover->server, "sip:192.0.2.2:5060;transport=udp");
  EXPECT_EQ(active(), 1U);
  // The primary's lane retries (30 s fixed interval, 90 %) until it is back.
  run_until(200s);
  const Event* failback = first(EventType::failback);
  ASSERT_NE(failback, nullptr) << trace(events, t0);
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(registrar.at(backup).bindings().size(), 1U);  // concurrent keeps both
}

TEST_F(RedundancyRouting, SuccessiveRegistersWithOneServerOnly) {
  start(two_server_account());
  run_for(10min);
  EXPECT_GE(registers_to(primary), 1U);
  EXPECT_EQ(registers_to(backup), 0U);
  EXPECT_TRUE(registrar.at(backup).bindings().empty());
}

}  // namespace
}  // namespace sipline::reg::testing

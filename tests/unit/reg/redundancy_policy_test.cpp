// The pure parts of the redundancy policy: target health, failback timing,
// flap damping, and the hops an account's configuration gives.

#include <gtest/gtest.h>

#include <chrono>

#include "reg/candidates.hpp"
#include "reg/failback_policy.hpp"
#include "reg/target_health.hpp"

namespace sipline::reg {
namespace {

using namespace std::chrono_literals;
using runtime::TimePoint;

const TimePoint T0 = TimePoint(1000h);
const sip::Target kA{sip::TransportKind::udp, "192.0.2.1", 5060, {}};
const sip::Target kB{sip::TransportKind::tcp, "192.0.2.1", 5060, {}};

TEST(TargetHealth, TimeoutGreylistsForThirtyTwoSeconds) {
  HealthTable health;
  health.report_failure(kA, FailureKind::timeout, 0, T0);
  EXPECT_FALSE(health.usable(kA, T0 + 31s));
  EXPECT_EQ(health.state(kA, T0 + 31s), TargetHealth::greylisted);
  EXPECT_TRUE(health.usable(kA, T0 + 32s));
  EXPECT_TRUE(health.usable(kB, T0));  // another transport is another target
  EXPECT_EQ(health.describe(kA, T0 + 2s), "greylisted (timeout) for 30 s");
}

TEST(TargetHealth, GreylistDurationIsConfigurable) {
  HealthTable health(5s);
  health.report_failure(kA, FailureKind::refused, 0, T0);
  EXPECT_FALSE(health.usable(kA, T0 + 4s));
  EXPECT_TRUE(health.usable(kA, T0 + 5s));
}

TEST(TargetHealth, ServiceUnavailableWithRetryAfterBlacklistsUntilThen) {
  HealthTable health;
  health.report_failure(kA, FailureKind::service_unavailable, 600, T0);
  EXPECT_EQ(health.state(kA, T0 + 599s), TargetHealth::blacklisted);
  EXPECT_EQ(health.usable_at(kA, T0), T0 + 600s);
  // A later timeout does not shorten the blacklist.
  health.report_failure(kA, FailureKind::timeout, 0, T0 + 10s);
  EXPECT_EQ(health.state(kA, T0 + 100s), TargetHealth::blacklisted);
  EXPECT_EQ(health.describe(kA, T0), "blacklisted (503) for 600 s");
}

TEST(TargetHealth, AnAnswerClearsTheEntryAndErrorResponsesDoNotCount) {
  HealthTable health;
  health.report_failure(kA, FailureKind::timeout, 0, T0);
  health.report_success(kA);
  EXPECT_TRUE(health.usable(kA, T0));
  health.report_failure(kA, FailureKind::auth_rejected, 0, T0);
  health.report_failure(kA, FailureKind::server_error, 0, T0);
  EXPECT_TRUE(health.usable(kA, T0));
}

TEST(TargetHealth, TableIsBounded) {
  HealthTable health;
  for (int i = 0; i < 1000; ++i) {
    sip::Target t{
        sip::TransportKind::udp, "198.51.100.1", static_cast<std::uint16_t>(1000 + i), {}};
    health.report_failure(t, FailureKind::timeout, 0, T0);
  }
  sip::Target first{sip::TransportKind::udp, "198.51.100.1", 1000, {}};
  EXPECT_TRUE(health.usable(first, T0));  // evicted, oldest first
}

FailbackSchedule schedule(config::FailbackMode mode) {
  FailbackSchedule s;
  s.mode = mode;
  s.failback_timeout = 600;
  s.fallback_timeout = 120;
  s.probe_interval = 30;
  s.dwell = 30s;
  return s;
}

TEST(FailbackTiming, EachModeHasItsInstant) {
  const TimePoint renewal = T0 + 3540s;
  EXPECT_EQ(next_failback(schedule(config::FailbackMode::duration), T0, T0, renewal, 0), T0 + 600s);
  EXPECT_EQ(next_failback(schedule(config::FailbackMode::registration), T0, T0, renewal, 0),
            renewal);
  EXPECT_EQ(next_failback(schedule(config::FailbackMode::dns_ttl), T0, T0, renewal, 300),
            T0 + 300s);
  // An IP literal has no TTL: at renewal.
  EXPECT_EQ(next_failback(schedule(config::FailbackMode::dns_ttl), T0, T0, renewal, 0), renewal);
  EXPECT_EQ(next_failback(schedule(config::FailbackMode::new_requests), T0, T0, renewal, 0),
            T0 + 120s);
  EXPECT_EQ(next_failback(schedule(config::FailbackMode::monitor), T0, T0 + 45s, renewal, 0),
            T0 + 75s);
}

TEST(FailbackTiming, DurationZeroMeansNever) {
  auto s = schedule(config::FailbackMode::duration);
  s.failback_timeout = 0;
  EXPECT_FALSE(next_failback(s, T0, T0, T0 + 100s, 0).has_value());
  EXPECT_FALSE(
      next_failback(schedule(config::FailbackMode::registration), T0, T0, std::nullopt, 0));
}

TEST(FailbackTiming, NeverBeforeTheDwell) {
  auto s = schedule(config::FailbackMode::dns_ttl);
  s.dwell = 400s;
  EXPECT_EQ(next_failback(s, T0, T0, std::nullopt, 5), T0 + 400s);
}

TEST(FailbackTiming, OnlyMonitorIgnoresCalls) {
  EXPECT_FALSE(waits_for_idle(config::FailbackMode::monitor));
  EXPECT_TRUE(waits_for_idle(config::FailbackMode::duration));
  EXPECT_TRUE(waits_for_idle(config::FailbackMode::dns_ttl));
  EXPECT_TRUE(waits_for_idle(config::FailbackMode::registration));
  EXPECT_TRUE(waits_for_idle(config::FailbackMode::new_requests));
}

TEST(FlapDamping, DwellDoublesUpToAnHour) {
  EXPECT_EQ(damped_dwell(30, 0), 30s);
  EXPECT_EQ(damped_dwell(30, 1), 60s);
  EXPECT_EQ(damped_dwell(30, 4), 480s);
  EXPECT_EQ(damped_dwell(30, 40), 3600s);
  EXPECT_EQ(damped_dwell(0, 3), 4s);  // even a zero dwell grows once it flaps
}

TEST(ProbeStreakTest, NeedsAnswersInARow) {
  ProbeStreak streak(3);
  streak.record(true);
  streak.record(true);
  streak.record(false);
  streak.record(true);
  streak.record(true);
  EXPECT_FALSE(streak.satisfied());
  streak.record(true);
  EXPECT_TRUE(streak.satisfied());
}

TEST(Hops, RetryCountsMapToTheRetransmissionBudget) {
  EXPECT_EQ(register_budget(3), 2);
  EXPECT_EQ(register_budget(1), 0);
  EXPECT_EQ(register_budget(0), 0);
  EXPECT_EQ(register_budget(20), 19);
}

TEST(Hops, ProxyAddressesAsPhonesWriteThem) {
  EXPECT_EQ(proxy_uri("10.134.129.101;lr", 0), "sip:10.134.129.101;lr");
  EXPECT_EQ(proxy_uri("proxy.example.com", 5070), "sip:proxy.example.com:5070");
  EXPECT_EQ(proxy_uri("proxy.example.com;lr", 5070), "sip:proxy.example.com:5070;lr");
  EXPECT_EQ(proxy_uri("<sips:edge.example.com;lr>", 0), "sips:edge.example.com;lr");
  EXPECT_FALSE(proxy_uri("", 0).has_value());
}

config::Account account_with_servers() {
  config::Account a;
  a.username = "alice";
  config::ServerEntry s1;
  s1.address = "pbx1.example.com";
  s1.transport = config::ServerTransport::dns_naptr;
  s1.retry_counts = 2;
  config::ServerEntry s2;
  s2.address = "2001:db8::2";
  s2.port = 5062;
  s2.transport = config::ServerTransport::tcp;
  a.servers = {s1, s2};
  return a;
}

TEST(Hops, OnePerServerWithoutProxies) {
  const auto hops = build_hops(account_with_servers());
  ASSERT_EQ(hops.size(), 2U);
  EXPECT_EQ(hops[0].uri, "sip:pbx1.example.com");
  EXPECT_TRUE(hops[0].locate.force_naptr);
  EXPECT_FALSE(hops[0].locate.transport.has_value());
  EXPECT_EQ(hops[1].uri, "sip:[2001:db8::2]:5062;transport=tcp");
  EXPECT_EQ(hops[1].registrar_uri, "sip:[2001:db8::2]:5062");
  EXPECT_EQ(hops[1].locate.host, "2001:db8::2");
  EXPECT_EQ(hops[1].locate.port, 5062);
  EXPECT_EQ(hops[1].locate.transport, dns::Transport::tcp);
  EXPECT_TRUE(hops[1].route_set.empty());
}

TEST(Hops, FailoverPairInheritsPerPosition) {
  auto a = account_with_servers();
  a.proxy_mode = config::ProxyMode::failover;
  config::OutboundProxy p1;
  p1.address = "op1.example.com";
  p1.port = 5080;
  config::OutboundProxy p2;
  p2.address = "op2.example.com";
  p2.retry_counts = 7;
  a.proxies = {p1, p2};
  const auto hops = build_hops(a);
  ASSERT_EQ(hops.size(), 2U);
  EXPECT_EQ(hops[0].policy.retry_counts, 2);  // -1: sip_server.1
  EXPECT_EQ(hops[1].policy.retry_counts, 7);
  EXPECT_EQ(hops[1].policy.transport, config::ServerTransport::tcp);  // -1: sip_server.2
  EXPECT_EQ(hops[0].registrar_uri, "sip:pbx1.example.com");
  EXPECT_EQ(hops[0].locate.host, "op1.example.com");
  EXPECT_EQ(hops[0].locate.port, 5080);
  EXPECT_EQ(hops[0].route_set, std::vector<std::string>{"sip:op1.example.com:5080"});
}

TEST(Hops, ResolvedTargetsBecomeSipTargets) {
  dns::ResolvedTarget r{
      dns::Transport::tls, "192.0.2.7", dns::Family::ipv4, 5061, "sip1.example.com", 0, 60,
      "example.com"};
  const sip::Target t = to_sip_target(r);
  EXPECT_EQ(t.transport, sip::TransportKind::tls);
  EXPECT_EQ(t.server_name, "example.com");  // RFC 5922: the configured domain
  EXPECT_EQ(describe(t), "192.0.2.7:5061/tls");
}

}  // namespace
}  // namespace sipline::reg

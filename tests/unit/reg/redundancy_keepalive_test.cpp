// Keep-alives while idle: which mechanism runs on which flow, the interval
// the registrar negotiates (Flow-Timer, RFC 6223 keep), and what a failed or
// closed flow does to the registration. The transport side (CRLF pongs, STUN
// answers) is the FlowKeeper's, tested in tests/unit/transport; here the
// scripted registrar's flow watches stand in for it.

#include <gtest/gtest.h>

#include "engine_harness.hpp"

namespace sipline::reg::testing {
namespace {

const sip::Target tcp_primary{sip::TransportKind::tcp, "192.0.2.1", 5060, {}};
const sip::Target tcp_backup{sip::TransportKind::tcp, "192.0.2.2", 5060, {}};

config::Account tcp_account() {
  auto a = two_server_account();
  for (auto& s : a.servers) s.transport = config::ServerTransport::tcp;
  return a;
}

class RedundancyKeepAlive : public EngineHarness {
 protected:
  std::size_t registers_at(const sip::Target& t) const {
    std::size_t n = 0;
    for (const Exchange* e : registrar.exchanges_to(t)) {
      if (e->request.method() == sip::Method::register_) ++n;
    }
    return n;
  }
  // Time from each answered OPTIONS keep-alive to `t` to the next one: the
  // gap between them less the scripted registrar's 10 ms answer delay.
  std::vector<runtime::Duration> options_gaps(const sip::Target& t) const {
    std::vector<runtime::TimePoint> sent;
    for (const Exchange* e : registrar.exchanges_to(t)) {
      if (e->request.method() == sip::Method::options) sent.push_back(e->at);
    }
    std::vector<runtime::Duration> gaps;
    for (std::size_t i = 1; i < sent.size(); ++i) gaps.push_back(sent[i] - sent[i - 1] - 10ms);
    return gaps;
  }
  const ScriptedRegistrar::FlowWatchRecord* only_watch(const sip::Target& t) const {
    auto w = registrar.active_watches(t);
    return w.size() == 1 ? w.front() : nullptr;
  }
};

TEST_F(RedundancyKeepAlive, AutoRunsCrlfOnTheRegisteredTcpFlow) {
  start(tcp_account());
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  const auto* watch = only_watch(tcp_primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.method, FlowKeepAlive::Method::crlf);
  EXPECT_EQ(watch->keepalive.interval, 30s);
  EXPECT_EQ(watch->keepalive.pong_timeout, 10s);  // RFC 5626 §4.4.1
  EXPECT_TRUE(registrar.active_watches(tcp_backup).empty());
  // CRLF needs no OPTIONS.
  run_for(5min);
  EXPECT_EQ(options_to(tcp_primary), 0U);
}

TEST_F(RedundancyKeepAlive, FlowTimerFromThe2xxReplacesTheInterval) {
  registrar.at(tcp_primary).flow_timer(25);
  start(tcp_account());
  run_for(1s);
  const auto* watch = only_watch(tcp_primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.interval, 25s);
}

TEST_F(RedundancyKeepAlive, ViaOffersKeepAndTheNextHopsAnswerSetsTheInterval) {
  registrar.at(tcp_primary).keep_answer(40);
  start(tcp_account());
  run_for(1s);
  const auto exchanges = registrar.exchanges_to(tcp_primary);
  ASSERT_FALSE(exchanges.empty());
  EXPECT_TRUE(exchanges.front()->request.top_via().keep);  // RFC 6223 §4.1
  const auto* watch = only_watch(tcp_primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.interval, 40s);
}

TEST_F(RedundancyKeepAlive, NoKeepOfferedWhenKeepAlivesAreOff) {
  auto account = tcp_account();
  account.keepalive.kind = config::KeepAliveKind::none;
  start(account);
  run_for(1s);
  const auto exchanges = registrar.exchanges_to(tcp_primary);
  ASSERT_FALSE(exchanges.empty());
  EXPECT_FALSE(exchanges.front()->request.top_via().keep);
  // Still watched: a closed connection is noticed without pings.
  const auto* watch = only_watch(tcp_primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.method, FlowKeepAlive::Method::none);
}

TEST_F(RedundancyKeepAlive, ClosedConnectionOfADeadServerFailsOverInMilliseconds) {
  start(tcp_account());
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  registrar.at(tcp_primary).refuse();  // killed: a new connection is refused
  const auto lost_at = clock.now();
  registrar.lose_flow(tcp_primary,
                      FlowLoss{FailureKind::connection_reset, "reset: closed by peer"});
  run_for(1s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr) << trace(events, t0);
  EXPECT_LT(failover->at - lost_at, 100ms);
  EXPECT_EQ(failover->failure, FailureKind::refused);
  EXPECT_EQ(active(), 1U);
  // The dead flow is no longer watched; the backup's is.
  EXPECT_TRUE(registrar.active_watches(tcp_primary).empty());
  EXPECT_NE(only_watch(tcp_backup), nullptr);
}

TEST_F(RedundancyKeepAlive, ClosedConnectionOfALiveServerReRegistersThere) {
  start(tcp_account());
  run_for(1s);
  const std::size_t before = registers_at(tcp_primary);
  registrar.lose_flow(tcp_primary, FlowLoss{FailureKind::connection_reset, "closed by peer"});
  run_for(1s);
  EXPECT_EQ(registers_at(tcp_primary), before + 1);
  EXPECT_EQ(first(EventType::failover), nullptr) << trace(events, t0);
  EXPECT_EQ(active(), 0U);
  EXPECT_NE(only_watch(tcp_primary), nullptr);  // watched again after the 2xx
}

TEST_F(RedundancyKeepAlive, MissingPongFailsOverWithKeepAliveLost) {
  start(tcp_account());
  run_for(1s);
  registrar.at(tcp_primary).blackhole();
  registrar.lose_flow(tcp_primary,
                      FlowLoss{FailureKind::keepalive_lost, "timeout: keep-alive: no pong"});
  run_for(1s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr) << trace(events, t0);
  EXPECT_EQ(failover->failure, FailureKind::keepalive_lost);
  EXPECT_EQ(active(), 1U);
  EXPECT_EQ(engine->status().last_failure, FailureKind::keepalive_lost);
}

TEST_F(RedundancyKeepAlive, ConcurrentModeWatchesEveryBindingAndNoticesTheIdleOne) {
  auto account = tcp_account();
  account.redundancy = config::RedundancyType::concurrent;
  start(account);
  run_for(1s);
  ASSERT_EQ(active(), 0U);
  ASSERT_NE(only_watch(tcp_primary), nullptr);
  ASSERT_NE(only_watch(tcp_backup), nullptr);
  // The backup carries no traffic; its death is still noticed while idle.
  registrar.at(tcp_backup).refuse();
  registrar.lose_flow(tcp_backup, FlowLoss{FailureKind::keepalive_lost, "no pong"});
  run_for(1s);
  EXPECT_TRUE(registrar.active_watches(tcp_backup).empty());
  EXPECT_EQ(engine->status().last_failure, FailureKind::keepalive_lost);
  // And the primary's loss moves the account to nothing better: the backup is dead too.
  registrar.at(tcp_backup).answer_ok();
  run_for(2min);  // the backup lane retries and registers again
  EXPECT_NE(only_watch(tcp_backup), nullptr) << trace(events, t0);
  registrar.at(tcp_primary).refuse();
  registrar.lose_flow(tcp_primary, FlowLoss{FailureKind::keepalive_lost, "no pong"});
  run_for(1s);
  const Event* failover = first(EventType::failover);
  ASSERT_NE(failover, nullptr) << trace(events, t0);
  EXPECT_EQ(failover->failure, FailureKind::keepalive_lost);
  EXPECT_EQ(active(), 1U);
}

TEST_F(RedundancyKeepAlive, StopEndsEveryWatch) {
  start(tcp_account());
  run_for(1s);
  ASSERT_NE(only_watch(tcp_primary), nullptr);
  engine->stop();
  EXPECT_TRUE(registrar.active_watches(tcp_primary).empty());
  run_for(1min);
  EXPECT_TRUE(registrar.active_watches(tcp_primary).empty());
  EXPECT_TRUE(registrar.active_watches(tcp_backup).empty());
}

TEST_F(RedundancyKeepAlive, FailbackMovesTheWatchToThePrimary) {
  auto account = tcp_account();
  for (auto& s : account.servers) {
    s.failback_mode = config::FailbackMode::monitor;
  }
  account.failback = config::FailbackTuning{.probe_interval = 5, .good_probes = 1, .min_dwell = 1};
  registrar.at(tcp_primary).refuse();
  start(account);
  run_for(1s);
  ASSERT_EQ(active(), 1U);
  ASSERT_NE(only_watch(tcp_backup), nullptr);
  registrar.at(tcp_primary).answer_ok();
  run_for(1min);
  ASSERT_EQ(active(), 0U) << trace(events, t0);
  EXPECT_NE(only_watch(tcp_primary), nullptr);
  EXPECT_TRUE(registrar.active_watches(tcp_backup).empty());
}

TEST_F(RedundancyKeepAlive, UdpAutoUsesOptionsAndStunWhenChosen) {
  start(two_server_account());
  run_for(1s);
  const auto* watch = only_watch(primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.method, FlowKeepAlive::Method::none);
  run_for(31s);
  EXPECT_GE(options_to(primary), 1U);
}

TEST_F(RedundancyKeepAlive, CrlfPongTimeoutIsTheAccountsSetting) {
  auto account = tcp_account();
  account.keepalive.pong_timeout = 4;
  start(account);
  run_for(1s);
  const auto* watch = only_watch(tcp_primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.method, FlowKeepAlive::Method::crlf);
  EXPECT_EQ(watch->keepalive.pong_timeout, 4s);
}

// RFC 5626 §4.4.1 spirit: OPTIONS keep-alives, like CRLF and STUN ones, go
// out after 80-100 % of the interval, drawn anew for each.
TEST_F(RedundancyKeepAlive, OptionsIntervalIsJitteredDownToEightyPercent) {
  random_value = 0.0;  // the lowest draw: 80 %
  start(two_server_account());
  run_for(2min);
  const auto gaps = options_gaps(primary);
  ASSERT_GE(gaps.size(), 3U);
  for (const auto gap : gaps) EXPECT_EQ(gap, 24s);
}

TEST_F(RedundancyKeepAlive, OptionsIntervalStaysBelowTheFullInterval) {
  random_value = 0.999999;  // the highest draw: just under 100 %
  start(two_server_account());
  run_for(2min);
  const auto gaps = options_gaps(primary);
  ASSERT_GE(gaps.size(), 2U);
  for (const auto gap : gaps) {
    EXPECT_GT(gap, 29'999ms);
    EXPECT_LE(gap, 30s);
  }
}

TEST_F(RedundancyKeepAlive, StunOnUdpAndARebindingReRegisters) {
  auto account = two_server_account();
  account.keepalive.kind = config::KeepAliveKind::stun;
  account.keepalive.pong_timeout = 7;
  start(account);
  run_for(1s);
  const auto* watch = only_watch(primary);
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->keepalive.method, FlowKeepAlive::Method::stun);
  EXPECT_EQ(watch->keepalive.pong_timeout, 7s);
  run_for(5min);
  EXPECT_EQ(options_to(primary), 0U);
  const std::size_t before = registers_at(primary);
  FlowLoss rebound;
  rebound.rebinding = true;
  rebound.reason = "STUN mapped address is now 198.51.100.7:40000";
  registrar.lose_flow(primary, rebound);
  run_for(1s);
  EXPECT_EQ(registers_at(primary), before + 1);
  EXPECT_EQ(active(), 0U);
  EXPECT_EQ(first(EventType::failover), nullptr);
}

}  // namespace
}  // namespace sipline::reg::testing

// End to end: a registered account that sends nothing notices a dead primary
// by itself, through the keep-alive machinery (RFC 5626 §4.4), and fails
// over to the backup. Real `sipline run`, two real Kamailio registrars.
//
//  - TCP, primary killed: the kernel closes its connections; the FIN on the
//    idle flow triggers a re-registration at once, which is refused, and the
//    account fails over in milliseconds (it waited for the next refresh or
//    ping before: about 26 s).
//  - TCP, primary blackholed: the CRLF ping goes unanswered; the flow fails
//    after the keep-alive interval plus the 10 s pong timeout.
//  - UDP, primary blackholed: the STUN Binding keep-alive (Kamailio's stun
//    module answers it on the SIP port) goes unanswered; failover after the
//    interval plus the pong timeout.
//
// Times are from the fault to `registered` on the backup; they are reported
// to $SIPLINE_FAILOVER_REPORT like the other failover scenarios.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "daemon.hpp"
#include "harness.hpp"

#ifndef SIPLINE_BINARY
#error "SIPLINE_BINARY must name the sipline program"
#endif

namespace sipline::testing::kamailio {
namespace {

class IdleFailure : public ::testing::Test {
 protected:
  // Registers `spec_` (servers filled in here) on the primary.
  void start(Transport transport) {
    const std::string binary = SIPLINE_BINARY;
    const auto help = run_capture({binary, "run", "--help"}, 10s);
    if (!help || help->find("--control") == std::string::npos) {
      GTEST_SKIP() << binary << " has no `run` command in this build";
    }
    transport_ = transport;
    std::string error;
    const std::string password = random_alnum(16);
    const std::vector<Subscriber> users{{"alice", password}};
    primary_ = Registrar::start({.name = "primary", .address = "127.0.0.1", .subscribers = users},
                                dir_.path() / "primary", error);
    ASSERT_NE(primary_, nullptr) << error;
    backup_ = Registrar::start({.name = "backup", .address = "127.0.0.2", .subscribers = users},
                               dir_.path() / "backup", error);
    ASSERT_NE(backup_, nullptr) << error;
    spec_.password = password;
    spec_.servers = {{primary_->address(), primary_->port(), transport},
                     {backup_->address(), backup_->port(), transport}};
    // Long enough that no refresh happens during the test: only the
    // keep-alive machinery can notice the fault.
    spec_.registration_timeout = 600;
    // No failback during the measurement.
    spec_.probe_interval = 600;
    daemon_ = Daemon::start(binary, render_toml(spec_), dir_.path(), error);
    ASSERT_NE(daemon_, nullptr) << error;
    ASSERT_TRUE(daemon_->wait_for(is_event_at("registered", primary_->hostport()), 15s))
        << "not registered on the primary; events:\n"
        << daemon_->timeline() << "daemon log:\n"
        << daemon_->log_tail();
  }

  void TearDown() override {
    if (daemon_ && HasFailure()) {
      std::cerr << "events:\n" << daemon_->timeline() << "daemon log:\n" << daemon_->log_tail();
    }
    daemon_.reset();
    primary_.reset();
    backup_.reset();
  }

  // Milliseconds from `fault_at` to `registered` on the backup, or -1.
  double fault_to_backup(std::size_t from, WallTime fault_at, std::chrono::seconds timeout,
                         std::string* reason = nullptr) {
    const auto failover =
        daemon_->wait_for(is_event_at("failover", backup_->hostport()), timeout, from);
    EXPECT_TRUE(failover.has_value()) << "no failover; events:\n" << daemon_->timeline();
    if (!failover) return -1;
    if (reason != nullptr) *reason = lower(failover->json.dump());
    const auto registered =
        daemon_->wait_for(is_event_at("registered", backup_->hostport()), 10s, from);
    EXPECT_TRUE(registered.has_value()) << "events:\n" << daemon_->timeline();
    if (!registered) return -1;
    return ms_between(fault_at, registered->time);
  }

  TempDir dir_{"sipline-idle"};
  AccountSpec spec_;
  Transport transport_ = Transport::udp;
  std::unique_ptr<Registrar> primary_;
  std::unique_ptr<Registrar> backup_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(IdleFailure, IdleTcpPrimaryKilledFailsOverInMilliseconds) {
  spec_.keepalive_kind = "auto";
  spec_.keepalive_interval = 30;  // a ping would come far too late to matter
  start(Transport::tcp);
  if (IsSkipped() || HasFatalFailure()) return;
  std::this_thread::sleep_for(1s);  // idle
  const std::size_t from = daemon_->event_count();
  const WallTime fault_at = std::chrono::system_clock::now();
  primary_->stop();
  std::string reason;
  const double ms = fault_to_backup(from, fault_at, 10s, &reason);
  ASSERT_GE(ms, 0);
  std::cout << "[ measured ] idle tcp killed: fault -> registered on backup " << ms << " ms\n";
  report_measure("idle-killed", Transport::tcp, "idle", ms);
  EXPECT_LE(ms, 1000.0);
  // The re-registration's connection is refused, or reset by the dying
  // process's listener that still accepted it.
  EXPECT_TRUE(reason.find("refused") != std::string::npos ||
              reason.find("reset") != std::string::npos)
      << reason;
  EXPECT_EQ(backup_->live_bindings("alice"), std::optional<std::size_t>(1));
}

TEST_F(IdleFailure, IdleTcpPrimaryBlackholedIsNoticedByTheCrlfKeepAlive) {
  std::string error;
  auto blackhole = Blackhole::create(error);
  if (!blackhole) GTEST_SKIP() << error;
  spec_.keepalive_kind = "crlf";
  spec_.keepalive_interval = 3;
  start(Transport::tcp);
  if (IsSkipped() || HasFatalFailure()) return;
  const std::size_t from = daemon_->event_count();
  const WallTime fault_at = std::chrono::system_clock::now();
  ASSERT_TRUE(blackhole->drop(primary_->address(), primary_->port()));
  std::string reason;
  const double ms = fault_to_backup(from, fault_at, 40s, &reason);
  ASSERT_GE(ms, 0);
  std::cout << "[ measured ] idle tcp blackholed: fault -> registered on backup " << ms << " ms\n";
  report_measure("idle-blackhole", Transport::tcp, "idle", ms);
  // Interval (jittered 80-100 %) + 10 s pong timeout + the backup's REGISTER.
  EXPECT_LE(ms, (3 + 10 + 3) * 1000.0);
  EXPECT_GE(ms, 10 * 1000.0 - 500);  // the pong timeout had to run out
  EXPECT_NE(reason.find("keep-alive"), std::string::npos) << reason;
}

TEST_F(IdleFailure, IdleUdpPrimaryBlackholedIsNoticedByTheStunKeepAlive) {
  std::string error;
  auto blackhole = Blackhole::create(error);
  if (!blackhole) GTEST_SKIP() << error;
  spec_.keepalive_kind = "stun";
  spec_.keepalive_interval = 3;
  spec_.pong_timeout = 2;
  start(Transport::udp);
  if (IsSkipped() || HasFatalFailure()) return;
  // A few keep-alives answered by Kamailio's stun module: no failure.
  std::this_thread::sleep_for(7s);
  EXPECT_FALSE(daemon_->wait_for(is_event("failover"), 0s).has_value())
      << "answered STUN keep-alives must not fail the flow; events:\n"
      << daemon_->timeline();
  const std::size_t from = daemon_->event_count();
  const WallTime fault_at = std::chrono::system_clock::now();
  ASSERT_TRUE(blackhole->drop(primary_->address(), primary_->port()));
  std::string reason;
  const double ms = fault_to_backup(from, fault_at, 30s, &reason);
  ASSERT_GE(ms, 0);
  std::cout << "[ measured ] idle udp blackholed (STUN): fault -> registered on backup " << ms
            << " ms\n";
  report_measure("idle-blackhole-stun", Transport::udp, "idle", ms);
  // Interval + 2 s answer deadline + the backup's REGISTER.
  EXPECT_LE(ms, (3 + 2 + 3) * 1000.0);
  EXPECT_NE(reason.find("keep-alive"), std::string::npos) << reason;
}

}  // namespace
}  // namespace sipline::testing::kamailio

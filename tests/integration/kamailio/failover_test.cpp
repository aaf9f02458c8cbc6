// End to end: the real `sipline run` registered with two real Kamailio
// registrars (primary 127.0.0.1, backup 127.0.0.2, digest auth), faults
// injected for real, observed only through the events stream, `sipline
// status --json` and the registrars' location tables.
//
// Times are measured from the first request the UA sends to the failed
// primary (seen on the wire by a packet watch) to the `registered` event on
// the backup, and from the primary's return to `registered` on it again.
// The bounds asserted here are loose (a shared CI machine); exact figures come
// from scripts/bench-failover, which runs these same tests repeatedly with
// SIPLINE_FAILOVER_REPORT set to a file that receives one JSON line per run.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "daemon.hpp"
#include "harness.hpp"

#ifndef SIPLINE_BINARY
#error "SIPLINE_BINARY must name the sipline program"
#endif

namespace sipline::testing::kamailio {
namespace {

constexpr double kRefusedBoundMs = 500;
constexpr double kBlackholeBoundMs = 6000;

// Whether the daemon's status mentions `hostport` for a registered account:
// the exact JSON layout belongs to the daemon, so only the facts are checked.
bool status_shows_registered_on(const nlohmann::json& status, const std::string& account,
                                const std::string& hostport) {
  const std::string text = status.dump();
  return text.find('"' + account + '"') != std::string::npos &&
         text.find("registered") != std::string::npos && text.find(hostport) != std::string::npos;
}

class Failover : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    const std::string binary = SIPLINE_BINARY;
    // Until the daemon exists, `run --help` falls back to the top-level help.
    const auto help = run_capture({binary, "run", "--help"}, 10s);
    if (!help || help->find("--control") == std::string::npos) {
      GTEST_SKIP() << binary << " has no `run` command in this build";
    }
    std::string error;
    password_ = random_alnum(16);
    const std::vector<Subscriber> users{{"alice", password_}};
    primary_ = Registrar::start({.name = "primary", .address = "127.0.0.1", .subscribers = users},
                                dir_.path() / "primary", error);
    ASSERT_NE(primary_, nullptr) << error;
    backup_ = Registrar::start({.name = "backup", .address = "127.0.0.2", .subscribers = users},
                               dir_.path() / "backup", error);
    ASSERT_NE(backup_, nullptr) << error;

    spec_.password = password_;
    // These scenarios measure the retry_counts budget of a request: on TCP
    // the CRLF ping (10 s pong timeout) must not notice a blackhole before
    // the refresh does. idle_failure_test.cpp measures the keep-alives.
    if (GetParam() == Transport::tcp) spec_.keepalive_interval = 60;
    spec_.servers = {{primary_->address(), primary_->port(), GetParam()},
                     {backup_->address(), backup_->port(), GetParam()}};
    daemon_ = Daemon::start(binary, render_toml(spec_), dir_.path(), error);
    ASSERT_NE(daemon_, nullptr) << error;
    ASSERT_TRUE(daemon_->wait_for(is_event_at("registered", primary_->hostport()), 15s))
        << "not registered on the primary; events:\n"
        << daemon_->timeline() << "daemon log:\n"
        << daemon_->log_tail();
  }

  void TearDown() override {
    // SIPLINE_IT_VERBOSE=1 shows the timeline of passing runs too.
    if (daemon_ && (HasFailure() || verbose_requested())) {
      std::cerr << "events:\n"
                << daemon_->timeline() << "daemon log:\n"
                << daemon_->log_tail() << "primary log:\n"
                << primary_->log_tail(10) << "backup log:\n"
                << backup_->log_tail(10);
    }
    daemon_.reset();
    primary_.reset();
    backup_.reset();
  }

  std::string failure_context() const { return "events:\n" + daemon_->timeline(); }

  // Waits for `registered` on the backup after event `from`; returns the
  // failover time in ms from the first request to the dead primary (or from
  // `fault_at` when the transport reported the failure without a request).
  double expect_failover(std::size_t from, WallTime fault_at, const PacketWatch& watch,
                         std::chrono::seconds timeout) {
    std::size_t failover_index = 0;
    const auto failover = daemon_->wait_for(is_event_at("failover", backup_->hostport()), timeout,
                                            from, &failover_index);
    EXPECT_TRUE(failover.has_value()) << "no failover to the backup; " << failure_context();
    if (!failover) return -1;
    EXPECT_FALSE(failover->reason.empty()) << "a failover must say why";
    const auto registered =
        daemon_->wait_for(is_event_at("registered", backup_->hostport()), 10s, from);
    EXPECT_TRUE(registered.has_value()) << "failover without registration; " << failure_context();
    if (!registered) return -1;
    WallTime start = fault_at;
    if (const auto first = watch.first(); first && *first < registered->time) start = *first;
    // How long the fault went unnoticed: until the UA's next request (a
    // refresh or keep-alive) or the transport's own report.
    detection_ms_ = ms_between(fault_at, start);
    return ms_between(start, registered->time);
  }

  // Restores the primary with `restore`, then waits for `registered` on it
  // and for the backup's binding to go; returns the failback time in ms.
  double expect_failback(const std::function<void()>& restore) {
    const std::size_t from = daemon_->event_count();
    restore();
    const WallTime back_at = std::chrono::system_clock::now();
    const auto wait = std::chrono::seconds(spec_.probe_interval * spec_.good_probes + 15);
    const auto registered =
        daemon_->wait_for(is_event_at("registered", primary_->hostport()), wait, from);
    EXPECT_TRUE(registered.has_value())
        << "no registration on the returned primary; " << failure_context();
    if (!registered) return -1;
    EXPECT_TRUE(daemon_->wait_for(is_event_at("failback", primary_->hostport()), 5s, from))
        << "registered on the primary without a failback event; " << failure_context();
    // Make-before-break: the backup's binding is removed once the primary has one.
    EXPECT_TRUE(daemon_->wait_for(is_event_at("unregistered", backup_->hostport()), 10s, from))
        << "the backup binding was not removed; " << failure_context();
    return ms_between(back_at, registered->time);
  }

  void expect_bindings(std::size_t on_primary, std::size_t on_backup) {
    EXPECT_EQ(primary_->live_bindings("alice"), std::optional<std::size_t>(on_primary))
        << "primary";
    EXPECT_EQ(backup_->live_bindings("alice"), std::optional<std::size_t>(on_backup)) << "backup";
  }

  void expect_status_on(const std::string& hostport) {
    std::string raw;
    const auto status = daemon_->status_json(&raw);
    ASSERT_TRUE(status.has_value()) << "sipline status --json failed or printed no JSON: " << raw;
    EXPECT_TRUE(status_shows_registered_on(*status, spec_.name, hostport)) << status->dump(2);
  }

  // SIGTERM: every binding removed, `unregistered` reported, exit status 0.
  void expect_clean_shutdown(Registrar& registered_with) {
    const std::size_t from = daemon_->event_count();
    const auto status = daemon_->terminate(40s);
    ASSERT_EQ(status, std::optional<int>(0)) << daemon_->log_tail();
    EXPECT_TRUE(
        daemon_->wait_for(is_event_at("unregistered", registered_with.hostport()), 1s, from))
        << failure_context();
    EXPECT_EQ(registered_with.live_bindings("alice"), std::optional<std::size_t>(0));
  }

  std::chrono::seconds detection_wait() const {
    // The failure is noticed at the next refresh or keep-alive at the latest.
    return std::chrono::seconds(spec_.registration_timeout + spec_.keepalive_interval + 40);
  }

  double detection_ms_ = -1;
  TempDir dir_{"sipline-failover"};
  std::string password_;
  AccountSpec spec_;
  std::unique_ptr<Registrar> primary_;
  std::unique_ptr<Registrar> backup_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_P(Failover, RegistersOnThePrimaryAndUnregistersOnSigterm) {
  expect_bindings(1, 0);
  expect_status_on(primary_->hostport());
  expect_clean_shutdown(*primary_);
}

TEST_P(Failover, RefusedPrimaryFailsOverThenFailsBack) {
  std::string error;
  auto watch = PacketWatch::start(primary_->address(), primary_->port(), GetParam(), error);
  ASSERT_NE(watch, nullptr) << error;
  const std::size_t from = daemon_->event_count();
  watch->arm();
  const WallTime fault_at = std::chrono::system_clock::now();
  primary_->stop();  // the whole group: ICMP port unreachable / RST from now on

  const double failover_ms = expect_failover(from, fault_at, *watch, detection_wait());
  ASSERT_GE(failover_ms, 0);
  const auto failover = daemon_->wait_for(is_event("failover"), 1s, from);
  ASSERT_TRUE(failover.has_value());
  // Over TCP the killed primary's FIN makes sipline re-register at once; the
  // dying process's listener may still take that connection and reset it,
  // so the reason is the refusal or the reset.
  const std::string why = lower(failover->json.dump());
  EXPECT_TRUE(why.find("refused") != std::string::npos || why.find("reset") != std::string::npos)
      << "the failover reason should name the refusal: " << failover->json.dump();
  EXPECT_LE(failover_ms, kRefusedBoundMs);
  report_measure("refused", GetParam(), "failover", failover_ms);
  report_measure("refused", GetParam(), "detection", detection_ms_);
  expect_bindings(0, 1);
  expect_status_on(backup_->hostport());

  const double failback_ms = expect_failback([&] {
    std::string restart_error;
    ASSERT_TRUE(primary_->restart(restart_error)) << restart_error;
  });
  ASSERT_GE(failback_ms, 0);
  EXPECT_LE(failback_ms, (spec_.probe_interval * spec_.good_probes + 3) * 1000.0);
  report_measure("refused", GetParam(), "failback", failback_ms);
  expect_bindings(1, 0);
  expect_status_on(primary_->hostport());
  expect_clean_shutdown(*primary_);
}

TEST_P(Failover, BlackholedPrimaryFailsOverThenFailsBack) {
  std::string error;
  auto blackhole = Blackhole::create(error);
  if (!blackhole) GTEST_SKIP() << error;
  auto watch = PacketWatch::start(primary_->address(), primary_->port(), GetParam(), error);
  ASSERT_NE(watch, nullptr) << error;
  const std::size_t from = daemon_->event_count();
  watch->arm();
  const WallTime fault_at = std::chrono::system_clock::now();
  ASSERT_TRUE(blackhole->drop(primary_->address(), primary_->port()));

  const double failover_ms = expect_failover(from, fault_at, *watch, detection_wait());
  ASSERT_GE(failover_ms, 0);
  EXPECT_LE(failover_ms, kBlackholeBoundMs);
  report_measure("blackhole", GetParam(), "failover", failover_ms);
  report_measure("blackhole", GetParam(), "detection", detection_ms_);
  // The primary still holds the binding it granted before the fault (nobody
  // could remove it while unreachable, and it expires on its own); the
  // backup must hold exactly one.
  EXPECT_EQ(backup_->live_bindings("alice"), std::optional<std::size_t>(1));
  expect_status_on(backup_->hostport());

  const double failback_ms = expect_failback([&] { ASSERT_TRUE(blackhole->restore()); });
  ASSERT_GE(failback_ms, 0);
  EXPECT_LE(failback_ms, (spec_.probe_interval * spec_.good_probes + 3) * 1000.0);
  report_measure("blackhole", GetParam(), "failback", failback_ms);
  // The new binding replaced the stale one (same instance / Contact).
  expect_bindings(1, 0);
  expect_status_on(primary_->hostport());
  expect_clean_shutdown(*primary_);
}

std::string transport_name(const ::testing::TestParamInfo<Transport>& param) {
  return std::string(to_string(param.param));
}

INSTANTIATE_TEST_SUITE_P(Kamailio, Failover, ::testing::Values(Transport::udp, Transport::tcp),
                         transport_name);

}  // namespace
}  // namespace sipline::testing::kamailio

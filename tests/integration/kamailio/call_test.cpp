// Calls end to end: the real `sipline run` places and receives calls through
// real Kamailio proxies (registrar.cfg, route[PROXY]) with digest auth, and
// SIPp plays the far end. Driven only through the CLI (`sipline call`,
// `answer`, `hangup`) and checked on the JSON events.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "daemon.hpp"
#include "harness.hpp"

namespace sipline::testing::kamailio {
namespace {

struct Line {
  std::string name;
  std::string user;
  std::string password;
};

// Accounts on `servers` (primary first), UDP, short timers.
std::string calls_toml(const std::vector<Line>& lines,
                       const std::vector<const Registrar*>& servers) {
  std::ostringstream out;
  out << "[sip]\nlisten_address = \"127.0.0.1\"\nlisten_port = 0\n";
  for (const auto& l : lines) {
    out << "\n[[account]]\n"
        << "name = \"" << l.name << "\"\n"
        << "username = \"" << l.user << "\"\n"
        << "password = \"" << l.password << "\"\n"
        << "domain = \"sipline.test\"\n"
        << "registration_timeout = 60\n"
        << "redundancy = \"successive\"\n"
        << "\n[account.keepalive]\nkind = \"options\"\ninterval = 30\n";
    for (const Registrar* r : servers) {
      out << "\n[[account.server]]\n"
          << "address = \"" << r->address() << "\"\n"
          << "port = " << r->port() << "\n"
          << "transport = \"udp\"\n"
          << "retry_counts = 1\n"
          << "invite_retry_counts = 1\n";
    }
  }
  return out.str();
}

Daemon::Predicate call_event(std::string type, std::string account = {}) {
  return [type = std::move(type), account = std::move(account)](const DaemonEvent& e) {
    return e.type == type && (account.empty() || e.account == account);
  };
}

class Calls : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = SIPLINE_BINARY;
    const auto help = run_capture({binary_, "call", "--help"}, 10s);
    if (!help || help->find("URI") == std::string::npos) {
      GTEST_SKIP() << binary_ << " has no `call` command in this build";
    }
    if (find_program("sipp").empty()) GTEST_SKIP() << "sipp not installed (package sip-tester)";
    users_ = {{"alice", "alice", random_alnum(16)}, {"bob", "bob", random_alnum(16)}};
  }

  void TearDown() override {
    if (daemon_ && (HasFailure() || verbose_requested())) {
      std::cerr << "events:\n" << daemon_->timeline() << "daemon log:\n" << daemon_->log_tail(60);
      if (primary_) std::cerr << "primary log:\n" << primary_->log_tail(30);
    }
  }

  std::unique_ptr<Registrar> start_registrar(const std::string& name, const std::string& address) {
    std::vector<Subscriber> subscribers;
    for (const auto& u : users_) subscribers.push_back({u.user, u.password});
    std::string error;
    auto r = Registrar::start({.name = name, .address = address, .subscribers = subscribers},
                              dir_.path() / name, error);
    EXPECT_NE(r, nullptr) << error;
    return r;
  }

  // Starts the daemon with `lines` and waits until each is registered.
  void start_daemon(const std::vector<Line>& lines, const std::vector<const Registrar*>& servers) {
    std::string error;
    daemon_ = Daemon::start(binary_, calls_toml(lines, servers), dir_.path(), error);
    ASSERT_NE(daemon_, nullptr) << error;
    for (const auto& l : lines) {
      ASSERT_TRUE(daemon_->wait_for(
          [&](const DaemonEvent& e) { return e.type == "registered" && e.account == l.name; }, 15s))
          << l.name << " not registered";
    }
  }

  // `sipline ARGS... --control SOCKET`; its stdout, or nullopt on failure.
  std::optional<std::string> cli(std::vector<std::string> args) {
    args.insert(args.begin(), binary_);
    args.push_back("--control");
    args.push_back(daemon_->control().string());
    auto out = run_capture(args, 10s);
    if (out) {
      while (!out->empty() && (out->back() == '\n' || out->back() == ' ')) out->pop_back();
    }
    return out;
  }

  // A SIPp peer on 127.0.0.1 with a free port, running built-in `scenario`
  // (UDP), started once the port is bound. The port is free a moment before
  // SIPp binds it; when another process (a test running alongside) takes it
  // first, SIPp exits with "Unable to bind main socket" and is started again
  // on another port, five attempts in all.
  std::optional<Process> sipp(const std::string& scenario, const std::vector<std::string>& extra,
                              std::uint16_t& port) {
    const auto log = dir_.path() / ("sipp-" + scenario + ".log");
    for (int attempt = 1;; ++attempt) {
      auto p = free_port("127.0.0.1");
      if (!p) return std::nullopt;
      port = *p;
      std::vector<std::string> argv = {
          find_program("sipp"), "-sn", scenario, "-i",      "127.0.0.1", "-p",
          std::to_string(port), "-m",  "1",      "-nostdin"};
      argv.insert(argv.end(), extra.begin(), extra.end());
      auto process = Process::start(argv, log, dir_.path());
      if (!process) return process;
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      while (!udp_port_held("127.0.0.1", port) && process->running() &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
      }
      // The port may be held by the other process, not by SIPp, which then
      // fails to bind it at once: give that failure time to show.
      std::this_thread::sleep_for(50ms);
      std::ostringstream text;
      text << std::ifstream(log).rdbuf();
      if (process->running() || attempt == 5 ||
          text.str().find("Unable to bind") == std::string::npos) {
        return process;
      }
      std::filesystem::remove(log);
    }
  }

  std::string binary_;
  TempDir dir_{"sipline-call"};
  std::vector<Line> users_;
  std::unique_ptr<Registrar> primary_;
  std::unique_ptr<Registrar> backup_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(Calls, SiplineCallsASippUasAndHangsUp) {
  primary_ = start_registrar("primary", "127.0.0.1");
  ASSERT_NE(primary_, nullptr);
  std::uint16_t sipp_port = 0;
  auto uas = sipp("uas", {}, sipp_port);
  ASSERT_TRUE(uas.has_value());
  start_daemon({users_[0]}, {primary_.get()});

  const auto id =
      cli({"call", "--account", "alice", "sip:service@127.0.0.1:" + std::to_string(sipp_port)});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, "c1");
  // The proxy challenges (407); sipline answers once with alice's password.
  // The first answer: normally the 180, but SIPp sends 180 and 200 back to
  // back and the proxy's UDP workers may deliver the 200 first.
  auto ringing = daemon_->wait_for(
      [](const DaemonEvent& e) {
        return (e.type == "call_ringing" || e.type == "call_answered") && e.account == "alice";
      },
      10s);
  ASSERT_TRUE(ringing.has_value());
  EXPECT_EQ(ringing->json.value("call", ""), "c1");
  EXPECT_EQ(ringing->server.find(primary_->address()), 4u) << ringing->server;
  auto answered = daemon_->wait_for(call_event("call_answered", "alice"), 10s);
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->json.value("peer", ""), "sip:service@127.0.0.1:" + std::to_string(sipp_port));

  const auto status = cli({"status", "--json"});
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(status->find("\"established\""), std::string::npos) << *status;

  ASSERT_TRUE(cli({"hangup"}).has_value());  // the only call
  auto ended = daemon_->wait_for(call_event("call_ended", "alice"), 10s);
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->reason, "local hangup");
  // SIPp got its BYE and exits 0 (one call, successful).
  EXPECT_EQ(uas->wait_exit(10s), 0);
}

TEST_F(Calls, SippUacCallsSiplineAnsweredByTheCliThenHangsUp) {
  primary_ = start_registrar("primary", "127.0.0.1");
  ASSERT_NE(primary_, nullptr);
  start_daemon({users_[0]}, {primary_.get()});
  std::uint16_t sipp_port = 0;
  // SIPp sends INVITE sip:alice@proxy, which finds alice in its location
  // table; after the call is up it waits 1 s and sends BYE.
  auto uac = sipp("uac", {primary_->hostport(), "-s", "alice", "-d", "1000"}, sipp_port);
  ASSERT_TRUE(uac.has_value());

  auto incoming = daemon_->wait_for(call_event("call_incoming", "alice"), 10s);
  ASSERT_TRUE(incoming.has_value());
  const std::string id = incoming->json.value("call", "");
  EXPECT_FALSE(id.empty());
  ASSERT_TRUE(cli({"answer"}).has_value());  // the newest ringing call
  auto answered = daemon_->wait_for(call_event("call_answered", "alice"), 10s);
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->json.value("call", ""), id);
  auto ended = daemon_->wait_for(call_event("call_ended", "alice"), 10s);
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->reason, "remote hangup");
  EXPECT_EQ(uac->wait_exit(10s), 0);
}

TEST_F(Calls, TwoAccountsCallEachOtherThroughTheProxyWithDigest) {
  primary_ = start_registrar("primary", "127.0.0.1");
  ASSERT_NE(primary_, nullptr);
  start_daemon(users_, {primary_.get()});

  const auto id = cli({"call", "--account", "alice", "sip:bob@sipline.test"});
  ASSERT_TRUE(id.has_value());
  auto incoming = daemon_->wait_for(call_event("call_incoming", "bob"), 10s);
  ASSERT_TRUE(incoming.has_value()) << "bob never rang";
  EXPECT_EQ(incoming->json.value("peer", ""), "sip:alice@sipline.test");
  ASSERT_TRUE(daemon_->wait_for(call_event("call_ringing", "alice"), 10s).has_value());
  ASSERT_TRUE(cli({"answer", incoming->json.value("call", "")}).has_value());
  ASSERT_TRUE(daemon_->wait_for(call_event("call_answered", "alice"), 10s).has_value());
  ASSERT_TRUE(daemon_->wait_for(call_event("call_answered", "bob"), 10s).has_value());

  // Bob hangs up: his BYE reaches alice through the proxy's Record-Route.
  ASSERT_TRUE(cli({"hangup", incoming->json.value("call", "")}).has_value());
  auto alice_end = daemon_->wait_for(call_event("call_ended", "alice"), 10s);
  ASSERT_TRUE(alice_end.has_value());
  EXPECT_EQ(alice_end->reason, "remote hangup");
  auto bob_end = daemon_->wait_for(call_event("call_ended", "bob"), 10s);
  ASSERT_TRUE(bob_end.has_value());
  EXPECT_EQ(bob_end->reason, "local hangup");
}

TEST_F(Calls, InviteFailsOverToTheBackupWhenThePrimaryIsDown) {
  primary_ = start_registrar("primary", "127.0.0.1");
  ASSERT_NE(primary_, nullptr);
  backup_ = start_registrar("backup", "127.0.0.2");
  ASSERT_NE(backup_, nullptr);
  std::uint16_t sipp_port = 0;
  auto uas = sipp("uas", {}, sipp_port);
  ASSERT_TRUE(uas.has_value());
  start_daemon({users_[0]}, {primary_.get(), backup_.get()});

  primary_->stop();  // refused: ICMP port unreachable
  const auto id = cli({"call", "sip:service@127.0.0.1:" + std::to_string(sipp_port)});
  ASSERT_TRUE(id.has_value());
  auto answered = daemon_->wait_for(call_event("call_answered", "alice"), 15s);
  ASSERT_TRUE(answered.has_value()) << "the call did not go through the backup";
  EXPECT_NE(answered->server.find(backup_->address()), std::string::npos) << answered->server;
  // The INVITE goes to the backup as soon as the primary refuses it (the
  // engine is asked for a route avoiding the primary), not once the account
  // has re-registered there: the backup rings within a few milliseconds of
  // the failure the engine reports.
  auto failover = daemon_->wait_for(
      [](const DaemonEvent& e) { return e.type == "failover" && e.account == "alice"; }, 1s);
  // The first answer from the backup's side: normally the 180, but SIPp
  // sends its 180 and 200 back to back and the proxy's UDP workers may
  // deliver the 200 first, after which the 180 is rightly ignored.
  auto ringing = daemon_->wait_for(
      [](const DaemonEvent& e) {
        return (e.type == "call_ringing" || e.type == "call_answered") && e.account == "alice";
      },
      1s);
  ASSERT_TRUE(failover.has_value());
  ASSERT_TRUE(ringing.has_value());
  const auto retry_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ringing->time - failover->time).count();
  EXPECT_LT(retry_ms, 1000) << "the backup rang " << retry_ms << " ms after the primary failed";
  if (verbose_requested()) {
    std::cerr << "INVITE failover: backup ringing " << retry_ms << " ms after the failure\n";
  }
  ASSERT_TRUE(cli({"hangup", *id}).has_value());
  ASSERT_TRUE(daemon_->wait_for(call_event("call_ended", "alice"), 10s).has_value());
  EXPECT_EQ(uas->wait_exit(10s), 0);
}

}  // namespace
}  // namespace sipline::testing::kamailio

// Exchanges with SIPp as the peer (package sip-tester): UDP and TCP (and TLS
// when SIPp was built with it; Debian's is not, so TLS with a real peer is in
// tls_peer_test.cpp), a UAS that never answers, and a stopped peer.
// SIPp needs an explicit port: one is picked by binding port 0 and releasing
// it (see free_port for the small race). Every SIPp process is killed when
// its test ends, pass or fail.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::testing {
namespace {

using sip::Target;
using sip::TransportKind;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Feeds a transport's events into a transaction layer.
class LayerEvents : public transport::TransportEvents {
 public:
  explicit LayerEvents(txn::TransactionLayer& layer) : layer_(layer) {}
  void on_message(sip::Message message, const Target& source, const Target&) override {
    layer_.on_message(std::move(message), source);
  }
  void on_transport_error(const Target& target, const transport::TransportFailure& f) override {
    failures.push_back(f);
    layer_.on_transport_error(target, f.reason);
  }
  std::vector<transport::TransportFailure> failures;

 private:
  txn::TransactionLayer& layer_;
};

class SippTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sipp_ = find_program("sipp");
    if (sipp_.empty()) GTEST_SKIP() << "sipp is not installed (Debian package sip-tester)";
    ASSERT_FALSE(dir.path().empty());
  }

  // Starts SIPp as a UAS on 127.0.0.1 and waits until its port is bound.
  // The port is found free before SIPp starts, so another process (a
  // connection of a test running alongside) can take it first; SIPp then
  // exits with "Unable to bind main socket" and is started again on another
  // free port, five attempts in all.
  std::optional<ChildProcess> start_sipp(const std::string& scenario, TransportKind kind,
                                         const std::vector<std::string>& extra = {}) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
      auto child = start_sipp_once(scenario, kind, extra);
      if (!child || child->running() || attempt == kAttempts ||
          log().find("Unable to bind") == std::string::npos) {
        return child;
      }
      std::filesystem::remove(dir.path() / "sipp.log");
      std::filesystem::remove(dir.path() / "messages.log");
    }
  }

  std::optional<ChildProcess> start_sipp_once(const std::string& scenario, TransportKind kind,
                                              const std::vector<std::string>& extra) {
    port = free_port(kind);
    if (port == 0) return std::nullopt;
    const std::string mode = kind == TransportKind::udp   ? "u1"
                             : kind == TransportKind::tcp ? "t1"
                                                          : "l1";
    std::vector<std::string> argv = {sipp_,
                                     "-sf",
                                     std::string(SIPLINE_SIPP_SCENARIO_DIR) + "/" + scenario,
                                     "-i",
                                     "127.0.0.1",
                                     "-bind_local",
                                     "-p",
                                     std::to_string(port),
                                     "-t",
                                     mode,
                                     "-m",
                                     "1",
                                     "-nostdin",
                                     "-timeout",
                                     "40s",
                                     "-trace_msg",
                                     "-message_file",
                                     (dir.path() / "messages.log").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = ChildProcess::start(argv, dir.path() / "sipp.log", dir.path());
    if (!child) return std::nullopt;
    // TLS is listened on TCP.
    const TransportKind probe =
        kind == TransportKind::udp ? TransportKind::udp : TransportKind::tcp;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!port_taken(probe, port) && child->running() &&
           std::chrono::steady_clock::now() < deadline) {
      loop.run_for(10ms);
    }
    // The port may be taken by the other process rather than by SIPp, which
    // then fails to bind it at once: give that failure time to show.
    loop.run_for(50ms);
    return child;
  }

  Target sipp_target(TransportKind kind, std::string name = {}) const {
    return Target{kind, "127.0.0.1", port, std::move(name)};
  }

  std::string log() const { return read_file(dir.path() / "sipp.log"); }
  std::string messages() const { return read_file(dir.path() / "messages.log"); }

  std::string sipp_;
  TempDir dir;
  runtime::EventLoop loop;
  Recorder events;
  std::uint16_t port = 0;
};

transport::TransportOptions udp_local() {
  transport::TransportOptions options;
  options.listen.push_back(Target{TransportKind::udp, "127.0.0.1", 0, {}});
  return options;
}

TEST_F(SippTest, UdpOptionsAnswered) {
  auto sipp = start_sipp("uas_options.xml", TransportKind::udp);
  ASSERT_TRUE(sipp && sipp->running()) << log();
  auto t = start_transport(loop, udp_local(), events);
  ASSERT_TRUE(t);
  const Target to = sipp_target(TransportKind::udp);
  ASSERT_TRUE(
      t->send_bytes(request_text("OPTIONS", to, bound(*t, TransportKind::udp), "sippudp"), to));
  ASSERT_TRUE(
      loop.run_until([&] { return events.responses() == 1 || !events.failures.empty(); }, 5s))
      << log();
  ASSERT_TRUE(events.failures.empty()) << describe(events.failures[0].failure);
  EXPECT_EQ(events.messages[0].message.status_code(), 200);
  EXPECT_EQ(events.messages[0].source, to);
  EXPECT_EQ(events.messages[0].message.header("Server"), "sipp-uas");
  EXPECT_EQ(sipp->wait_exit(5s), 0) << log();
}

TEST_F(SippTest, TcpOptionsAnswered) {
  auto sipp = start_sipp("uas_options.xml", TransportKind::tcp);
  ASSERT_TRUE(sipp && sipp->running()) << log();
  auto t = start_transport(loop, {}, events);
  ASSERT_TRUE(t);
  const Target to = sipp_target(TransportKind::tcp);
  const Target via{TransportKind::tcp, "127.0.0.1", 5060, {}};
  ASSERT_TRUE(t->send_bytes(request_text("OPTIONS", to, via, "sipptcp"), to));
  ASSERT_TRUE(
      loop.run_until([&] { return events.responses() == 1 || !events.failures.empty(); }, 5s))
      << log();
  ASSERT_TRUE(events.failures.empty()) << describe(events.failures[0].failure);
  EXPECT_EQ(events.messages[0].message.status_code(), 200);
  EXPECT_EQ(events.messages[0].source, to);
  EXPECT_EQ(sipp->wait_exit(5s), 0) << log();
}

TEST_F(SippTest, TlsOptionsAnswered) {
  const auto certs = make_certificates(dir.path());
  if (!certs) GTEST_SKIP() << "the openssl command-line tool is needed to make test certificates";
  auto sipp = start_sipp(
      "uas_options.xml", TransportKind::tls,
      {"-tls_cert", certs->server_cert.string(), "-tls_key", certs->server_key.string()});
  ASSERT_TRUE(sipp);
  if (!sipp->running() && log().find("compile SIPp with OpenSSL") != std::string::npos) {
    // Debian's sip-tester is built without OpenSSL. TLS against a real SIP
    // peer is covered by KamailioTlsTest (tls_peer_test.cpp).
    GTEST_SKIP() << "this sipp was built without TLS support; see KamailioTlsTest for TLS";
  }
  ASSERT_TRUE(sipp->running()) << log();
  transport::TransportOptions options;
  options.tls.ca_file = certs->ca_cert.string();
  auto t = start_transport(loop, options, events);
  ASSERT_TRUE(t);
  const Target to = sipp_target(TransportKind::tls, "sip.test");
  ASSERT_TRUE(t->send_bytes(request_text("OPTIONS", to, to, "sipptls"), to));
  ASSERT_TRUE(
      loop.run_until([&] { return events.responses() == 1 || !events.failures.empty(); }, 5s));
  ASSERT_TRUE(events.failures.empty()) << describe(events.failures[0].failure);
  EXPECT_EQ(events.messages[0].message.status_code(), 200);
}

TEST_F(SippTest, SilentUasEndsTheTransactionWithTimeoutAfterTheBudget) {
  auto sipp = start_sipp("uas_silent.xml", TransportKind::udp);
  ASSERT_TRUE(sipp && sipp->running()) << log();

  auto t = std::make_unique<transport::SocketTransport>(loop, udp_local());
  ASSERT_TRUE(t->start());
  std::mt19937_64 rng(std::random_device{}());
  txn::TransactionLayer layer(loop, *t, [&rng] { return rng(); });
  LayerEvents forward(layer);
  t->set_events(&forward);

  txn::TimerConfig timers;
  timers.t1 = 500ms;
  timers.retransmit_budget = 3;
  const Target to = sipp_target(TransportKind::udp);
  const std::string branch = layer.new_branch();
  std::optional<txn::EndReason> ended;
  std::optional<std::chrono::steady_clock::duration> took;
  const auto begin = std::chrono::steady_clock::now();
  txn::ClientCallbacks callbacks;
  callbacks.on_terminated = [&](txn::EndReason reason) {
    ended = reason;
    took = std::chrono::steady_clock::now() - begin;
  };
  auto id = layer.send_request(
      request_message("OPTIONS", to, bound(*t, TransportKind::udp), branch.substr(7)), to,
      callbacks, timers);
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(loop.run_until([&] { return ended.has_value(); }, 15s));

  EXPECT_EQ(*ended, txn::EndReason::timeout);
  report_ms("sipp_silent_uas_timeout", *took);
  // Sends at 0, 0.5, 1.5 and 3.5 s; the timeout when the next would be due.
  EXPECT_GE(*took, 7400ms);
  EXPECT_LT(*took, 8500ms);
  EXPECT_TRUE(forward.failures.empty());
  // SIPp saw the first send and all three retransmissions.
  loop.run_for(100ms);
  EXPECT_EQ(count(messages(), "OPTIONS sip:127.0.0.1"), 4u) << messages();
}

TEST_F(SippTest, StoppedUdpPeerIsRefusedWithinMilliseconds) {
  auto sipp = start_sipp("uas_options.xml", TransportKind::udp);
  ASSERT_TRUE(sipp && sipp->running()) << log();
  auto t = std::make_unique<transport::SocketTransport>(loop, udp_local());
  ASSERT_TRUE(t->start());
  std::mt19937_64 rng(std::random_device{}());
  txn::TransactionLayer layer(loop, *t, [&rng] { return rng(); });
  LayerEvents forward(layer);
  t->set_events(&forward);
  const Target to = sipp_target(TransportKind::udp);
  const Target from = bound(*t, TransportKind::udp);

  // First the peer is alive and answers.
  std::optional<txn::EndReason> first;
  int final_status = 0;
  txn::ClientCallbacks ok_callbacks;
  ok_callbacks.on_response = [&](const sip::Message& r) { final_status = r.status_code(); };
  ok_callbacks.on_terminated = [&](txn::EndReason reason) { first = reason; };
  const std::string b1 = layer.new_branch();
  ASSERT_TRUE(
      layer.send_request(request_message("OPTIONS", to, from, b1.substr(7)), to, ok_callbacks));
  ASSERT_TRUE(loop.run_until([&] { return final_status != 0; }, 5s)) << log();
  EXPECT_EQ(final_status, 200);

  // Then it is stopped: the next request ends `refused` on the ICMP report.
  sipp->kill();
  std::optional<txn::EndReason> second;
  std::optional<std::chrono::steady_clock::duration> took;
  txn::ClientCallbacks dead_callbacks;
  const auto begin = std::chrono::steady_clock::now();
  dead_callbacks.on_terminated = [&](txn::EndReason reason) {
    second = reason;
    took = std::chrono::steady_clock::now() - begin;
  };
  const std::string b2 = layer.new_branch();
  ASSERT_TRUE(
      layer.send_request(request_message("OPTIONS", to, from, b2.substr(7)), to, dead_callbacks));
  ASSERT_TRUE(loop.run_until([&] { return second.has_value(); }, 5s));
  EXPECT_EQ(*second, txn::EndReason::refused);
  report_ms("sipp_udp_refused", *took);
  EXPECT_LT(*took, 100ms);
  ASSERT_FALSE(forward.failures.empty());
  EXPECT_EQ(forward.failures.back().detail, "ICMP port unreachable");
}

TEST_F(SippTest, StoppedTcpPeerIsReportedAndThenRefused) {
  auto sipp = start_sipp("uas_options.xml", TransportKind::tcp);
  ASSERT_TRUE(sipp && sipp->running()) << log();
  auto t = start_transport(loop, {}, events);
  ASSERT_TRUE(t);
  const Target to = sipp_target(TransportKind::tcp);
  ASSERT_TRUE(t->send_bytes(request_text("OPTIONS", to, to, "tcpalive"), to));
  ASSERT_TRUE(loop.run_until([&] { return events.responses() == 1; }, 5s)) << log();
  ASSERT_TRUE(t->has_connection(to));

  // The flow we opened dies with the process...
  sipp->kill();
  ASSERT_TRUE(loop.run_until([&] { return !events.failures.empty(); }, 2s));
  EXPECT_EQ(events.failures[0].target, to);
  EXPECT_EQ(events.failures[0].failure.reason, sip::TransportError::reset);
  EXPECT_FALSE(t->has_connection(to));

  // ...and a new connection attempt is refused at once.
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(t->send_bytes(request_text("OPTIONS", to, to, "tcpdead"), to));
  ASSERT_TRUE(loop.run_until([&] { return events.failures.size() == 2; }, 2s));
  EXPECT_EQ(events.failures[1].failure.reason, sip::TransportError::refused);
  report_ms("sipp_tcp_refused", events.failures[1].at - begin);
  EXPECT_LT(events.failures[1].at - begin, 100ms);
}

}  // namespace
}  // namespace sipline::testing

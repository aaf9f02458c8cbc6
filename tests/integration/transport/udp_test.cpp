// UDP on loopback between two SocketTransports, and against closed ports.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace sipline::testing {
namespace {

using sip::Target;
using sip::TransportKind;

transport::TransportOptions udp_on(const std::string& address) {
  transport::TransportOptions options;
  options.listen.push_back(Target{TransportKind::udp, address, 0, {}});
  return options;
}

class UdpTest : public ::testing::Test {
 protected:
  runtime::EventLoop loop;
  Recorder a_events;
  Recorder b_events;
};

TEST_F(UdpTest, RequestAndResponseUseOneSocketEachWay) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  auto b = start_transport(loop, udp_on("127.0.0.1"), b_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  const Target a_addr = bound(*a, TransportKind::udp);
  const Target b_addr = bound(*b, TransportKind::udp);
  ASSERT_NE(a_addr.port, 0);

  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, a_addr, "udp1"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return a_events.responses() == 1; }, 2s));

  ASSERT_EQ(b_events.messages.size(), 1u);
  // Symmetric: the request came from the very socket A receives on.
  EXPECT_EQ(b_events.messages[0].source, a_addr);
  EXPECT_EQ(b_events.messages[0].local, b_addr);
  EXPECT_EQ(b_events.messages[0].message.method(), sip::Method::options);
  const auto& reply = a_events.messages[0];
  EXPECT_EQ(reply.message.status_code(), 200);
  EXPECT_EQ(reply.source, b_addr);
  EXPECT_EQ(reply.message.call_id(), "udp1@sipline.test");
  EXPECT_TRUE(a_events.failures.empty());
}

TEST_F(UdpTest, TransactionLayerSinkSendsParsedMessages) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  auto b = start_transport(loop, udp_on("127.0.0.1"), b_events);
  ASSERT_TRUE(a && b);
  const Target a_addr = bound(*a, TransportKind::udp);
  const Target b_addr = bound(*b, TransportKind::udp);
  sip::TransportSink& sink = *a;
  const auto sent = sink.send(request_message("MESSAGE", b_addr, a_addr, "sink1"), b_addr);
  EXPECT_TRUE(sent.ok());
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  EXPECT_EQ(b_events.messages[0].message.method(), sip::Method::message);
}

TEST_F(UdpTest, IcmpPortUnreachableIsReportedAsRefusedWithinMilliseconds) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  ASSERT_TRUE(a);
  const std::uint16_t closed = free_port(TransportKind::udp);
  ASSERT_NE(closed, 0);
  const Target dead{TransportKind::udp, "127.0.0.1", closed, {}};

  const auto sent_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      a->send_bytes(request_text("REGISTER", dead, bound(*a, TransportKind::udp), "icmp1"), dead));
  ASSERT_TRUE(loop.run_until([&] { return !a_events.failures.empty(); }, 2s));

  const auto& f = a_events.failures[0];
  EXPECT_EQ(f.target, dead);
  EXPECT_EQ(f.failure.reason, sip::TransportError::refused);
  EXPECT_EQ(f.failure.detail, "ICMP port unreachable");
  report_ms("udp_icmp_refused", f.at - sent_at);
  EXPECT_LT(f.at - sent_at, 100ms);
}

TEST_F(UdpTest, EachRefusedDestinationIsNamed) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  ASSERT_TRUE(a);
  const Target from = bound(*a, TransportKind::udp);
  std::vector<Target> dead;
  for (int i = 0; i < 3; ++i) {
    dead.push_back(Target{TransportKind::udp, "127.0.0.1", free_port(TransportKind::udp), {}});
  }
  for (const auto& t : dead)
    ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", t, from, "many"), t));
  ASSERT_TRUE(loop.run_until([&] { return a_events.failures.size() >= 3; }, 2s));
  for (const auto& t : dead) {
    bool seen = false;
    for (const auto& f : a_events.failures) seen = seen || f.target == t;
    EXPECT_TRUE(seen) << "no report for port " << t.port;
  }
  // And the socket still works afterwards.
  auto b = start_transport(loop, udp_on("127.0.0.1"), b_events);
  ASSERT_TRUE(b);
  const Target b_addr = bound(*b, TransportKind::udp);
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, from, "after"), b_addr));
  EXPECT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
}

TEST_F(UdpTest, Ipv6RefusedAndExchange) {
  Recorder probe;
  transport::SocketTransport v6(loop, udp_on("::1"));
  if (!v6.start()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  v6.set_events(&a_events);
  auto b = start_transport(loop, udp_on("::1"), b_events);
  ASSERT_TRUE(b);
  const Target from = bound(v6, TransportKind::udp);
  const Target b_addr = bound(*b, TransportKind::udp);
  EXPECT_EQ(b_addr.address, "::1");
  ASSERT_TRUE(v6.send_bytes(request_text("OPTIONS", b_addr, from, "v6a"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  EXPECT_EQ(b_events.messages[0].source, from);

  const Target dead{TransportKind::udp, "::1", free_port(TransportKind::udp, "::1"), {}};
  const auto sent_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(v6.send_bytes(request_text("OPTIONS", dead, from, "v6b"), dead));
  ASSERT_TRUE(loop.run_until([&] { return !a_events.failures.empty(); }, 2s));
  EXPECT_EQ(a_events.failures[0].target, dead);
  EXPECT_EQ(a_events.failures[0].failure.reason, sip::TransportError::refused);
  report_ms("udp6_icmp_refused", a_events.failures[0].at - sent_at);
  EXPECT_LT(a_events.failures[0].at - sent_at, 100ms);
}

TEST_F(UdpTest, MalformedDatagramsAreDroppedAndCounted) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  auto b = start_transport(loop, udp_on("127.0.0.1"), b_events);
  ASSERT_TRUE(a && b);
  const Target a_addr = bound(*a, TransportKind::udp);
  const Target b_addr = bound(*b, TransportKind::udp);
  // Content-Length beyond the datagram, no start line, and stray CRLFs.
  std::string too_short = request_text("OPTIONS", b_addr, a_addr, "bad1");
  too_short.replace(too_short.find("Content-Length: 0"), 17, "Content-Length: 99");
  ASSERT_TRUE(a->send_bytes(too_short, b_addr));
  ASSERT_TRUE(a->send_bytes("garbage\r\n\r\n", b_addr));
  ASSERT_TRUE(a->send_bytes("\r\n\r\n", b_addr));
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, a_addr, "good"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  EXPECT_EQ(b_events.messages[0].message.call_id(), "good@sipline.test");
  EXPECT_EQ(b->stats().malformed_datagrams, 2u);
}

class CountingStun : public transport::StunHandler {
 public:
  void on_stun(std::span<const std::uint8_t> datagram, const Target& source,
               const Target& local) override {
    sizes.push_back(datagram.size());
    sources.push_back(source);
    locals.push_back(local);
  }
  std::vector<std::size_t> sizes;
  std::vector<Target> sources;
  std::vector<Target> locals;
};

TEST_F(UdpTest, StunDatagramsGoToTheHook) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  auto b = start_transport(loop, udp_on("127.0.0.1"), b_events);
  ASSERT_TRUE(a && b);
  CountingStun stun;
  b->set_stun_handler(&stun);
  // A STUN Binding request header (RFC 5389 §6): type 0x0001, length 0,
  // magic cookie, 96-bit transaction id.
  std::string binding("\x00\x01\x00\x00\x21\x12\xa4\x42", 8);
  binding += std::string(12, '\x07');
  const Target b_addr = bound(*b, TransportKind::udp);
  ASSERT_TRUE(a->send_bytes(binding, b_addr));
  ASSERT_TRUE(loop.run_until([&] { return !stun.sizes.empty(); }, 2s));
  EXPECT_EQ(stun.sizes[0], 20u);
  EXPECT_EQ(stun.sources[0], bound(*a, TransportKind::udp));
  EXPECT_EQ(stun.locals[0], b_addr);
  EXPECT_TRUE(b_events.messages.empty());
  EXPECT_EQ(b->stats().malformed_datagrams, 0u);
}

TEST_F(UdpTest, ImmediateErrorsAreTyped) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  ASSERT_TRUE(a);
  const auto not_numeric = a->send_bytes("x", Target{TransportKind::udp, "sip.test", 5060, {}});
  ASSERT_FALSE(not_numeric);
  EXPECT_EQ(not_numeric.failure().reason, sip::TransportError::unreachable);
  const auto no_v6 = a->send_bytes("x", Target{TransportKind::udp, "::1", 5060, {}});
  ASSERT_FALSE(no_v6);
  EXPECT_EQ(no_v6.failure().detail, "no IPv6 UDP socket");
  const std::string huge(70000, 'A');
  const auto too_big = a->send_bytes(huge, Target{TransportKind::udp, "127.0.0.1", 9, {}});
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.failure().reason, sip::TransportError::unreachable);
}

TEST_F(UdpTest, WildcardBindReportsTheRoutedSourceAddress) {
  auto a = start_transport(loop, udp_on("0.0.0.0"), a_events);
  ASSERT_TRUE(a);
  const Target any = bound(*a, TransportKind::udp);
  EXPECT_EQ(any.address, "0.0.0.0");
  const auto local = a->local_address_for(Target{TransportKind::udp, "127.0.0.1", 5060, {}});
  ASSERT_TRUE(local);
  EXPECT_EQ(local->address, "127.0.0.1");
  EXPECT_EQ(local->port, any.port);
}

TEST_F(UdpTest, StartFailsCleanlyOnABusyPort) {
  auto a = start_transport(loop, udp_on("127.0.0.1"), a_events);
  ASSERT_TRUE(a);
  transport::TransportOptions clash;
  clash.listen.push_back(bound(*a, TransportKind::udp));
  transport::SocketTransport b(loop, clash);
  const auto started = b.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("cannot bind UDP"), std::string::npos);
  EXPECT_TRUE(b.local_addresses().empty());
}

}  // namespace
}  // namespace sipline::testing

// TCP on loopback: connection reuse in both directions, refused and timed-out
// connects, resets, idle close, and RFC 5626 keep-alives.

#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/asio_access.hpp"
#include "support.hpp"

namespace sipline::testing {
namespace {

using sip::Target;
using sip::TransportKind;

transport::TransportOptions tcp_listener() {
  transport::TransportOptions options;
  options.listen.push_back(Target{TransportKind::tcp, "127.0.0.1", 0, {}});
  return options;
}

class TcpTest : public ::testing::Test {
 protected:
  runtime::EventLoop loop;
  Recorder a_events;
  Recorder b_events;
  asio::io_context& io = runtime::io_context_of(loop);
};

TEST_F(TcpTest, ResponseReturnsOnTheRequestsConnection) {
  auto a = start_transport(loop, {}, a_events);
  auto b = start_transport(loop, tcp_listener(), b_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  const Target b_addr = bound(*b, TransportKind::tcp);
  const Target via{TransportKind::tcp, "127.0.0.1", 5060, {}};

  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, via, "tcp1"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return a_events.responses() == 1; }, 2s));
  ASSERT_EQ(b_events.messages.size(), 1u);
  // B answered to the source of the connection, which A opened: one
  // connection each side, no second one towards A's (absent) listener.
  EXPECT_EQ(b->stats().tcp_connections, 1u);
  EXPECT_EQ(a->stats().tcp_connections, 1u);
  EXPECT_EQ(a_events.messages[0].source, b_addr);
  EXPECT_EQ(a_events.messages[0].local, b_events.messages[0].source);

  // Reuse: a second request goes over the same connection.
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, via, "tcp2"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return a_events.responses() == 2; }, 2s));
  EXPECT_EQ(b_events.messages[1].source, b_events.messages[0].source);
  EXPECT_EQ(a->stats().tcp_connections, 1u);
  EXPECT_TRUE(a_events.failures.empty());
  EXPECT_TRUE(b_events.failures.empty());
}

TEST_F(TcpTest, Ipv6Exchange) {
  transport::TransportOptions v6;
  v6.listen.push_back(Target{TransportKind::tcp, "::1", 0, {}});
  transport::SocketTransport b(loop, v6);
  if (!b.start()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  b.set_events(&b_events);
  b_events.answer_with = &b;
  auto a = start_transport(loop, {}, a_events);
  ASSERT_TRUE(a);
  const Target b_addr = bound(b, TransportKind::tcp);
  EXPECT_EQ(b_addr.address, "::1");
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, b_addr, "tcp6"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return a_events.responses() == 1; }, 2s));
  EXPECT_EQ(a_events.messages[0].source, b_addr);
  EXPECT_EQ(b_events.messages[0].source.address, "::1");
  const auto local = a->local_address_for(b_addr);
  ASSERT_TRUE(local);
  EXPECT_EQ(*local, a_events.messages[0].local);
}

TEST_F(TcpTest, InboundConnectionCarriesRequestsToo) {
  auto a = start_transport(loop, {}, a_events);
  auto b = start_transport(loop, tcp_listener(), b_events);
  ASSERT_TRUE(a && b);
  const Target b_addr = bound(*b, TransportKind::tcp);
  ASSERT_TRUE(a->send_bytes(request_text("REGISTER", b_addr, b_addr, "in1"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  // B sends a new request (think: an incoming call) back over the flow.
  const Target a_flow = b_events.messages[0].source;
  ASSERT_TRUE(b->has_connection(a_flow));
  ASSERT_TRUE(b->send_bytes(request_text("INVITE", a_flow, b_addr, "in2"), a_flow));
  ASSERT_TRUE(loop.run_until([&] { return a_events.requests() == 1; }, 2s));
  EXPECT_EQ(a_events.messages[0].message.method(), sip::Method::invite);
  EXPECT_EQ(b->stats().tcp_connections, 1u);
}

TEST_F(TcpTest, ConnectionRefusedIsReportedWellUnder100ms) {
  auto a = start_transport(loop, {}, a_events);
  ASSERT_TRUE(a);
  const Target dead{TransportKind::tcp, "127.0.0.1", free_port(TransportKind::tcp), {}};
  const auto sent_at = std::chrono::steady_clock::now();
  // Queued: the connect result is not known yet.
  ASSERT_TRUE(a->send_bytes(request_text("REGISTER", dead, dead, "refused"), dead));
  ASSERT_TRUE(loop.run_until([&] { return !a_events.failures.empty(); }, 2s));
  const auto& f = a_events.failures[0];
  EXPECT_EQ(f.target, dead);
  EXPECT_EQ(f.failure.reason, sip::TransportError::refused);
  EXPECT_EQ(f.failure.detail, "connection refused");
  report_ms("tcp_connect_refused", f.at - sent_at);
  EXPECT_LT(f.at - sent_at, 100ms);
  EXPECT_FALSE(a->has_connection(dead));
}

TEST_F(TcpTest, ConnectTimeout) {
  // A listener whose accept queue is full drops further SYNs, so a connect
  // to it neither completes nor fails.
  asio::ip::tcp::acceptor full(io);
  full.open(asio::ip::tcp::v4());
  full.bind(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  full.listen(0);
  const auto endpoint = full.local_endpoint();
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> fillers;
  for (int i = 0; i < 4; ++i) {
    fillers.push_back(std::make_unique<asio::ip::tcp::socket>(io));
    fillers.back()->async_connect(endpoint, [](const std::error_code&) {});
  }
  loop.run_for(50ms);

  transport::TransportOptions options;
  options.connect_timeout = 300ms;
  auto a = start_transport(loop, options, a_events);
  ASSERT_TRUE(a);
  const Target target{TransportKind::tcp, "127.0.0.1", endpoint.port(), {}};
  const auto sent_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", target, target, "slow"), target));
  ASSERT_TRUE(loop.run_until([&] { return !a_events.failures.empty(); }, 3s));
  const auto& f = a_events.failures[0];
  EXPECT_EQ(f.failure.reason, sip::TransportError::timeout);
  EXPECT_EQ(f.failure.detail, "connect timed out after 300 ms");
  EXPECT_GE(f.at - sent_at, 290ms);
  EXPECT_LT(f.at - sent_at, 2s);
}

TEST_F(TcpTest, ResetByPeerIsReported) {
  asio::ip::tcp::acceptor acceptor(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::tcp::socket peer(io);
  bool accepted = false;
  acceptor.async_accept(peer, [&](const std::error_code& ec) { accepted = !ec; });

  auto a = start_transport(loop, {}, a_events);
  ASSERT_TRUE(a);
  const Target target{TransportKind::tcp, "127.0.0.1", acceptor.local_endpoint().port(), {}};
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", target, target, "rst"), target));
  ASSERT_TRUE(loop.run_until([&] { return accepted; }, 2s));
  // Linger 0 turns close() into an RST.
  peer.set_option(asio::socket_base::linger(true, 0));
  peer.close();
  ASSERT_TRUE(loop.run_until([&] { return !a_events.failures.empty(); }, 2s));
  EXPECT_EQ(a_events.failures[0].target, target);
  EXPECT_EQ(a_events.failures[0].failure.reason, sip::TransportError::reset);
  EXPECT_FALSE(a->has_connection(target));
}

TEST_F(TcpTest, IdleConnectionsCloseQuietly) {
  transport::TransportOptions quick;
  quick.idle_timeout = 200ms;
  auto a = start_transport(loop, quick, a_events);
  transport::TransportOptions listener = tcp_listener();
  listener.idle_timeout = 10s;
  auto b = start_transport(loop, listener, b_events);
  ASSERT_TRUE(a && b);
  const Target b_addr = bound(*b, TransportKind::tcp);
  ASSERT_TRUE(a->send_bytes(request_text("OPTIONS", b_addr, b_addr, "idle"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  EXPECT_EQ(a->stats().tcp_connections, 1u);
  // A closes after 200 ms of silence; B sees the close of an inbound flow
  // that owed nothing and stays quiet too.
  ASSERT_TRUE(loop.run_until(
      [&] { return a->stats().tcp_connections == 0 && b->stats().tcp_connections == 0; }, 3s));
  EXPECT_TRUE(a_events.failures.empty());
  EXPECT_TRUE(b_events.failures.empty());
}

TEST_F(TcpTest, KeepAlivePingsAreAnsweredWithPongs) {
  transport::TransportOptions options;
  options.keepalive_min_fraction = 1.0;
  auto a = start_transport(loop, options, a_events);
  auto b = start_transport(loop, tcp_listener(), b_events);
  ASSERT_TRUE(a && b);
  const Target b_addr = bound(*b, TransportKind::tcp);
  const Target unknown{TransportKind::tcp, "127.0.0.1", 1, {}};
  EXPECT_EQ(a->start_keepalive(unknown, 100ms).error().code, Errc::not_found);

  ASSERT_TRUE(a->send_bytes(request_text("REGISTER", b_addr, b_addr, "ka"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  ASSERT_TRUE(a->start_keepalive(b_addr, 100ms));
  ASSERT_TRUE(loop.run_until([&] { return a_events.pongs.size() >= 3; }, 3s));
  EXPECT_EQ(a_events.pongs[0], b_addr);
  EXPECT_TRUE(a_events.failures.empty());
  // The pings are not messages.
  EXPECT_EQ(b_events.messages.size(), 1u);
  a->stop_keepalive(b_addr);
}

TEST_F(TcpTest, SilentPeerFailsTheKeepAlive) {
  // Accepts and reads, but never answers a ping.
  asio::ip::tcp::acceptor acceptor(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::tcp::socket peer(io);
  acceptor.async_accept(peer, [](const std::error_code&) {});

  transport::TransportOptions options;
  options.pong_timeout = 300ms;
  options.keepalive_min_fraction = 1.0;
  auto a = start_transport(loop, options, a_events);
  ASSERT_TRUE(a);
  const Target target{TransportKind::tcp, "127.0.0.1", acceptor.local_endpoint().port(), {}};
  ASSERT_TRUE(a->send_bytes(request_text("REGISTER", target, target, "deaf"), target));
  ASSERT_TRUE(a->start_keepalive(target, 100ms));
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop.run_until([&] { return !a_events.failures.empty(); }, 3s));
  EXPECT_EQ(a_events.failures[0].failure.reason, sip::TransportError::timeout);
  EXPECT_EQ(a_events.failures[0].failure.detail, "keep-alive: no pong within 300 ms");
  EXPECT_GE(a_events.failures[0].at - begin, 390ms);
  EXPECT_FALSE(a->has_connection(target));
}

TEST_F(TcpTest, SegmentedAndPipelinedStreamIsReassembled) {
  auto b = start_transport(loop, tcp_listener(), b_events);
  ASSERT_TRUE(b);
  const Target b_addr = bound(*b, TransportKind::tcp);
  asio::ip::tcp::socket raw(io);
  raw.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), b_addr.port));
  const std::string both = "\r\n" + request_text("OPTIONS", b_addr, b_addr, "p1") +
                           request_text("OPTIONS", b_addr, b_addr, "p2");
  // Byte by byte through the event loop, then the rest in one go.
  for (std::size_t i = 0; i < 40; ++i) {
    asio::write(raw, asio::buffer(both.data() + i, 1));
    loop.run_for(1ms);
  }
  asio::write(raw, asio::buffer(both.data() + 40, both.size() - 40));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 2; }, 2s));
  EXPECT_EQ(b_events.messages[0].message.call_id(), "p1@sipline.test");
  EXPECT_EQ(b_events.messages[1].message.call_id(), "p2@sipline.test");
}

TEST_F(TcpTest, FramingErrorClosesTheConnection) {
  auto b = start_transport(loop, tcp_listener(), b_events);
  ASSERT_TRUE(b);
  const Target b_addr = bound(*b, TransportKind::tcp);
  asio::ip::tcp::socket raw(io);
  raw.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), b_addr.port));
  std::string bad = request_text("OPTIONS", b_addr, b_addr, "cl");
  bad.insert(bad.find("Content-Length"), "Content-Length: -1\r\n");
  asio::write(raw, asio::buffer(bad));
  // The peer sees the connection closed.
  char byte = 0;
  std::optional<std::error_code> read_result;
  raw.async_read_some(asio::buffer(&byte, 1),
                      [&](const std::error_code& ec, std::size_t) { read_result = ec; });
  ASSERT_TRUE(loop.run_until([&] { return read_result.has_value(); }, 2s));
  EXPECT_EQ(*read_result, asio::error::eof);
  EXPECT_EQ(b->stats().tcp_connections, 0u);
  EXPECT_TRUE(b_events.messages.empty());
  EXPECT_TRUE(b_events.failures.empty());
}

TEST_F(TcpTest, ConnectionLimitRejectsExtraInbound) {
  transport::TransportOptions options = tcp_listener();
  options.max_connections = 1;
  auto b = start_transport(loop, options, b_events);
  ASSERT_TRUE(b);
  const auto endpoint = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                bound(*b, TransportKind::tcp).port);
  asio::ip::tcp::socket first(io);
  asio::ip::tcp::socket second(io);
  first.connect(endpoint);
  second.connect(endpoint);
  ASSERT_TRUE(loop.run_until([&] { return b->stats().rejected_connections == 1; }, 2s));
  EXPECT_EQ(b->stats().tcp_connections, 1u);
}

}  // namespace
}  // namespace sipline::testing

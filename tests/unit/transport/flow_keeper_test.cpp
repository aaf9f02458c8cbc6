// FlowKeeper on a ManualClock over a fake Transport: which keep-alive runs
// on which flow, STUN timing (jitter, retransmissions, the answer deadline),
// answers matched by transaction id, NAT rebinding, and failures reported
// once, never from inside watch() and never after unwatch().

#include "transport/flow_keeper.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/manual_clock.hpp"

namespace sipline::transport {
namespace {

using namespace std::chrono_literals;

class FakeTransport final : public Transport {
 public:
  void set_events(TransportEvents*) override {}
  SendOutcome send_bytes(std::string_view bytes, const sip::Target& to) override {
    sent.push_back({std::string(bytes), to});
    return {};
  }
  Result<void> start_keepalive(const sip::Target& flow, runtime::Duration interval) override {
    if (!has_connection) return fail(Errc::not_found, "no tcp connection");
    started.push_back({flow, interval});
    return ok();
  }
  void stop_keepalive(const sip::Target& flow) override { stopped.push_back(flow); }
  Result<sip::Target> local_address_for(const sip::Target&) const override {
    return sip::Target{sip::TransportKind::udp, "127.0.0.1", 5060, {}};
  }

  struct Sent {
    std::string bytes;
    sip::Target to;
  };
  std::vector<Sent> sent;
  std::vector<std::pair<sip::Target, runtime::Duration>> started;
  std::vector<sip::Target> stopped;
  bool has_connection = true;
};

const sip::Target kUdp{sip::TransportKind::udp, "192.0.2.1", 5060, {}};
const sip::Target kTcp{sip::TransportKind::tcp, "192.0.2.1", 5060, {}};

stun::TransactionId transaction_of(const std::string& bytes) {
  stun::TransactionId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(bytes[8 + i]);
  return id;
}

// A Binding success response for `id` mapping us to address:port.
std::vector<std::uint8_t> answer(const stun::TransactionId& id, std::array<std::uint8_t, 4> address,
                                 std::uint16_t port) {
  std::vector<std::uint8_t> out{0x01, 0x01, 0x00, 0x0C, 0x21, 0x12, 0xA4, 0x42};
  out.insert(out.end(), id.begin(), id.end());
  const auto xport = static_cast<std::uint16_t>(port ^ 0x2112);
  const std::uint8_t attr[] = {0x00,
                               0x20,
                               0x00,
                               0x08,
                               0x00,
                               0x01,
                               static_cast<std::uint8_t>(xport >> 8),
                               static_cast<std::uint8_t>(xport & 0xFF),
                               static_cast<std::uint8_t>(address[0] ^ 0x21),
                               static_cast<std::uint8_t>(address[1] ^ 0x12),
                               static_cast<std::uint8_t>(address[2] ^ 0xA4),
                               static_cast<std::uint8_t>(address[3] ^ 0x42)};
  out.insert(out.end(), std::begin(attr), std::end(attr));
  return out;
}

class FlowKeeperTest : public ::testing::Test {
 protected:
  FlowProbe stun_probe(runtime::Duration interval = 30s, runtime::Duration timeout = 10s) {
    return FlowProbe{FlowProbe::Method::stun, interval, timeout};
  }
  std::uint64_t watch(const sip::Target& flow, const FlowProbe& probe) {
    return keeper.watch(flow, probe, [this](const FlowEvent& e) { events.push_back(e); });
  }
  void answer_last(std::array<std::uint8_t, 4> address = {198, 51, 100, 7},
                   std::uint16_t port = 40000) {
    ASSERT_FALSE(transport.sent.empty());
    const auto bytes = answer(transaction_of(transport.sent.back().bytes), address, port);
    keeper.on_stun(bytes, kUdp, kUdp);
  }

  runtime::ManualClock clock;
  FakeTransport transport;
  FlowKeeper keeper{transport, clock, 42};
  std::vector<FlowEvent> events;
};

TEST_F(FlowKeeperTest, CrlfIsTheConnectionsOwnPingPong) {
  const auto id = watch(kTcp, FlowProbe{FlowProbe::Method::crlf, 25s, 10s});
  ASSERT_EQ(transport.started.size(), 1U);
  EXPECT_EQ(transport.started[0].second, 25s);
  keeper.unwatch(id);
  ASSERT_EQ(transport.stopped.size(), 1U);
  EXPECT_EQ(transport.stopped[0], kTcp);
}

TEST_F(FlowKeeperTest, CrlfOnAMissingConnectionIsReportedLaterNotInsideWatch) {
  transport.has_connection = false;
  watch(kTcp, FlowProbe{FlowProbe::Method::crlf, 25s, 10s});
  EXPECT_TRUE(events.empty());
  clock.run_due();
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, FlowEvent::Kind::failed);
  EXPECT_EQ(events[0].failure.reason, sip::TransportError::reset);
}

TEST_F(FlowKeeperTest, ConnectionClosedByThePeerIsReportedOnce) {
  watch(kTcp, FlowProbe{FlowProbe::Method::none, {}, {}});
  keeper.on_transport_error(kTcp, {sip::TransportError::reset, "connection closed by peer"});
  keeper.on_transport_error(kTcp, {sip::TransportError::reset, "again"});
  ASSERT_EQ(events.size(), 1U);
  EXPECT_FALSE(events[0].keepalive);
  EXPECT_EQ(events[0].failure.reason, sip::TransportError::reset);
}

TEST_F(FlowKeeperTest, MissingCrlfPongIsAKeepAliveFailure) {
  watch(kTcp, FlowProbe{FlowProbe::Method::crlf, 25s, 10s});
  keeper.on_transport_error(kTcp, {sip::TransportError::timeout, "keep-alive: no pong"});
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].keepalive);
}

TEST_F(FlowKeeperTest, ErrorsOfOtherFlowsAreIgnored) {
  watch(kTcp, FlowProbe{FlowProbe::Method::none, {}, {}});
  keeper.on_transport_error(sip::Target{sip::TransportKind::tcp, "192.0.2.2", 5060, {}},
                            {sip::TransportError::reset, "x"});
  keeper.on_transport_error(kUdp, {sip::TransportError::refused, "x"});
  EXPECT_TRUE(events.empty());
}

TEST_F(FlowKeeperTest, StunRequestsAreJitteredBetween80And100PercentOfTheInterval) {
  watch(kUdp, stun_probe(30s));
  runtime::TimePoint last = clock.now();
  for (int i = 0; i < 20; ++i) {
    const std::size_t before = transport.sent.size();
    while (transport.sent.size() == before) clock.advance(100ms);
    const auto gap = clock.now() - last;
    EXPECT_GE(gap, 24s);
    EXPECT_LE(gap, 30s + 100ms);
    last = clock.now();
    answer_last();
  }
  EXPECT_TRUE(events.empty());
}

TEST_F(FlowKeeperTest, UnansweredStunIsRetransmittedThenFailsAtTheDeadline) {
  watch(kUdp, stun_probe(30s, 10s));
  while (transport.sent.empty()) clock.advance(10ms);
  ASSERT_EQ(transport.sent.size(), 1U);
  const auto first_id = transaction_of(transport.sent[0].bytes);
  const auto sent_at = clock.now();
  // RFC 5389 §7.2.1 retransmissions at +0.5, +1.5, +3.5, +7.5 s.
  clock.advance(9s);
  EXPECT_EQ(transport.sent.size(), 5U);
  for (const auto& s : transport.sent) EXPECT_EQ(transaction_of(s.bytes), first_id);
  EXPECT_TRUE(events.empty());
  clock.advance_to(sent_at + 10s);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, FlowEvent::Kind::failed);
  EXPECT_TRUE(events[0].keepalive);
  EXPECT_EQ(events[0].failure.reason, sip::TransportError::timeout);
  // Inert afterwards.
  const auto sent = transport.sent.size();
  clock.advance(5min);
  EXPECT_EQ(transport.sent.size(), sent);
}

TEST_F(FlowKeeperTest, AnswerWithAnotherTransactionIdDoesNotCount) {
  watch(kUdp, stun_probe(30s, 10s));
  clock.advance(30s);
  auto bytes = answer(stun::TransactionId{9, 9, 9}, {198, 51, 100, 7}, 40000);
  keeper.on_stun(bytes, kUdp, kUdp);
  clock.advance(10s);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_TRUE(events[0].keepalive);
}

TEST_F(FlowKeeperTest, ChangedMappedAddressIsARebinding) {
  watch(kUdp, stun_probe(30s));
  clock.advance(30s);
  answer_last({198, 51, 100, 7}, 40000);
  clock.advance(30s);
  answer_last({198, 51, 100, 7}, 40000);
  EXPECT_TRUE(events.empty());
  clock.advance(30s);
  answer_last({198, 51, 100, 7}, 41234);  // the NAT gave us a new port
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, FlowEvent::Kind::rebound);
  EXPECT_EQ(events[0].mapped.port, 41234);
}

TEST_F(FlowKeeperTest, IcmpRefusedOnTheUdpFlowFailsIt) {
  watch(kUdp, stun_probe());
  keeper.on_transport_error(kUdp, {sip::TransportError::refused, "ICMP port unreachable"});
  ASSERT_EQ(events.size(), 1U);
  EXPECT_FALSE(events[0].keepalive);
  EXPECT_EQ(events[0].failure.reason, sip::TransportError::refused);
}

TEST_F(FlowKeeperTest, NothingAfterUnwatch) {
  const auto id = watch(kUdp, stun_probe(30s, 10s));
  clock.advance(30s);
  keeper.unwatch(id);
  clock.advance(5min);
  keeper.on_transport_error(kUdp, {sip::TransportError::refused, "x"});
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(keeper.watching(), 0U);
}

}  // namespace
}  // namespace sipline::transport

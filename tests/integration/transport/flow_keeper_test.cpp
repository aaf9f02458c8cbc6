// FlowKeeper on real sockets: a registrar-side peer that closes its TCP
// connection is noticed at once; STUN keep-alives on the UDP socket are
// demultiplexed from SIP, answered by a peer and matched; a peer that stops
// answering, or goes away (ICMP port unreachable), fails the flow.

#include "transport/flow_keeper.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <memory>
#include <vector>

#include "support.hpp"
#include "transport/stun_codec.hpp"

namespace sipline::testing {
namespace {

using sip::Target;
using sip::TransportKind;

// Forwards transport errors to the keeper as the user agent does.
class KeeperEvents final : public transport::TransportEvents {
 public:
  explicit KeeperEvents(Recorder& recorder) : recorder_(recorder) {}
  transport::FlowKeeper* keeper = nullptr;
  void on_message(sip::Message message, const Target& source, const Target& local) override {
    recorder_.on_message(std::move(message), source, local);
  }
  void on_transport_error(const Target& target,
                          const transport::TransportFailure& failure) override {
    recorder_.on_transport_error(target, failure);
    if (keeper != nullptr) keeper->on_transport_error(target, failure);
  }

 private:
  Recorder& recorder_;
};

// Answers Binding requests with XOR-MAPPED-ADDRESS = the source it saw.
class StunResponder final : public transport::StunHandler {
 public:
  transport::Transport* transport = nullptr;
  bool answering = true;
  int requests = 0;
  void on_stun(std::span<const std::uint8_t> datagram, const Target& source,
               const Target&) override {
    auto request = transport::stun::decode(datagram);
    if (!request || request->message_class != transport::stun::Class::request) return;
    ++requests;
    if (!answering || transport == nullptr) return;
    std::vector<std::uint8_t> out{0x01, 0x01, 0x00, 0x0C, 0x21, 0x12, 0xA4, 0x42};
    out.insert(out.end(), request->transaction.begin(), request->transaction.end());
    const auto port = static_cast<std::uint16_t>(source.port ^ 0x2112);
    out.insert(out.end(),
               {0x00, 0x20, 0x00, 0x08, 0x00, 0x01, static_cast<std::uint8_t>(port >> 8),
                static_cast<std::uint8_t>(port & 0xFF), 127 ^ 0x21, 0 ^ 0x12, 0 ^ 0xA4, 1 ^ 0x42});
    (void)transport->send_bytes(
        std::string_view(reinterpret_cast<const char*>(out.data()), out.size()), source);
  }
};

class FlowKeeperLoopback : public ::testing::Test {
 protected:
  runtime::EventLoop loop;
  Recorder a_events;
  Recorder b_events;
  KeeperEvents a_upcalls{a_events};
  std::vector<transport::FlowEvent> flow_events;
};

TEST_F(FlowKeeperLoopback, PeerClosingAnIdleTcpFlowIsReportedAtOnce) {
  auto a = start_transport(loop, {}, a_events);
  transport::TransportOptions listen;
  listen.listen.push_back(Target{TransportKind::tcp, "127.0.0.1", 0, {}});
  auto b = start_transport(loop, listen, b_events);
  ASSERT_TRUE(a && b);
  a->set_events(&a_upcalls);
  transport::FlowKeeper keeper(*a, loop, 7);
  a_upcalls.keeper = &keeper;
  const Target b_addr = bound(*b, TransportKind::tcp);
  ASSERT_TRUE(a->send_bytes(request_text("REGISTER", b_addr, b_addr, "idle"), b_addr));
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  keeper.watch(b_addr, {transport::FlowProbe::Method::crlf, 30s, 10s},
               [&](const transport::FlowEvent& e) { flow_events.push_back(e); });
  // Idle for a moment: nothing to report.
  loop.run_until([] { return false; }, 200ms);
  EXPECT_TRUE(flow_events.empty());
  // The registrar process goes away: its sockets close (FIN).
  const auto closed_at = std::chrono::steady_clock::now();
  b->stop();
  ASSERT_TRUE(loop.run_until([&] { return !flow_events.empty(); }, 2s));
  const auto noticed = std::chrono::steady_clock::now() - closed_at;
  report_ms("tcp_close_noticed", noticed);
  EXPECT_LT(noticed, 500ms);
  EXPECT_EQ(flow_events[0].kind, transport::FlowEvent::Kind::failed);
  EXPECT_EQ(flow_events[0].failure.reason, sip::TransportError::reset);
  EXPECT_FALSE(flow_events[0].keepalive);
  a->set_events(nullptr);
}

TEST_F(FlowKeeperLoopback, StunKeepAlivesAreAnsweredOnTheSipSocket) {
  transport::TransportOptions udp;
  udp.listen.push_back(Target{TransportKind::udp, "127.0.0.1", 0, {}});
  auto a = start_transport(loop, udp, a_events);
  auto b = start_transport(loop, udp, b_events);
  ASSERT_TRUE(a && b);
  a->set_events(&a_upcalls);
  StunResponder responder;
  responder.transport = b.get();
  b->set_stun_handler(&responder);
  transport::FlowKeeper keeper(*a, loop, 7);
  a->set_stun_handler(&keeper);
  a_upcalls.keeper = &keeper;
  const Target b_addr = bound(*b, TransportKind::udp);
  keeper.watch(b_addr, {transport::FlowProbe::Method::stun, 100ms, 400ms},
               [&](const transport::FlowEvent& e) { flow_events.push_back(e); });
  ASSERT_TRUE(loop.run_until([&] { return responder.requests >= 5; }, 3s));
  EXPECT_TRUE(flow_events.empty());
  // STUN never reached the SIP side.
  EXPECT_TRUE(b_events.messages.empty());
  EXPECT_EQ(b->stats().malformed_datagrams, 0U);

  // The peer stops answering: the flow fails at the answer deadline.
  responder.answering = false;
  const auto silent_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop.run_until([&] { return !flow_events.empty(); }, 3s));
  const auto noticed = std::chrono::steady_clock::now() - silent_at;
  report_ms("stun_silence_noticed", noticed);
  EXPECT_TRUE(flow_events[0].keepalive);
  EXPECT_GE(noticed, 300ms);   // at least most of the 400 ms deadline
  EXPECT_LT(noticed, 1500ms);  // interval + deadline, with slack
  a->set_stun_handler(nullptr);
  b->set_stun_handler(nullptr);
  a->set_events(nullptr);
}

TEST_F(FlowKeeperLoopback, StunToAClosedPortFailsWithIcmpRefused) {
  transport::TransportOptions udp;
  udp.listen.push_back(Target{TransportKind::udp, "127.0.0.1", 0, {}});
  auto a = start_transport(loop, udp, a_events);
  ASSERT_TRUE(a);
  a->set_events(&a_upcalls);
  transport::FlowKeeper keeper(*a, loop, 7);
  a->set_stun_handler(&keeper);
  a_upcalls.keeper = &keeper;
  const Target nobody{TransportKind::udp, "127.0.0.1", free_port(TransportKind::udp), {}};
  keeper.watch(nobody, {transport::FlowProbe::Method::stun, 100ms, 5s},
               [&](const transport::FlowEvent& e) { flow_events.push_back(e); });
  ASSERT_TRUE(loop.run_until([&] { return !flow_events.empty(); }, 2s));
  EXPECT_EQ(flow_events[0].failure.reason, sip::TransportError::refused);
  EXPECT_FALSE(flow_events[0].keepalive);
  a->set_stun_handler(nullptr);
  a->set_events(nullptr);
}

}  // namespace
}  // namespace sipline::testing

// The simulated servers behind sim::SimulatedNetwork: what each fault state
// does with a request, on a manual clock.

#include "sim/simulated_network.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "runtime/manual_clock.hpp"
#include "sip/builder.hpp"
#include "sip/header_id.hpp"

namespace sipline::sim {
namespace {

using namespace std::chrono_literals;

struct Recorder final : transport::TransportEvents {
  struct Received {
    sip::Message message;
    sip::Target source;
    runtime::TimePoint at;
  };
  explicit Recorder(runtime::ManualClock& c) : clock(c) {}
  void on_message(sip::Message message, const sip::Target& source, const sip::Target&) override {
    messages.push_back({std::move(message), source, clock.now()});
  }
  void on_transport_error(const sip::Target& target,
                          const transport::TransportFailure& failure) override {
    errors.emplace_back(target, failure.reason);
  }
  runtime::ManualClock& clock;
  std::vector<Received> messages;
  std::vector<std::pair<sip::Target, sip::TransportError>> errors;
};

sip::Message register_request(std::string_view contact_params, std::string_view expires = {}) {
  auto b = sip::MessageBuilder::request(sip::Method::register_, "sip:pbx.test");
  b.add(sip::HeaderId::via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport");
  b.add(sip::HeaderId::from, "<sip:alice@pbx.test>;tag=a1");
  b.add(sip::HeaderId::to, "<sip:alice@pbx.test>");
  b.add(sip::HeaderId::call_id, "c1");
  b.add(sip::HeaderId::cseq, "1 REGISTER");
  b.add(sip::HeaderId::max_forwards, "70");
  b.add(sip::HeaderId::contact, "<sip:alice@192.0.2.1:5060>" + std::string(contact_params));
  if (!expires.empty()) b.add(sip::HeaderId::expires, expires);
  return *b.build();
}

sip::Message options_request() {
  auto b = sip::MessageBuilder::request(sip::Method::options, "sip:pbx.test");
  b.add(sip::HeaderId::via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2;rport");
  b.add(sip::HeaderId::from, "<sip:alice@pbx.test>;tag=a1");
  b.add(sip::HeaderId::to, "<sip:pbx.test>");
  b.add(sip::HeaderId::call_id, "c2");
  b.add(sip::HeaderId::cseq, "1 OPTIONS");
  b.add(sip::HeaderId::max_forwards, "70");
  return *b.build();
}

class SimulatedNetworkTest : public ::testing::Test {
 protected:
  SimulatedNetworkTest() {
    network.set_events(&recorder);
    server = network.add_server(target);
  }
  runtime::ManualClock clock;
  Recorder recorder{clock};
  SimulatedNetwork network{clock, "192.0.2.1", 5060};
  sip::Target target{sip::TransportKind::udp, "198.51.100.1", 5060, {}};
  std::size_t server = 0;
};

TEST_F(SimulatedNetworkTest, GrantsTheLifetimeAskedInContactOrExpires) {
  ASSERT_TRUE(network.send(register_request(";expires=300"), target).ok());
  EXPECT_TRUE(recorder.messages.empty()) << "never answers inside send()";
  clock.run_due();
  ASSERT_EQ(recorder.messages.size(), 1u);
  const sip::Message& ok = recorder.messages[0].message;
  EXPECT_EQ(ok.status_code(), 200);
  EXPECT_EQ(recorder.messages[0].source, target);
  auto contacts = ok.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].expires(), std::optional<std::uint32_t>(300));
  EXPECT_EQ(ok.cseq().number, 1u);

  ASSERT_TRUE(network.send(register_request("", "120"), target).ok());
  clock.run_due();
  ASSERT_EQ(recorder.messages.size(), 2u);
  EXPECT_EQ((*recorder.messages[1].message.contacts())[0].expires(),
            std::optional<std::uint32_t>(120));
  EXPECT_EQ(network.received(server, "REGISTER"), 2u);
}

TEST_F(SimulatedNetworkTest, ExpiresZeroRemovesTheBinding) {
  ASSERT_TRUE(network.send(register_request("", "0"), target).ok());
  clock.run_due();
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_EQ(recorder.messages[0].message.status_code(), 200);
  EXPECT_TRUE(recorder.messages[0].message.contacts()->empty());
}

TEST_F(SimulatedNetworkTest, AnswersOptionsWith200) {
  ASSERT_TRUE(network.send(options_request(), target).ok());
  clock.run_due();
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_EQ(recorder.messages[0].message.status_code(), 200);
  EXPECT_EQ(network.received(server, "OPTIONS"), 1u);
}

TEST_F(SimulatedNetworkTest, RefuseReportsTheTransportErrorAtOnce) {
  network.set_fault(server, Fault{Fault::Kind::refuse, 0, {}});
  const auto before = clock.now();
  ASSERT_TRUE(network.send(register_request(""), target).ok());
  EXPECT_TRUE(recorder.errors.empty());
  clock.run_due();
  ASSERT_EQ(recorder.errors.size(), 1u);
  EXPECT_EQ(recorder.errors[0].first, target);
  EXPECT_EQ(recorder.errors[0].second, sip::TransportError::refused);
  EXPECT_EQ(clock.now(), before);
  EXPECT_TRUE(recorder.messages.empty());
}

TEST_F(SimulatedNetworkTest, BlackholeAnswersNothing) {
  network.set_fault(server, Fault{Fault::Kind::blackhole, 0, {}});
  ASSERT_TRUE(network.send(register_request(""), target).ok());
  clock.advance(1h);
  EXPECT_TRUE(recorder.messages.empty());
  EXPECT_TRUE(recorder.errors.empty());
  EXPECT_EQ(network.received(server, "REGISTER"), 1u);
}

TEST_F(SimulatedNetworkTest, UnavailableAnswers503WithRetryAfterWhenGiven) {
  network.set_fault(server, Fault{Fault::Kind::unavailable, 503, 60u});
  ASSERT_TRUE(network.send(register_request(""), target).ok());
  network.set_fault(server, Fault{Fault::Kind::unavailable, 503, std::nullopt});
  ASSERT_TRUE(network.send(options_request(), target).ok());
  clock.run_due();
  ASSERT_EQ(recorder.messages.size(), 2u);
  EXPECT_EQ(recorder.messages[0].message.status_code(), 503);
  EXPECT_EQ(recorder.messages[0].message.header(sip::HeaderId::retry_after),
            std::optional<std::string_view>("60"));
  EXPECT_EQ(recorder.messages[1].message.status_code(), 503);
  EXPECT_FALSE(recorder.messages[1].message.header(sip::HeaderId::retry_after));
}

TEST_F(SimulatedNetworkTest, RejectAnswersTheCodeAndRestoreAnswers200Again) {
  network.set_fault(server, Fault{Fault::Kind::reject, 403, {}});
  ASSERT_TRUE(network.send(register_request(""), target).ok());
  clock.run_due();
  network.set_fault(server, Fault{});
  ASSERT_TRUE(network.send(register_request(""), target).ok());
  clock.run_due();
  ASSERT_EQ(recorder.messages.size(), 2u);
  EXPECT_EQ(recorder.messages[0].message.status_code(), 403);
  EXPECT_EQ(recorder.messages[1].message.status_code(), 200);
}

TEST_F(SimulatedNetworkTest, NothingListensWhereNoServerIs) {
  const sip::Target elsewhere{sip::TransportKind::udp, "198.51.100.1", 5070, {}};
  ASSERT_TRUE(network.send(register_request(""), elsewhere).ok());
  clock.run_due();
  ASSERT_EQ(recorder.errors.size(), 1u);
  EXPECT_EQ(recorder.errors[0].first, elsewhere);
  // The same address over TCP is another server, too.
  const sip::Target tcp{sip::TransportKind::tcp, "198.51.100.1", 5060, {}};
  ASSERT_TRUE(network.send(register_request(""), tcp).ok());
  clock.run_due();
  EXPECT_EQ(recorder.errors.size(), 2u);
}

TEST_F(SimulatedNetworkTest, AnswersAfterTheLatency) {
  SimulatedNetwork slow{clock, "192.0.2.1", 5060, 20ms};
  Recorder r{clock};
  slow.set_events(&r);
  slow.add_server(target);
  const auto sent = clock.now();
  ASSERT_TRUE(slow.send(register_request(""), target).ok());
  clock.advance(19ms);
  EXPECT_TRUE(r.messages.empty());
  clock.advance(1ms);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].at - sent, 20ms);
}

TEST_F(SimulatedNetworkTest, AddingATargetTwiceGivesTheSameServer) {
  EXPECT_EQ(network.add_server(target), server);
  EXPECT_EQ(network.server_count(), 1u);
  EXPECT_EQ(network.local_address_for(target)->address, "192.0.2.1");
}

}  // namespace
}  // namespace sipline::sim

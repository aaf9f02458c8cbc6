// TxnRequestSender: what it adds to a request, how the client transaction's
// end becomes a RequestOutcome, the retransmission budget and abandoning.

#include "ua/txn_request_sender.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/manual_clock.hpp"
#include "sip/builder.hpp"
#include "txn/testing/fake_transport.hpp"

namespace sipline::ua {
namespace {

using namespace std::chrono_literals;
using sip::Target;
using sip::TransportKind;

// The transport interface the sender needs, over the in-memory FakeTransport.
class FakeNet final : public transport::Transport {
 public:
  explicit FakeNet(txn::testing::FakeTransport& fake) : fake_(fake) {}
  void set_events(transport::TransportEvents*) override {}
  transport::SendOutcome send_bytes(std::string_view, const Target&) override { return {}; }
  sip::SendResult send(const sip::Message& message, const Target& to) override {
    return fake_.send(message, to);
  }
  Result<void> start_keepalive(const Target&, runtime::Duration) override {
    return fail(Errc::unsupported, "fake");
  }
  void stop_keepalive(const Target&) override {}
  Result<Target> local_address_for(const Target& to) const override {
    if (no_route) return fail(Errc::not_found, "no socket");
    return Target{to.transport, local_host, 5070, {}};
  }
  std::string local_host = "192.0.2.10";
  bool no_route = false;

 private:
  txn::testing::FakeTransport& fake_;
};

class SenderTest : public ::testing::Test {
 protected:
  SenderTest() {
    fake.on_receive = [this](sip::Message m, const Target& s) {
      layer.on_message(std::move(m), s);
    };
    fake.on_error = [this](const Target& t, sip::TransportError e) {
      layer.on_transport_error(t, e);
    };
  }

  static sip::MessageBuilder options() {
    auto b = sip::MessageBuilder::request(sip::Method::options, "sip:registrar.test");
    b.add(sip::HeaderId::from, "<sip:alice@registrar.test>;tag=f1");
    b.add(sip::HeaderId::to, "<sip:registrar.test>");
    b.add(sip::HeaderId::call_id, "call-1");
    b.add(sip::HeaderId::cseq, "1 OPTIONS");
    return b;
  }

  std::unique_ptr<reg::PendingRequest> send(int budget = 3) {
    return sender.send(options(), registrar, budget,
                       [this](reg::RequestOutcome o) { outcomes.push_back(std::move(o)); });
  }

  // The peer answers the last request handed to the transport.
  void answer(int code) {
    ASSERT_FALSE(fake.sent().empty());
    auto response = sip::response_to(fake.sent().back().message, code, {}, "t1").build();
    ASSERT_TRUE(response);
    fake.deliver(*response, registrar);
  }

  std::vector<runtime::Duration> send_times() const {
    std::vector<runtime::Duration> times;
    for (const auto& s : fake.sent()) times.push_back(s.at - start);
    return times;
  }

  runtime::ManualClock clock;
  runtime::TimePoint start = clock.now();
  txn::testing::FakeTransport fake{clock};
  FakeNet net{fake};
  std::uint64_t counter = 0;
  txn::TransactionLayer layer{clock, fake, [this] { return ++counter; }};
  TxnRequestSender sender{layer, net, clock};
  Target registrar{TransportKind::udp, "192.0.2.1", 5060, {}};
  std::vector<reg::RequestOutcome> outcomes;
};

TEST_F(SenderTest, AddsViaWithBranchAndRportAndMaxForwards) {
  auto pending = send();
  ASSERT_EQ(fake.sent().size(), 1u);
  const sip::Message& sent = fake.sent()[0].message;
  EXPECT_EQ(sent.top_via().transport, "UDP");
  EXPECT_EQ(sent.top_via().sent_by.host, "192.0.2.10");
  EXPECT_EQ(sent.top_via().sent_by.port, 5070);
  EXPECT_TRUE(sent.top_via().rfc3261_branch());
  EXPECT_TRUE(sent.top_via().rport);
  EXPECT_FALSE(sent.top_via().rport_value.has_value());
  EXPECT_EQ(sent.max_forwards(), 70u);
  EXPECT_EQ(sent.count(sip::HeaderId::via), 1u);
}

TEST_F(SenderTest, EachRequestGetsItsOwnBranch) {
  auto a = send();
  auto b = send();
  ASSERT_EQ(fake.sent().size(), 2u);
  EXPECT_NE(fake.sent()[0].message.top_via().branch, fake.sent()[1].message.top_via().branch);
}

TEST_F(SenderTest, ViaBracketsAnIpv6SentBy) {
  EXPECT_EQ(via_value(Target{TransportKind::tls, "2001:db8::1", 5061, {}}, "z9hG4bKx"),
            "SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKx;rport");
}

TEST_F(SenderTest, OfferingKeepAddsItToTheVia) {
  // RFC 6223 §4.1: `keep` without a value offers keep-alives to the next hop.
  reg::SendOptions keep;
  keep.offer_keep = true;
  auto with = sender.send_with_options(options(), registrar, 3, keep, [](reg::RequestOutcome) {});
  auto without = send();
  ASSERT_EQ(fake.sent().size(), 2u);
  EXPECT_TRUE(fake.sent()[0].message.top_via().keep);
  EXPECT_FALSE(fake.sent()[0].message.top_via().keep_value.has_value());
  EXPECT_FALSE(fake.sent()[1].message.top_via().keep);
}

TEST_F(SenderTest, AWatchedFlowReportsItsLossAndStopsWithItsHandle) {
  std::vector<reg::FlowLoss> losses;
  auto watch = sender.watch_flow(registrar, reg::FlowKeepAlive{},
                                 [&](reg::FlowLoss loss) { losses.push_back(std::move(loss)); });
  ASSERT_NE(watch, nullptr);
  sender.flow_keeper().on_transport_error(registrar,
                                          {sip::TransportError::refused, "ICMP port unreachable"});
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(losses[0].kind, reg::FailureKind::refused);
  EXPECT_FALSE(losses[0].rebinding);
  watch.reset();
  EXPECT_EQ(sender.flow_keeper().watching(), 0u);
}

TEST_F(SenderTest, FinalResponseIsTheOutcomeAndProvisionalOnesAreNot) {
  auto pending = send();
  answer(100);
  clock.run_due();
  EXPECT_TRUE(outcomes.empty());
  answer(200);
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].response.has_value());
  EXPECT_EQ(outcomes[0].response->status_code(), 200);
  EXPECT_FALSE(outcomes[0].transport_error.has_value());
  EXPECT_FALSE(outcomes[0].timed_out);
  EXPECT_EQ(sender.in_flight(), 0u);
  // The transaction lingers in Completed (Timer K); nothing is reported twice.
  clock.advance(10s);
  EXPECT_EQ(outcomes.size(), 1u);
}

TEST_F(SenderTest, BudgetBoundsRetransmissionsAndEndsInTimeout) {
  fake.drop_all(true);
  auto pending = send(2);
  clock.advance(3499ms);
  EXPECT_TRUE(outcomes.empty());
  EXPECT_EQ(send_times(), (std::vector<runtime::Duration>{0ms, 500ms, 1500ms}));
  clock.advance(1ms);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].timed_out);
  EXPECT_FALSE(outcomes[0].response.has_value());
}

TEST_F(SenderTest, BudgetZeroTimesOutAtT1) {
  fake.drop_all(true);
  auto pending = send(0);
  clock.advance(500ms);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].timed_out);
  EXPECT_EQ(fake.sent().size(), 1u);
}

TEST_F(SenderTest, BudgetAboveTheVendorRangeIsClamped) {
  fake.drop_all(true);
  auto pending = send(1000);
  clock.advance(std::chrono::minutes(5));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].timed_out);
  // Timer F (64*T1 = 32 s) ends it long before 20 capped retransmissions.
  EXPECT_LE(fake.sent().size(), 21u);
}

TEST_F(SenderTest, RefusedSendIsATransportErrorReportedLater) {
  fake.refuse(registrar, sip::TransportError::refused);
  auto pending = send();
  EXPECT_TRUE(outcomes.empty()) << "done must not run inside send()";
  clock.run_due();
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].transport_error.has_value());
  EXPECT_EQ(*outcomes[0].transport_error, sip::TransportError::refused);
  EXPECT_FALSE(outcomes[0].timed_out);
}

TEST_F(SenderTest, AsynchronousTransportErrorEndsTheRequest) {
  fake.refuse(registrar, sip::TransportError::tls_failure,
              txn::testing::FakeTransport::Mode::asynchronous);
  auto pending = send();
  clock.run_due();
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_TRUE(outcomes[0].transport_error.has_value());
  EXPECT_EQ(*outcomes[0].transport_error, sip::TransportError::tls_failure);
}

TEST_F(SenderTest, NoLocalSocketIsReportedAsUnreachableLater) {
  net.no_route = true;
  auto pending = send();
  EXPECT_TRUE(outcomes.empty());
  EXPECT_TRUE(fake.sent().empty());
  clock.run_due();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].transport_error, sip::TransportError::unreachable);
  EXPECT_EQ(sender.local_address(registrar).host, "");
}

TEST_F(SenderTest, DestroyingTheHandleAbandonsTheTransaction) {
  fake.drop_all(true);
  auto pending = send();
  EXPECT_EQ(sender.in_flight(), 1u);
  EXPECT_EQ(layer.client_count(), 1u);
  pending.reset();
  EXPECT_EQ(sender.in_flight(), 0u);
  clock.advance(std::chrono::minutes(1));
  EXPECT_TRUE(outcomes.empty());
  EXPECT_EQ(fake.sent().size(), 1u) << "no retransmission after abandoning";
  EXPECT_EQ(layer.client_count(), 0u);
}

TEST_F(SenderTest, DestroyingTheHandleCancelsADeferredFailure) {
  fake.refuse(registrar, sip::TransportError::refused);
  auto pending = send();
  pending.reset();
  clock.advance(1s);
  EXPECT_TRUE(outcomes.empty());
}

TEST_F(SenderTest, HandleMayBeDestroyedFromInsideDone) {
  std::unique_ptr<reg::PendingRequest> pending;
  int calls = 0;
  pending = sender.send(options(), registrar, 3, [&](reg::RequestOutcome) {
    ++calls;
    pending.reset();
  });
  answer(200);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(pending, nullptr);
  clock.advance(10s);
  EXPECT_EQ(calls, 1);
}

TEST_F(SenderTest, LocalAddressComesFromTheTransport) {
  const auto local = sender.local_address(Target{TransportKind::tcp, "192.0.2.1", 5060, {}});
  EXPECT_EQ(local.host, "192.0.2.10");
  EXPECT_EQ(local.port, 5070);
  EXPECT_EQ(local.transport, TransportKind::tcp);
}

}  // namespace
}  // namespace sipline::ua

// INVITE server transaction, RFC 3261 §17.2.1 with RFC 6026, on a manual clock.

#include "txn/server_invite.hpp"

#include <memory>

#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

using State = ServerInviteTransaction::State;

class ServerInviteTest : public TxnFixture {
 protected:
  ServerInviteTransaction& start(const Target& target = phone_udp) {
    RequestSpec spec;
    spec.method = "INVITE";
    spec.uri = "sip:alice@198.51.100.99";
    txn = std::make_unique<ServerInviteTransaction>(env, TransactionId{5}, request(spec), target,
                                                    TimerConfig{}, server_callbacks());
    txn->start();
    return *txn;
  }
  Result<void> respond_at(long long at_ms, int code) {
    clock.advance_to(origin + std::chrono::milliseconds(at_ms));
    return txn->respond(response(txn->request(), code));
  }
  void retransmit_at(long long at_ms) {
    clock.advance_to(origin + std::chrono::milliseconds(at_ms));
    txn->on_request(txn->request());
  }
  void ack_at(long long at_ms) {
    clock.advance_to(origin + std::chrono::milliseconds(at_ms));
    RequestSpec spec;
    spec.method = "ACK";
    spec.uri = "sip:alice@198.51.100.99";
    spec.to_tag = "uas-1";
    txn->on_request(request(spec));
  }

  std::unique_ptr<ServerInviteTransaction> txn;
};

TEST_F(ServerInviteTest, SendsTryingAfter200msWhenTheTuIsSilent) {
  start();
  EXPECT_EQ(txn->state(), State::proceeding);
  clock.advance(199ms);
  EXPECT_TRUE(transport.sent().empty());
  clock.advance(1ms);
  ASSERT_EQ(send_times(100), Times{200});
  const sip::Message& trying = transport.sent().back().message;
  EXPECT_TRUE(trying.to_tag().empty());  // §8.2.6.1
  EXPECT_EQ(trying.top_via().branch, txn->request().top_via().branch);
  EXPECT_EQ(transport.sent().back().target, phone_udp);
  retransmit_at(500);
  EXPECT_EQ(send_times(100), (Times{200, 500}));
}

TEST_F(ServerInviteTest, NoTryingWhenTheTuAnswersInTime) {
  start();
  ASSERT_TRUE(respond_at(150, 180));
  clock.advance(10s);
  EXPECT_EQ(send_times(100), Times{});
  EXPECT_EQ(send_times(180), Times{150});
}

TEST_F(ServerInviteTest, RetransmissionBeforeAnyResponseGetsTryingAtOnce) {
  start();
  retransmit_at(50);
  EXPECT_EQ(send_times(100), Times{50});
  clock.advance(1s);
  EXPECT_EQ(send_times(100), Times{50});  // the 200 ms timer was cancelled
}

TEST_F(ServerInviteTest, ProceedingRepeatsTheLatestProvisional) {
  start();
  ASSERT_TRUE(respond_at(100, 180));
  ASSERT_TRUE(respond_at(150, 183));
  retransmit_at(500);
  EXPECT_EQ(send_times(183), (Times{150, 500}));
  EXPECT_EQ(send_times(180), Times{100});
}

TEST_F(ServerInviteTest, FailureIsRetransmittedByTimerGUntilTimerH) {
  start();
  ASSERT_TRUE(respond_at(0, 486));
  EXPECT_EQ(txn->state(), State::completed);
  clock.advance(100s);
  EXPECT_EQ(send_times(486),
            (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});  // no ACK
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ServerInviteTest, RetransmittedInviteInCompletedGetsTheFinalAgain) {
  start();
  ASSERT_TRUE(respond_at(100, 603));
  retransmit_at(300);
  EXPECT_EQ(send_times(603), (Times{100, 300}));
}

TEST_F(ServerInviteTest, AckConfirmsStopsTimerGAndTimerIEnds) {
  start();
  ASSERT_TRUE(respond_at(0, 486));
  ack_at(1000);
  EXPECT_EQ(txn->state(), State::confirmed);
  EXPECT_TRUE(acks.empty());  // absorbed, not for the TU
  ack_at(2000);               // retransmitted ACK: absorbed
  retransmit_at(2500);        // late INVITE copy: absorbed
  clock.advance(100s);
  EXPECT_EQ(send_times(486), (Times{0, 500}));
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{6000});  // Timer I = T4
}

TEST_F(ServerInviteTest, ReliableTransportHasNoTimerGAndZeroTimerI) {
  start(phone_tcp);
  ASSERT_TRUE(respond_at(0, 486));
  clock.advance(1s);
  EXPECT_EQ(send_times(486), Times{0});
  ack_at(1000);
  EXPECT_EQ(txn->state(), State::confirmed);
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{1000});
}

TEST_F(ServerInviteTest, TimerHAlsoRunsOverReliableTransports) {
  start(phone_tcp);
  ASSERT_TRUE(respond_at(0, 486));
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ServerInviteTest, TwoHundredMovesToAcceptedWhereAcksGoToTheTu) {
  start();
  ASSERT_TRUE(respond_at(100, 200));
  EXPECT_EQ(txn->state(), State::accepted);
  retransmit_at(600);  // absorbed: no response, not to the TU
  EXPECT_EQ(send_times(200), Times{100});
  ASSERT_TRUE(respond_at(600, 200));  // the TU's own 2xx retransmission
  EXPECT_EQ(send_times(200), (Times{100, 600}));
  auto late = respond_at(700, 486);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::invalid_state);
  ack_at(800);
  EXPECT_EQ(acks, std::vector<std::string>{"ACK"});
  EXPECT_EQ(txn->state(), State::accepted);
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{32100});  // Timer L = 64*T1 after the 2xx
}

TEST_F(ServerInviteTest, ResponsesAfterTheFinalAreRejected) {
  start();
  ASSERT_TRUE(respond_at(0, 486));
  auto again = respond_at(10, 200);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::invalid_state);
  EXPECT_FALSE(txn->respond(request("INVITE")));
}

TEST_F(ServerInviteTest, TransportErrorsEndTheStatesThatSend) {
  start();
  txn->on_transport_error(sip::TransportError::refused);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::refused});

  ends.clear();
  start();
  ASSERT_TRUE(respond_at(10, 486));
  txn->on_transport_error(sip::TransportError::unreachable);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::unreachable});

  ends.clear();
  start();
  ASSERT_TRUE(respond_at(20, 200));
  txn->on_transport_error(sip::TransportError::reset);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::reset});

  ends.clear();
  start();
  ASSERT_TRUE(respond_at(30, 486));
  ack_at(40);
  txn->on_transport_error(sip::TransportError::reset);
  EXPECT_EQ(txn->state(), State::confirmed);
  EXPECT_TRUE(ends.empty());
}

}  // namespace
}  // namespace sipline::txn::test

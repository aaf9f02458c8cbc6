// Non-INVITE server transaction, RFC 3261 §17.2.2, on a manual clock.

#include "txn/server_non_invite.hpp"

#include <memory>

#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

using State = ServerNonInviteTransaction::State;

class ServerNonInviteTest : public TxnFixture {
 protected:
  ServerNonInviteTransaction& start(const Target& target = phone_udp) {
    txn = std::make_unique<ServerNonInviteTransaction>(env, TransactionId{3}, request("OPTIONS"),
                                                       target, TimerConfig{}, server_callbacks());
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

  std::unique_ptr<ServerNonInviteTransaction> txn;
};

TEST_F(ServerNonInviteTest, TryingAbsorbsRetransmissions) {
  start();
  EXPECT_EQ(txn->state(), State::trying);
  retransmit_at(500);
  retransmit_at(1500);
  EXPECT_TRUE(transport.sent().empty());
}

TEST_F(ServerNonInviteTest, ProceedingRepeatsTheLastProvisional) {
  start();
  ASSERT_TRUE(respond_at(100, 100));
  EXPECT_EQ(txn->state(), State::proceeding);
  ASSERT_TRUE(respond_at(200, 183));
  retransmit_at(500);
  EXPECT_EQ(send_times(100), Times{100});
  EXPECT_EQ(send_times(183), (Times{200, 500}));
  EXPECT_EQ(transport.sent().back().target, phone_udp);
}

TEST_F(ServerNonInviteTest, FinalCompletesRepeatsOnRetransmissionAndTimerJEnds) {
  start();
  ASSERT_TRUE(respond_at(300, 200));
  EXPECT_EQ(txn->state(), State::completed);
  retransmit_at(800);
  retransmit_at(1800);
  EXPECT_EQ(send_times(200), (Times{300, 800, 1800}));
  EXPECT_EQ(txn->retransmissions(), 2u);
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{32300});  // Timer J = 64*T1 over UDP
  EXPECT_EQ(env.ended_ids, std::vector<TransactionId>{TransactionId{3}});
}

TEST_F(ServerNonInviteTest, FinalFromProceedingCompletes) {
  start();
  ASSERT_TRUE(respond_at(100, 180));
  ASSERT_TRUE(respond_at(200, 486));
  EXPECT_EQ(txn->state(), State::completed);
}

TEST_F(ServerNonInviteTest, TimerJIsZeroOverTcp) {
  start(phone_tcp);
  ASSERT_TRUE(respond_at(300, 200));
  EXPECT_TRUE(ends.empty());  // not inside respond()
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{300});
}

TEST_F(ServerNonInviteTest, RejectsResponsesItCannotSend) {
  start();
  ASSERT_TRUE(respond_at(100, 200));
  auto again = respond_at(200, 200);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::invalid_state);
  auto not_response = txn->respond(request("OPTIONS"));
  ASSERT_FALSE(not_response);
  EXPECT_EQ(not_response.error().code, Errc::malformed);
  EXPECT_EQ(send_times(200), Times{100});
}

TEST_F(ServerNonInviteTest, ATuThatNeverAnswersTimesOutWithTheClient) {
  start();
  ASSERT_TRUE(respond_at(1000, 100));
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
  EXPECT_EQ(txn->state(), State::terminated);
  EXPECT_FALSE(txn->respond(response(txn->request(), 200)));
}

TEST_F(ServerNonInviteTest, ASilentTuTimesOutFromTryingToo) {
  start();
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
  EXPECT_TRUE(transport.sent().empty());
}

TEST_F(ServerNonInviteTest, TransportErrorsEndProceedingAndCompletedButNotTrying) {
  start();
  txn->on_transport_error(sip::TransportError::refused);
  EXPECT_EQ(txn->state(), State::trying);
  ASSERT_TRUE(respond_at(100, 100));
  txn->on_transport_error(sip::TransportError::unreachable);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::unreachable});

  ends.clear();
  start();
  ASSERT_TRUE(respond_at(200, 200));
  txn->on_transport_error(sip::TransportError::reset);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::reset});
}

TEST_F(ServerNonInviteTest, SendErrorOnRespondIsReportedOnTheNextTurn) {
  start(phone_tcp);
  transport.refuse(phone_tcp, sip::TransportError::reset);
  ASSERT_TRUE(respond_at(100, 200));
  EXPECT_TRUE(ends.empty());
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::reset});
}

}  // namespace
}  // namespace sipline::txn::test

// Non-INVITE client transaction, RFC 3261 §17.1.2, on a manual clock.

#include "txn/client_non_invite.hpp"

#include <memory>

#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

using State = ClientNonInviteTransaction::State;

class ClientNonInviteTest : public TxnFixture {
 protected:
  ClientNonInviteTransaction& start(const Target& target = registrar_udp, TimerConfig config = {}) {
    txn = std::make_unique<ClientNonInviteTransaction>(env, TransactionId{1}, request("REGISTER"),
                                                       target, config, client_callbacks());
    txn->start();
    return *txn;
  }
  void respond_at(long long at_ms, int code) {
    clock.advance_to(origin + std::chrono::milliseconds(at_ms));
    txn->on_response(response(txn->request(), code));
  }

  std::unique_ptr<ClientNonInviteTransaction> txn;
};

TEST_F(ClientNonInviteTest, UdpRetransmitsWithTimerEDoublingUpToT2UntilTimerF) {
  start();
  EXPECT_EQ(txn->state(), State::trying);
  clock.advance(60s);
  EXPECT_EQ(send_times(),
            (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
  EXPECT_EQ(txn->state(), State::terminated);
  EXPECT_EQ(txn->retransmissions(), 10u);
  EXPECT_EQ(env.ended_ids, std::vector<TransactionId>{TransactionId{1}});
  EXPECT_EQ(clock.pending_count(), 0u);
}

TEST_F(ClientNonInviteTest, ScheduleFollowsAConfiguredT1AndT2) {
  TimerConfig config;
  config.t1 = 100ms;
  config.t2 = 400ms;
  start(registrar_udp, config);
  clock.advance(10s);
  EXPECT_EQ(send_times(), (Times{0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900,
                                 4300, 4700, 5100, 5500, 5900, 6300}));
  EXPECT_EQ(end_ms, Times{6400});  // F = 64*T1
}

TEST_F(ClientNonInviteTest, TcpSendsOnceAndTimesOutAtTimerF) {
  start(registrar_tcp);
  clock.advance(60s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientNonInviteTest, ProvisionalMovesToProceedingWhereTimerERunsAtT2) {
  start();
  respond_at(600, 100);
  EXPECT_EQ(txn->state(), State::proceeding);
  EXPECT_EQ(responses, std::vector<int>{100});
  clock.advance(60s);
  // The E armed in Trying still fires at 1.5 s; from then on every T2.
  EXPECT_EQ(send_times(), (Times{0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500}));
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientNonInviteTest, EveryProvisionalAndTheFinalReachTheTu) {
  start();
  respond_at(100, 100);
  respond_at(200, 180);
  respond_at(300, 200);
  EXPECT_EQ(responses, (std::vector<int>{100, 180, 200}));
  EXPECT_EQ(txn->state(), State::completed);
}

TEST_F(ClientNonInviteTest, FinalResponseCompletesAndTimerKAbsorbsRetransmissions) {
  start();
  respond_at(700, 401);
  EXPECT_EQ(txn->state(), State::completed);
  EXPECT_EQ(responses, std::vector<int>{401});
  respond_at(1000, 401);  // retransmitted final: absorbed
  respond_at(1100, 180);  // late provisional: absorbed
  EXPECT_EQ(responses, std::vector<int>{401});
  clock.advance(60s);
  EXPECT_EQ(send_times(), (Times{0, 500}));  // Timer E stopped
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{5700});  // K = T4 = 5 s
}

TEST_F(ClientNonInviteTest, FinalAfterProceedingCompletes) {
  start();
  respond_at(100, 180);
  respond_at(9000, 200);
  EXPECT_EQ(txn->state(), State::completed);
  clock.advance(60s);
  EXPECT_EQ(end_ms, Times{14000});
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
}

TEST_F(ClientNonInviteTest, TimerKIsZeroOverTcp) {
  start(registrar_tcp);
  respond_at(100, 200);
  EXPECT_EQ(txn->state(), State::completed);
  EXPECT_TRUE(ends.empty());  // ends on the next turn of the loop, not inside on_response
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{100});
}

// retry_counts = 3 with T1 = 500 ms: three retransmissions (0.5, 1.5, 3.5 s),
// then the timeout when the fourth would be due, at 7.5 s.
TEST_F(ClientNonInviteTest, RetransmitBudgetEndsWhenTheNextRetransmissionWouldBeDue) {
  TimerConfig config;
  config.retransmit_budget = 3;
  start(registrar_udp, config);
  clock.advance(60s);
  EXPECT_EQ(send_times(), (Times{0, 500, 1500, 3500}));
  EXPECT_EQ(txn->retransmissions(), 3u);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{7500});
}

TEST_F(ClientNonInviteTest, ZeroBudgetTimesOutAtT1) {
  TimerConfig config;
  config.retransmit_budget = 0;
  start(registrar_udp, config);
  clock.advance(60s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(end_ms, Times{500});
}

TEST_F(ClientNonInviteTest, BudgetBeyondTimerFLeavesTimerFInCharge) {
  TimerConfig config;
  config.retransmit_budget = 20;
  start(registrar_udp, config);
  clock.advance(60s);
  EXPECT_EQ(send_times().size(), 11u);
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientNonInviteTest, BudgetStopsCountingOnceAResponseArrived) {
  TimerConfig config;
  config.retransmit_budget = 1;
  start(registrar_udp, config);
  respond_at(200, 100);
  clock.advance(60s);
  // Without the response the budget would have ended it at 1.5 s; in
  // Proceeding Timer E runs at T2 until Timer F.
  EXPECT_EQ(send_times(), (Times{0, 500, 4500, 8500, 12500, 16500, 20500, 24500, 28500}));
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientNonInviteTest, OverReliableTransportsTheBudgetIsASilenceDeadline) {
  // No retransmission over TCP, but a blackholed server is given up at the
  // instant the UDP schedule would have: 0.5 + 1 + 2 = 3.5 s for a budget of 2.
  TimerConfig config;
  config.retransmit_budget = 2;
  start(registrar_tcp, config);
  clock.advance(60s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{3500});
}

TEST_F(ClientNonInviteTest, OverReliableTransportsAProvisionalLeavesTimerFInCharge) {
  TimerConfig config;
  config.retransmit_budget = 0;
  start(registrar_tcp, config);
  respond_at(100, 100);
  clock.advance(60s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientNonInviteTest, OverReliableTransportsNoBudgetMeansTimerF) {
  start(registrar_tcp, TimerConfig{});
  clock.advance(60s);
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientNonInviteTest, SynchronousSendErrorEndsOnTheNextTurnWithItsReason) {
  transport.refuse(registrar_udp, sip::TransportError::refused);
  start();
  EXPECT_TRUE(ends.empty());  // never from inside start()
  EXPECT_EQ(txn->state(), State::trying);
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::refused});
  EXPECT_EQ(end_ms, Times{0});
  EXPECT_EQ(txn->state(), State::terminated);
  clock.advance(60s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(ends.size(), 1u);
}

TEST_F(ClientNonInviteTest, ErrorOnARetransmissionEndsTheTransaction) {
  start();
  clock.advance(1s);
  transport.refuse(registrar_udp, sip::TransportError::unreachable);
  clock.advance(1s);  // the 1.5 s retransmission fails
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::unreachable});
  EXPECT_EQ(end_ms, Times{1500});
}

TEST_F(ClientNonInviteTest, AsynchronousErrorInProceedingEndsTheTransaction) {
  start(registrar_tcp);
  respond_at(100, 100);
  txn->on_transport_error(sip::TransportError::reset);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::reset});
  EXPECT_EQ(txn->state(), State::terminated);
}

TEST_F(ClientNonInviteTest, ErrorAfterTheFinalResponseIsIgnored) {
  start();
  respond_at(100, 200);
  txn->on_transport_error(sip::TransportError::refused);
  EXPECT_EQ(txn->state(), State::completed);
  clock.advance(60s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
}

TEST_F(ClientNonInviteTest, NothingReachesTheTuAfterItEnded) {
  start();
  clock.advance(40s);
  respond_at(41000, 200);
  EXPECT_TRUE(responses.empty());
  EXPECT_EQ(ends.size(), 1u);
}

class ClientNonInviteErrorTest : public ClientNonInviteTest,
                                 public ::testing::WithParamInterface<sip::TransportError> {};

TEST_P(ClientNonInviteErrorTest, EachTransportErrorHasItsOwnReason) {
  start();
  txn->on_transport_error(GetParam());
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(to_string(ends[0]), sip::to_string(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(AllErrors, ClientNonInviteErrorTest,
                         ::testing::Values(sip::TransportError::refused,
                                           sip::TransportError::unreachable,
                                           sip::TransportError::reset,
                                           sip::TransportError::tls_failure,
                                           sip::TransportError::timeout));

}  // namespace
}  // namespace sipline::txn::test

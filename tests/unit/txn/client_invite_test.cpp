// INVITE client transaction, RFC 3261 §17.1.1 with RFC 6026, on a manual clock.

#include "txn/client_invite.hpp"

#include <memory>

#include "txn_test_support.hpp"

namespace sipline::txn::test {
namespace {

using State = ClientInviteTransaction::State;

class ClientInviteTest : public TxnFixture {
 protected:
  ClientInviteTransaction& start(const Target& target = registrar_udp, TimerConfig config = {},
                                 std::string extra = {}) {
    RequestSpec spec;
    spec.method = "INVITE";
    spec.uri = "sip:bob@example.com";
    spec.extra = std::move(extra);
    txn = std::make_unique<ClientInviteTransaction>(env, TransactionId{7}, request(spec), target,
                                                    config, client_callbacks());
    txn->start();
    return *txn;
  }
  void respond_at(long long at_ms, int code, std::string_view to_tag = "uas-1") {
    clock.advance_to(origin + std::chrono::milliseconds(at_ms));
    txn->on_response(response(txn->request(), code, to_tag));
  }

  std::unique_ptr<ClientInviteTransaction> txn;
};

TEST_F(ClientInviteTest, UdpRetransmitsWithTimerADoublingWithoutCapUntilTimerB) {
  start();
  EXPECT_EQ(txn->state(), State::calling);
  clock.advance(100s);
  EXPECT_EQ(send_times(), (Times{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{32000});
  EXPECT_EQ(txn->state(), State::terminated);
  EXPECT_EQ(env.ended_ids, std::vector<TransactionId>{TransactionId{7}});
  EXPECT_EQ(clock.pending_count(), 0u);
}

TEST_F(ClientInviteTest, TcpSendsOnceAndTimesOutAtTimerB) {
  start(registrar_tcp);
  clock.advance(100s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(end_ms, Times{32000});
}

TEST_F(ClientInviteTest, ProvisionalStopsRetransmissionsAndTimerB) {
  start();
  respond_at(600, 180);
  EXPECT_EQ(txn->state(), State::proceeding);
  respond_at(700, 183);
  EXPECT_EQ(responses, (std::vector<int>{180, 183}));
  clock.advance(300s);  // ringing for minutes is the TU's business
  EXPECT_EQ(send_times(), (Times{0, 500}));
  EXPECT_TRUE(ends.empty());
  EXPECT_EQ(txn->state(), State::proceeding);
}

TEST_F(ClientInviteTest, TwoHundredMovesToAcceptedAndEvery2xxReachesTheTu) {
  start();
  respond_at(100, 180);
  respond_at(1000, 200);
  EXPECT_EQ(txn->state(), State::accepted);
  respond_at(1500, 200);                // retransmission
  respond_at(1600, 200, "other-fork");  // another branch of a fork
  respond_at(1700, 486);                // not a 2xx: absorbed
  respond_at(1800, 180);
  EXPECT_EQ(responses, (std::vector<int>{180, 200, 200, 200}));
  clock.advance(100s);
  EXPECT_EQ(send_times("ACK"), Times{});  // the TU acknowledges 2xx itself
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{33000});  // Timer M = 64*T1 after the 2xx
}

TEST_F(ClientInviteTest, TwoHundredInCallingAlsoGoesToAccepted) {
  start(registrar_tcp);
  respond_at(50, 200);
  EXPECT_EQ(txn->state(), State::accepted);
  clock.advance(100s);
  EXPECT_EQ(end_ms, Times{32050});  // Timer M is not zero over TCP
}

TEST_F(ClientInviteTest, NonTwoHundredFinalIsAcknowledgedByTheTransaction) {
  start(registrar_udp, {},
        "Route: <sip:proxy1.example.com;lr>\r\nRoute: <sip:proxy2.example.com;lr>\r\n");
  respond_at(1000, 486);
  EXPECT_EQ(txn->state(), State::completed);
  EXPECT_EQ(responses, std::vector<int>{486});
  ASSERT_EQ(send_times("ACK"), Times{1000});
  const sip::Message& ack = transport.sent().back().message;
  EXPECT_EQ(transport.sent().back().target, registrar_udp);
  EXPECT_EQ(ack.method(), sip::Method::ack);
  // §17.1.1.3
  EXPECT_EQ(ack.request_uri().raw, txn->request().request_uri().raw);
  EXPECT_EQ(ack.count(sip::HeaderId::via), 1u);
  EXPECT_EQ(ack.top_via().branch, txn->request().top_via().branch);
  EXPECT_EQ(ack.call_id(), txn->request().call_id());
  EXPECT_EQ(ack.from_tag(), txn->request().from_tag());
  EXPECT_EQ(ack.to_tag(), "uas-1");
  EXPECT_EQ(ack.cseq().number, txn->request().cseq().number);
  EXPECT_EQ(ack.cseq().method, sip::Method::ack);
  auto routes = ack.name_addrs(sip::HeaderId::route);
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 2u);
  EXPECT_EQ((*routes)[0].uri.host(), "proxy1.example.com");
  EXPECT_EQ((*routes)[1].uri.host(), "proxy2.example.com");
  ASSERT_TRUE(txn->ack().has_value());
}

TEST_F(ClientInviteTest, RetransmittedFinalGetsTheAckAgainAndTimerDEnds) {
  start();
  respond_at(100, 180);
  respond_at(1000, 503);
  respond_at(1500, 503);
  respond_at(2000, 503);
  EXPECT_EQ(responses, (std::vector<int>{180, 503}));
  EXPECT_EQ(send_times("ACK"), (Times{1000, 1500, 2000}));
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{33000});  // Timer D = 32 s over UDP
}

TEST_F(ClientInviteTest, TimerDIsZeroOverTcp) {
  start(registrar_tcp);
  respond_at(100, 404);
  EXPECT_EQ(txn->state(), State::completed);
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
  EXPECT_EQ(end_ms, Times{100});
}

TEST_F(ClientInviteTest, RetransmitBudgetEndsWhenTheNextRetransmissionWouldBeDue) {
  TimerConfig config;
  config.retransmit_budget = 3;
  start(registrar_udp, config);
  clock.advance(100s);
  EXPECT_EQ(send_times(), (Times{0, 500, 1500, 3500}));
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{7500});
}

TEST_F(ClientInviteTest, OverTcpTheBudgetIsASilenceDeadline) {
  // Doubling without a cap, as Timer A would: 0.5 + 1 + 2 + 4 = 7.5 s.
  TimerConfig config;
  config.retransmit_budget = 3;
  start(registrar_tcp, config);
  clock.advance(100s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::timeout});
  EXPECT_EQ(end_ms, Times{7500});
}

TEST_F(ClientInviteTest, OverTcpAProvisionalCancelsTheSilenceDeadline) {
  TimerConfig config;
  config.retransmit_budget = 0;
  start(registrar_tcp, config);
  respond_at(100, 180);
  clock.advance(100s);
  EXPECT_TRUE(ends.empty());
}

TEST_F(ClientInviteTest, BudgetIsMootOnceAProvisionalArrived) {
  TimerConfig config;
  config.retransmit_budget = 1;
  start(registrar_udp, config);
  respond_at(400, 100);
  clock.advance(100s);
  EXPECT_EQ(send_times(), Times{0});
  EXPECT_TRUE(ends.empty());
}

TEST_F(ClientInviteTest, SynchronousSendErrorInCallingEndsOnTheNextTurn) {
  transport.refuse(registrar_tcp, sip::TransportError::tls_failure);
  start(registrar_tcp);
  EXPECT_TRUE(ends.empty());
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::tls_failure});
}

TEST_F(ClientInviteTest, ErrorWhileProceedingEndsTheTransaction) {
  start(registrar_tcp);
  respond_at(100, 180);
  txn->on_transport_error(sip::TransportError::reset);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::reset});
}

TEST_F(ClientInviteTest, ErrorSendingTheAckEndsTheCompletedTransaction) {
  start();
  transport.refuse(registrar_udp, sip::TransportError::refused);
  respond_at(100, 486);
  EXPECT_EQ(txn->state(), State::completed);
  clock.run_due();
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::refused});
}

TEST_F(ClientInviteTest, ErrorInAcceptedIsIgnored) {
  start();
  respond_at(100, 200);
  txn->on_transport_error(sip::TransportError::reset);
  EXPECT_EQ(txn->state(), State::accepted);
  clock.advance(100s);
  EXPECT_EQ(ends, std::vector<EndReason>{EndReason::completed});
}

}  // namespace
}  // namespace sipline::txn::test

// The UAC side of a call, as traces over the real transaction layer.

#include "call_fixture.hpp"

namespace sipline::call::test {
namespace {

class OutgoingCallTest : public CallTest {
 protected:
  std::string place() {
    auto id = manager.place(alice(), "sip:bob@example.com", routes);
    EXPECT_TRUE(id.has_value());
    clock.run_due();
    return id ? *id : std::string();
  }
};

TEST_F(OutgoingCallTest, InviteCarriesOfferRouteAndContactToTheActiveServer) {
  place();
  ASSERT_EQ(sent("INVITE").size(), 1u);
  const auto s = sent("INVITE").front();
  EXPECT_EQ(s.target, primary);
  const sip::Message& invite = s.message;
  EXPECT_EQ(invite.request_uri().raw, "sip:bob@example.com");
  EXPECT_EQ(invite.header(sip::HeaderId::route).value_or(""), "<sip:192.0.2.10:5060;lr>");
  EXPECT_EQ(invite.header(sip::HeaderId::contact).value_or(""), "<sip:alice@198.51.100.7:5062>");
  EXPECT_EQ(invite.from().uri.raw, "sip:alice@example.com");
  EXPECT_FALSE(invite.from_tag().empty());
  EXPECT_TRUE(invite.to_tag().empty());
  EXPECT_EQ(invite.cseq().number, 1u);
  EXPECT_EQ(invite.content_type(), "application/sdp");
  EXPECT_NE(invite.body().find("m=audio 40000 RTP/AVP 0 8 101"), std::string_view::npos);
  EXPECT_TRUE(events.empty());
}

TEST_F(OutgoingCallTest, RingingAnsweredAckedReAckedAndHungUp) {
  const std::string id = place();
  const sip::Message invite = last("INVITE");
  reply(invite, 100);
  EXPECT_TRUE(events.empty());
  reply(invite, 180);
  ASSERT_EQ(types(), std::vector{CallEventType::ringing});
  EXPECT_EQ(events[0].call_id, id);
  EXPECT_EQ(events[0].server, "sip:192.0.2.10");
  EXPECT_EQ(events[0].peer, "sip:bob@example.com");

  reply(invite, 200, primary, peer_offer);
  ASSERT_EQ(types(), (std::vector{CallEventType::ringing, CallEventType::answered}));
  ASSERT_EQ(sent("ACK").size(), 1u);
  const sip::Message ack = sent("ACK").front().message;
  // §13.2.2.4: remote target from Contact, route set from Record-Route,
  // the INVITE's CSeq number, a branch of its own.
  EXPECT_EQ(ack.request_uri().raw, "sip:bob@192.0.2.99:5070");
  EXPECT_EQ(ack.header(sip::HeaderId::route).value_or(""), "<sip:192.0.2.10;lr>");
  EXPECT_EQ(ack.cseq().number, 1u);
  EXPECT_EQ(ack.to_tag(), "bob-1");
  EXPECT_NE(ack.top_via().branch, invite.top_via().branch);
  EXPECT_EQ(sent("ACK").front().target.address, "192.0.2.10");

  // The 2xx retransmitted: ACKed again, no second event.
  reply(invite, 200, primary, peer_offer);
  EXPECT_EQ(sent("ACK").size(), 2u);
  EXPECT_EQ(events.size(), 2u);

  ASSERT_TRUE(manager.hangup(id).has_value());
  ASSERT_EQ(sent("BYE").size(), 1u);
  const sip::Message bye = sent("BYE").front().message;
  EXPECT_EQ(bye.cseq().number, 2u);
  EXPECT_EQ(bye.call_id(), invite.call_id());
  EXPECT_EQ(bye.to_tag(), "bob-1");
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().reason, "local hangup");
  EXPECT_EQ(manager.size(), 0u);

  // Our ACK was lost: the callee's 2xx retransmission is ACKed even though
  // the call is over (§13.2.2.4).
  reply(invite, 200, primary, peer_offer);
  EXPECT_EQ(sent("ACK").size(), 3u);
  EXPECT_EQ(events.size(), 3u);
  // After 64*T1 the call is forgotten.
  clock.advance(33s);
  reply(invite, 200, primary, peer_offer);
  EXPECT_EQ(sent("ACK").size(), 3u);
}

TEST_F(OutgoingCallTest, FinalErrorEndsTheCallWithCodeAndReason) {
  place();
  reply(last("INVITE"), 486);
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].status_code, 486);
  EXPECT_EQ(events[0].reason, "486 Busy Here");
  EXPECT_TRUE(routes->failures.empty());  // the server worked; the callee refused
}

TEST_F(OutgoingCallTest, ProxyChallengeIsAnsweredOnceWithANewCSeq) {
  place();
  const sip::Message first = last("INVITE");
  const std::string challenge =
      "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"\r\n";
  reply(first, 407, primary, {}, challenge);
  ASSERT_EQ(sent("INVITE").size(), 2u);
  const sip::Message second = last("INVITE");
  EXPECT_EQ(second.cseq().number, 2u);
  EXPECT_EQ(second.call_id(), first.call_id());
  EXPECT_EQ(second.from_tag(), first.from_tag());
  EXPECT_NE(second.top_via().branch, first.top_via().branch);
  auto credentials = second.header(sip::HeaderId::proxy_authorization);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_NE(credentials->find("username=\"alice\""), std::string_view::npos);
  EXPECT_NE(credentials->find("uri=\"sip:bob@example.com\""), std::string_view::npos);
  EXPECT_TRUE(events.empty());

  // A second challenge is not answered again.
  reply(second, 407, primary, {},
        "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\"\r\n");
  EXPECT_EQ(sent("INVITE").size(), 2u);
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].status_code, 407);
}

TEST_F(OutgoingCallTest, CancelWaitsForAProvisionalResponse) {
  const std::string id = place();
  const sip::Message invite = last("INVITE");
  ASSERT_TRUE(manager.hangup(id).has_value());
  clock.run_due();
  EXPECT_TRUE(sent("CANCEL").empty());  // §9.1: not before a provisional
  reply(invite, 180);
  ASSERT_EQ(sent("CANCEL").size(), 1u);
  const sip::Message cancel = sent("CANCEL").front().message;
  EXPECT_EQ(cancel.top_via().branch, invite.top_via().branch);
  EXPECT_EQ(cancel.cseq().number, invite.cseq().number);
  EXPECT_EQ(cancel.cseq().method_text, "CANCEL");
  EXPECT_EQ(cancel.request_uri().raw, invite.request_uri().raw);
  EXPECT_EQ(cancel.header(sip::HeaderId::route), invite.header(sip::HeaderId::route));
  EXPECT_TRUE(cancel.to_tag().empty());
  EXPECT_TRUE(events.empty());  // no ringing once the user hung up

  reply(cancel, 200);
  reply(invite, 487);
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].status_code, 487);
  EXPECT_EQ(events[0].reason, "cancelled");
}

TEST_F(OutgoingCallTest, TwoHundredAfterCancelIsAckedThenByed) {
  const std::string id = place();
  const sip::Message invite = last("INVITE");
  reply(invite, 180);
  ASSERT_TRUE(manager.hangup(id).has_value());
  clock.run_due();
  ASSERT_EQ(sent("CANCEL").size(), 1u);
  reply(invite, 200, primary, peer_offer);  // the race: the callee answered first
  ASSERT_EQ(sent("ACK").size(), 1u);
  ASSERT_EQ(sent("BYE").size(), 1u);
  EXPECT_EQ(sent("BYE").front().message.to_tag(), "bob-1");
  EXPECT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().reason, "cancelled");
}

TEST_F(OutgoingCallTest, TimeoutOnThePrimaryRetriesOnTheBackup) {
  place();
  const sip::Message first = last("INVITE");
  // invite_retry_counts 1: sends at 0 and 0.5 s, gives up at 1.5 s.
  clock.advance(1499ms);
  EXPECT_EQ(sent("INVITE").size(), 2u);
  EXPECT_TRUE(routes->failures.empty());
  clock.advance(1ms);
  ASSERT_EQ(routes->failures.size(), 1u);
  EXPECT_EQ(routes->failures[0].first, primary);
  EXPECT_EQ(routes->failures[0].second, RouteFailure::timeout);
  ASSERT_EQ(sent("INVITE").size(), 3u);
  const auto retry = sent("INVITE").back();
  EXPECT_EQ(retry.target, backup);
  EXPECT_EQ(retry.message.call_id(), first.call_id());
  EXPECT_EQ(retry.message.from_tag(), first.from_tag());
  EXPECT_EQ(retry.message.cseq().number, 2u);
  EXPECT_EQ(retry.message.header(sip::HeaderId::route).value_or(""), "<sip:192.0.2.20:5060;lr>");

  reply(retry.message, 200, backup, peer_offer);
  ASSERT_EQ(types(), std::vector{CallEventType::answered});
  EXPECT_EQ(events[0].server, "sip:192.0.2.20");
}

TEST_F(OutgoingCallTest, ServiceUnavailableReportsRetryAfterAndMovesOn) {
  place();
  reply(last("INVITE"), 503, primary, {}, "Retry-After: 60\r\n");
  ASSERT_EQ(routes->failures.size(), 1u);
  EXPECT_EQ(routes->failures[0].second, RouteFailure::service_unavailable);
  EXPECT_EQ(routes->retry_afters[0], 60u);
  EXPECT_EQ(sent("INVITE").back().target, backup);
}

TEST_F(OutgoingCallTest, RefusedIsNoticedAtOnce) {
  wire.refuse(primary, sip::TransportError::refused,
              txn::testing::FakeTransport::Mode::asynchronous);
  place();
  clock.run_due();
  ASSERT_EQ(routes->failures.size(), 1u);
  EXPECT_EQ(routes->failures[0].second, RouteFailure::refused);
  EXPECT_EQ(sent("INVITE").back().target, backup);
}

TEST_F(OutgoingCallTest, RetryAsksThePolicyToAvoidTheFailedServerAndGoesAtOnce) {
  wire.refuse(primary, sip::TransportError::refused,
              txn::testing::FakeTransport::Mode::asynchronous);
  const auto t0 = clock.now();
  place();
  clock.run_due();  // the refusal arrives; no time passes
  EXPECT_EQ(clock.now(), t0);
  ASSERT_EQ(sent("INVITE").size(), 2u);
  EXPECT_EQ(sent("INVITE").back().target, backup);
  ASSERT_EQ(routes->asked.size(), 2u);
  EXPECT_TRUE(routes->asked[0].empty());
  EXPECT_EQ(routes->asked[1], std::vector<Target>{primary});
  EXPECT_TRUE(events.empty());
}

TEST_F(OutgoingCallTest, APolicyOfferingTheFailedServerAgainEndsTheCallAtOnce) {
  routes->ignore_avoid = true;
  wire.refuse(primary, sip::TransportError::refused,
              txn::testing::FakeTransport::Mode::asynchronous);
  place();
  clock.run_due();
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].reason, "refused at 192.0.2.10:5060/UDP");
  EXPECT_EQ(sent("INVITE").size(), 1u);  // never twice to the refusing primary
}

TEST_F(OutgoingCallTest, NoServerLeftEndsTheCallWithTheLastFailure) {
  routes->routes.pop_back();  // the primary only
  wire.refuse(primary, sip::TransportError::refused,
              txn::testing::FakeTransport::Mode::asynchronous);
  place();
  clock.run_due();
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].reason, "refused at 192.0.2.10:5060/UDP");
}

TEST_F(OutgoingCallTest, EveryServerFailingEndsTheCallAfterOneTryEach) {
  place();
  clock.advance(2s);
  clock.advance(2s);
  clock.advance(2s);
  EXPECT_EQ(routes->failures.size(), 2u);
  EXPECT_EQ(sent("INVITE").size(), 4u);  // two sends on each server
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].reason, "timeout at 192.0.2.20:5060/UDP");
}

TEST_F(OutgoingCallTest, NoRouteEndsTheCallAtOnce) {
  routes->routes.clear();
  place();
  EXPECT_TRUE(sent("INVITE").empty());
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].reason, "no server to send the INVITE through");
}

TEST_F(OutgoingCallTest, AnswerWithoutCommonCodecIsAckedAndByed) {
  place();
  reply(last("INVITE"), 200, primary, g729_only);
  EXPECT_EQ(sent("ACK").size(), 1u);
  EXPECT_EQ(sent("BYE").size(), 1u);
  ASSERT_EQ(types(), std::vector{CallEventType::ended});
  EXPECT_EQ(events[0].status_code, 488);
}

TEST_F(OutgoingCallTest, RemoteByeEndsTheCall) {
  place();
  const sip::Message invite = last("INVITE");
  reply(invite, 200, primary, peer_offer);
  const std::string bye =
      "BYE sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-bye1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:bob@example.com>;tag=bob-1\r\n"
      "To: <sip:alice@example.com>;tag=" +
      std::string(invite.from_tag()) +
      "\r\n"
      "Call-ID: " +
      std::string(invite.call_id()) +
      "\r\n"
      "CSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n";
  wire.deliver(bye, primary);
  clock.run_due();
  ASSERT_EQ(responses(200).size(), 1u);
  EXPECT_EQ(responses(200).front().cseq().method_text, "BYE");
  ASSERT_EQ(types(), (std::vector{CallEventType::answered, CallEventType::ended}));
  EXPECT_EQ(events.back().reason, "remote hangup");
}

TEST_F(OutgoingCallTest, ReInviteIsAnsweredWithTheCurrentSdp) {
  place();
  const sip::Message invite = last("INVITE");
  const std::string offer_sent(invite.body());
  reply(invite, 200, primary, peer_offer);
  const std::string reinvite =
      "INVITE sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-re1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:bob@example.com>;tag=bob-1\r\n"
      "To: <sip:alice@example.com>;tag=" +
      std::string(invite.from_tag()) +
      "\r\n"
      "Call-ID: " +
      std::string(invite.call_id()) +
      "\r\n"
      "Contact: <sip:bob@192.0.2.99:5070>\r\n"
      "CSeq: 10 INVITE\r\nContent-Length: 0\r\n\r\n";
  wire.deliver(reinvite, primary);
  clock.run_due();
  ASSERT_EQ(responses(200).size(), 1u);
  EXPECT_EQ(responses(200).front().body(), offer_sent);
  EXPECT_EQ(events.back().type, CallEventType::answered);
}

}  // namespace
}  // namespace sipline::call::test

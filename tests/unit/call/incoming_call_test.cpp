// The UAS side of a call, as traces over the real transaction layer.

#include "call_fixture.hpp"

namespace sipline::call::test {
namespace {

std::string invite_text(std::string body, std::string branch = "z9hG4bK-in1") {
  std::string text =
      "INVITE sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10;branch=" +
      branch +
      "\r\n"
      "Record-Route: <sip:192.0.2.10;lr>\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:bob@example.com>;tag=bob-9\r\n"
      "To: <sip:alice@example.com>\r\n"
      "Call-ID: in-1@192.0.2.99\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:bob@192.0.2.99:5070>\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return text;
}

std::string in_dialog(std::string method, std::uint32_t cseq, std::string to_tag,
                      std::string branch, std::string call_id = "in-1@192.0.2.99") {
  return method +
         " sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10;branch=" +
         branch +
         "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:bob@example.com>;tag=bob-9\r\n"
         "To: <sip:alice@example.com>;tag=" +
         to_tag +
         "\r\n"
         "Call-ID: " +
         call_id +
         "\r\n"
         "CSeq: " +
         std::to_string(cseq) + " " + method + "\r\nContent-Length: 0\r\n\r\n";
}

class IncomingCallTest : public CallTest {
 protected:
  std::string ring(std::string body = peer_offer) {
    EXPECT_TRUE(wire.deliver(invite_text(std::move(body)), primary));
    clock.run_due();
    if (events.empty()) return {};
    return events.back().call_id;
  }
  std::string our_tag() {
    auto r = responses(180);
    return r.empty() ? std::string() : std::string(r.front().to_tag());
  }
};

TEST_F(IncomingCallTest, RingsAtOnceAndReportsTheCall) {
  ring();
  ASSERT_EQ(responses(180).size(), 1u);
  const sip::Message ringing = responses(180).front();
  EXPECT_FALSE(ringing.to_tag().empty());
  EXPECT_EQ(ringing.header(sip::HeaderId::contact).value_or(""), "<sip:alice@198.51.100.7:5062>");
  ASSERT_EQ(types(), std::vector{CallEventType::incoming});
  EXPECT_EQ(events[0].peer, "sip:bob@example.com");
  EXPECT_EQ(events[0].account, "alice");
  ASSERT_EQ(manager.calls().size(), 1u);
  EXPECT_EQ(manager.calls()[0].state, CallState::ringing);
}

TEST_F(IncomingCallTest, AnswerSends200WithAnswerRetransmittedUntilAck) {
  const std::string id = ring();
  ASSERT_TRUE(manager.answer(id).has_value());
  clock.run_due();
  ASSERT_EQ(responses(200).size(), 1u);
  const sip::Message ok = responses(200).front();
  EXPECT_EQ(ok.to_tag(), our_tag());
  // RFC 3264 §6.1: the offer's order and payload numbers, PCMA first.
  EXPECT_NE(ok.body().find("m=audio 40000 RTP/AVP 8 0 101"), std::string_view::npos);
  EXPECT_TRUE(events.size() == 1);  // answered only once the ACK confirms

  // §13.3.1.4: at T1, then 2T1 (1 s), 4T1 (2 s), capped at T2 (4 s).
  clock.advance(500ms);
  EXPECT_EQ(responses(200).size(), 2u);
  clock.advance(1s);
  EXPECT_EQ(responses(200).size(), 3u);
  clock.advance(2s);
  EXPECT_EQ(responses(200).size(), 4u);

  wire.deliver(in_dialog("ACK", 1, our_tag(), "z9hG4bK-ack1"), primary);
  clock.run_due();
  ASSERT_EQ(types(), (std::vector{CallEventType::incoming, CallEventType::answered}));
  clock.advance(10s);
  EXPECT_EQ(responses(200).size(), 4u);

  // Hangup from our side: BYE along the route set with CSeq 1 of our space.
  ASSERT_TRUE(manager.hangup(id).has_value());
  ASSERT_EQ(sent("BYE").size(), 1u);
  const auto bye = sent("BYE").front();
  EXPECT_EQ(bye.message.request_uri().raw, "sip:bob@192.0.2.99:5070");
  EXPECT_EQ(bye.message.header(sip::HeaderId::route).value_or(""), "<sip:192.0.2.10;lr>");
  EXPECT_EQ(bye.message.from_tag(), our_tag());
  EXPECT_EQ(bye.message.to_tag(), "bob-9");
  EXPECT_EQ(bye.target.address, "192.0.2.10");
  EXPECT_EQ(events.back().type, CallEventType::ended);
}

TEST_F(IncomingCallTest, NoAckWithin64T1EndsWithBye) {
  const std::string id = ring();
  ASSERT_TRUE(manager.answer(id).has_value());
  clock.advance(31999ms);
  EXPECT_TRUE(sent("BYE").empty());
  clock.advance(1ms);
  EXPECT_EQ(sent("BYE").size(), 1u);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 408);
}

TEST_F(IncomingCallTest, HangupBeforeAnswerRejectsWith486) {
  const std::string id = ring();
  ASSERT_TRUE(manager.hangup(id).has_value());
  clock.run_due();
  ASSERT_EQ(responses(486).size(), 1u);
  EXPECT_EQ(responses(486).front().to_tag(), our_tag());
  ASSERT_EQ(types(), (std::vector{CallEventType::incoming, CallEventType::ended}));
  EXPECT_EQ(events.back().status_code, 486);
}

TEST_F(IncomingCallTest, CancelGets200AndTheInvite487) {
  ring();
  std::string cancel = invite_text({});
  cancel.replace(0, 6, "CANCEL");
  cancel.replace(cancel.find("CSeq: 1 INVITE"), 14, "CSeq: 1 CANCEL");
  wire.deliver(cancel, primary);
  clock.run_due();
  ASSERT_EQ(responses(200).size(), 1u);
  EXPECT_EQ(responses(200).front().cseq().method_text, "CANCEL");
  ASSERT_EQ(responses(487).size(), 1u);
  EXPECT_EQ(responses(487).front().cseq().method_text, "INVITE");
  ASSERT_EQ(types(), (std::vector{CallEventType::incoming, CallEventType::ended}));
  EXPECT_EQ(events.back().reason, "cancelled by caller");
  EXPECT_EQ(manager.size(), 0u);
}

TEST_F(IncomingCallTest, RequestsForUnknownDialogsGet481) {
  wire.deliver(in_dialog("BYE", 2, "nobody", "z9hG4bK-x1", "other@x"), primary);
  clock.run_due();
  ASSERT_EQ(responses(481).size(), 1u);
  EXPECT_TRUE(events.empty());
}

TEST_F(IncomingCallTest, NoCommonCodecIs488AndNoCall) {
  ring(g729_only);
  EXPECT_EQ(responses(488).size(), 1u);
  EXPECT_TRUE(responses(180).empty());
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(manager.size(), 0u);
}

TEST_F(IncomingCallTest, RemoteByeEndsTheEstablishedCall) {
  const std::string id = ring();
  ASSERT_TRUE(manager.answer(id).has_value());
  wire.deliver(in_dialog("ACK", 1, our_tag(), "z9hG4bK-ack1"), primary);
  wire.deliver(in_dialog("BYE", 2, our_tag(), "z9hG4bK-bye1"), primary);
  clock.run_due();
  bool bye_answered = false;
  for (const auto& r : responses(200)) bye_answered |= r.cseq().method_text == "BYE";
  EXPECT_TRUE(bye_answered);
  ASSERT_EQ(types(),
            (std::vector{CallEventType::incoming, CallEventType::answered, CallEventType::ended}));
  EXPECT_EQ(events.back().reason, "remote hangup");
}

TEST_F(IncomingCallTest, InviteWithoutOfferGetsOurOfferIn200) {
  const std::string id = ring("");
  ASSERT_TRUE(manager.answer(id).has_value());
  ASSERT_EQ(responses(200).size(), 1u);
  EXPECT_NE(responses(200).front().body().find("RTP/AVP 0 8 101"), std::string_view::npos);
}

TEST_F(IncomingCallTest, AnswerOfAnUnknownCallIsNotFound) {
  auto r = manager.answer("c99");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::not_found);
}

}  // namespace
}  // namespace sipline::call::test

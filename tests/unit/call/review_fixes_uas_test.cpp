// Fixes from the call layer review, UAS side: 2xx retransmission over any
// transport, BYE only after the ACK, the INVITE's server transaction, its
// Expires, the ring timeout and the call cap, the §8.2 order of checks,
// CANCEL after the final response, re-INVITE timing and the o= line.

#include "call_fixture.hpp"

namespace sipline::call::test {
namespace {

struct InviteSpec {
  std::string body = peer_offer;
  std::string content_type = "application/sdp";
  std::string extra;  // header lines, each ending in CRLF
  std::string branch = "z9hG4bK-in1";
  std::string call_id = "in-1@192.0.2.99";
  std::string via_transport = "UDP";
};

std::string invite_text(const InviteSpec& s) {
  std::string text =
      "INVITE sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
      "Via: SIP/2.0/" +
      s.via_transport + " 192.0.2.10;branch=" + s.branch +
      "\r\n"
      "Record-Route: <sip:192.0.2.10;lr>\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:bob@example.com>;tag=bob-9\r\n"
      "To: <sip:alice@example.com>\r\n"
      "Call-ID: " +
      s.call_id +
      "\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:bob@192.0.2.99:5070>\r\n" +
      s.extra;
  if (!s.body.empty()) text += "Content-Type: " + s.content_type + "\r\n";
  text += "Content-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body;
  return text;
}

std::string in_dialog(const std::string& method, std::uint32_t cseq, const std::string& to_tag,
                      const std::string& branch, const std::string& body = {}) {
  std::string text = method +
                     " sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.10;branch=" +
                     branch +
                     "\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:bob@example.com>;tag=bob-9\r\n"
                     "To: <sip:alice@example.com>;tag=" +
                     to_tag +
                     "\r\n"
                     "Call-ID: in-1@192.0.2.99\r\n"
                     "Contact: <sip:bob@192.0.2.99:5070>\r\n"
                     "CSeq: " +
                     std::to_string(cseq) + " " + method + "\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  return text + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string cancel_text() {
  return "CANCEL sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-in1\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:bob@example.com>;tag=bob-9\r\n"
         "To: <sip:alice@example.com>\r\n"
         "Call-ID: in-1@192.0.2.99\r\n"
         "CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
}

std::string o_line(std::string_view sdp) {
  const auto start = sdp.find("o=");
  return std::string(sdp.substr(start, sdp.find("\r\n", start) - start));
}

class ReviewUasTest : public CallTest {
 protected:
  std::string ring(const InviteSpec& spec = {}, const Target& from = primary) {
    EXPECT_TRUE(wire.deliver(invite_text(spec), from));
    clock.run_due();
    if (events.empty()) return {};
    return events.back().call_id;
  }
  std::string our_tag() {
    auto r = responses(180);
    return r.empty() ? std::string() : std::string(r.front().to_tag());
  }
  std::size_t responses_to(std::string_view method, int code) const {
    std::size_t n = 0;
    for (const auto& r : responses(code)) n += r.cseq().method_text == method ? 1u : 0u;
    return n;
  }
  // Rings, answers and ACKs: an established call.
  std::string establish() {
    const std::string id = ring();
    EXPECT_TRUE(manager.answer(id).has_value());
    wire.deliver(in_dialog("ACK", 1, our_tag(), "z9hG4bK-ack1"), primary);
    clock.run_due();
    return id;
  }
};

// Fix 1 (§13.3.1.4): the 2xx is retransmitted over TCP too.
TEST_F(ReviewUasTest, TwoHundredIsRetransmittedOverTcpUntilAck) {
  Target tcp = primary;
  tcp.transport = TransportKind::tcp;
  InviteSpec spec;
  spec.via_transport = "TCP";
  const std::string id = ring(spec, tcp);
  ASSERT_TRUE(manager.answer(id).has_value());
  EXPECT_EQ(responses(200).size(), 1u);
  clock.advance(500ms);
  EXPECT_EQ(responses(200).size(), 2u);
  clock.advance(1s);
  EXPECT_EQ(responses(200).size(), 3u);
  wire.deliver(in_dialog("ACK", 1, our_tag(), "z9hG4bK-ack1"), tcp);
  clock.run_due();
  clock.advance(10s);
  EXPECT_EQ(responses(200).size(), 3u);
  EXPECT_EQ(events.back().type, CallEventType::answered);
}

// Fix 2 (§15): hangup before the ACK waits for it; the 2xx goes on.
TEST_F(ReviewUasTest, HangupBeforeAckSendsByeOnlyOnceTheAckArrives) {
  const std::string id = ring();
  ASSERT_TRUE(manager.answer(id).has_value());
  ASSERT_TRUE(manager.hangup(id).has_value());
  clock.run_due();
  EXPECT_TRUE(sent("BYE").empty());
  clock.advance(500ms);
  EXPECT_EQ(responses(200).size(), 2u);  // still retransmitted
  wire.deliver(in_dialog("ACK", 1, our_tag(), "z9hG4bK-ack1"), primary);
  clock.run_due();
  ASSERT_EQ(sent("BYE").size(), 1u);
  ASSERT_EQ(types(), (std::vector{CallEventType::incoming, CallEventType::ended}));
  EXPECT_EQ(events.back().reason, "local hangup");
  clock.advance(10s);
  EXPECT_EQ(responses(200).size(), 2u);
}

TEST_F(ReviewUasTest, HangupBeforeAckSendsByeAtTheGiveUpWithoutAck) {
  const std::string id = ring();
  ASSERT_TRUE(manager.answer(id).has_value());
  ASSERT_TRUE(manager.hangup(id).has_value());
  clock.advance(31999ms);
  EXPECT_TRUE(sent("BYE").empty());
  EXPECT_GE(responses(200).size(), 5u);
  clock.advance(1ms);
  EXPECT_EQ(sent("BYE").size(), 1u);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().reason, "local hangup");
}

// Fix 5: the INVITE's server transaction dies while the call rings.
TEST_F(ReviewUasTest, RingingCallEndsWhenItsInviteTransactionDies) {
  Target tcp = primary;
  tcp.transport = TransportKind::tcp;
  wire.refuse(tcp, sip::TransportError::reset, txn::testing::FakeTransport::Mode::asynchronous);
  InviteSpec spec;
  spec.via_transport = "TCP";
  ring(spec, tcp);
  clock.run_due();
  ASSERT_EQ(types(), (std::vector{CallEventType::incoming, CallEventType::ended}));
  EXPECT_NE(events.back().reason.find("INVITE transaction ended"), std::string::npos);
  EXPECT_EQ(manager.size(), 0u);
}

// Fix 5 (§13.3.1): 487 when the INVITE's Expires runs out.
TEST_F(ReviewUasTest, ExpiresOfTheInviteEndsTheRingingWith487) {
  InviteSpec spec;
  spec.extra = "Expires: 5\r\n";
  ring(spec);
  clock.advance(4999ms);
  EXPECT_TRUE(responses(487).empty());
  clock.advance(1ms);
  ASSERT_EQ(responses(487).size(), 1u);
  EXPECT_EQ(responses(487).front().to_tag(), our_tag());
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 487);
  EXPECT_EQ(manager.size(), 0u);
}

// Fix 5: nobody answers within the ring timeout: 480.
TEST_F(ReviewUasTest, RingTimeoutAnswers480) {
  ring();
  clock.advance(manager.limits().ring_timeout - 1ms);
  EXPECT_TRUE(responses(480).empty());
  clock.advance(1ms);
  ASSERT_EQ(responses(480).size(), 1u);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 480);
}

TEST_F(ReviewUasTest, AnsweredCallOutlivesTheRingTimeout) {
  establish();
  clock.advance(manager.limits().ring_timeout + 1s);
  EXPECT_TRUE(responses(480).empty());
  EXPECT_EQ(events.back().type, CallEventType::answered);
}

// Fix 5: the live calls of an account are capped; beyond, 486.
TEST_F(ReviewUasTest, CallsBeyondTheCapAreBusy) {
  const std::size_t cap = manager.limits().max_calls_per_account;
  for (std::size_t i = 0; i <= cap; ++i) {
    InviteSpec spec;
    spec.branch = "z9hG4bK-cap" + std::to_string(i);
    spec.call_id = "cap-" + std::to_string(i) + "@192.0.2.99";
    ring(spec);
  }
  EXPECT_EQ(manager.size(), cap);
  EXPECT_EQ(responses(180).size(), cap);
  ASSERT_EQ(responses(486).size(), 1u);
  EXPECT_FALSE(responses(486).front().to_tag().empty());
}

// [account.calls]: the account's own cap and ring time replace the defaults.
TEST_F(ReviewUasTest, AccountLimitsReplaceTheDefaults) {
  CallLimits own;
  own.max_calls_per_account = 1;
  own.ring_timeout = 20s;
  callee.limits = own;
  InviteSpec second;
  second.branch = "z9hG4bK-own2";
  second.call_id = "own-2@192.0.2.99";
  ring();
  ring(second);
  EXPECT_EQ(manager.size(), 1u);
  ASSERT_EQ(responses(486).size(), 1u);
  clock.advance(20s - 1ms);
  EXPECT_TRUE(responses(480).empty());
  clock.advance(1ms);
  EXPECT_EQ(responses(480).size(), 1u);
}

// Fix 6: §8.2 order of checks.
TEST_F(ReviewUasTest, UnsupportedRequireIs420BeforeABadBody) {
  InviteSpec spec;
  spec.extra = "Require: 100rel, foo\r\n";
  spec.content_type = "text/plain";
  ring(spec);
  ASSERT_EQ(responses(420).size(), 1u);
  EXPECT_EQ(responses(420).front().header(sip::HeaderId::unsupported).value_or(""), "100rel, foo");
  EXPECT_TRUE(responses(415).empty());
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(manager.size(), 0u);
}

TEST_F(ReviewUasTest, BodyThatIsNotSdpIs415WithAccept) {
  InviteSpec spec;
  spec.content_type = "text/plain";
  ring(spec);
  ASSERT_EQ(responses(415).size(), 1u);
  EXPECT_EQ(responses(415).front().header(sip::HeaderId::accept).value_or(""), "application/sdp");
  EXPECT_TRUE(events.empty());
}

TEST_F(ReviewUasTest, UnsupportedContentEncodingIs415) {
  InviteSpec spec;
  spec.extra = "Content-Encoding: gzip\r\n";
  ring(spec);
  ASSERT_EQ(responses(415).size(), 1u);
  EXPECT_EQ(responses(415).front().header(sip::HeaderId::accept_encoding).value_or(""), "identity");
}

TEST_F(ReviewUasTest, SdpWithParametersInItsTypeIsAccepted) {
  InviteSpec spec;
  spec.content_type = "Application/SDP; charset=utf-8";
  ring(spec);
  EXPECT_EQ(responses(180).size(), 1u);
}

TEST_F(ReviewUasTest, MalformedSdpIs400AndNoCommonCodec488) {
  InviteSpec bad;
  bad.body = "this is not SDP\r\n";
  ring(bad);
  ASSERT_EQ(responses(400).size(), 1u);
  EXPECT_TRUE(responses(488).empty());
  InviteSpec g729;
  g729.body = g729_only;
  g729.branch = "z9hG4bK-in2";
  g729.call_id = "in-2@192.0.2.99";
  ring(g729);
  EXPECT_EQ(responses(488).size(), 1u);
  EXPECT_TRUE(events.empty());
}

// Fix 8 (§9.2): CANCEL gets 200 with the INVITE response's To tag, even
// after the call ended.
TEST_F(ReviewUasTest, CancelAfterRejectionStillGets200WithOurTag) {
  const std::string id = ring();
  ASSERT_TRUE(manager.hangup(id).has_value());
  ASSERT_EQ(responses(486).size(), 1u);
  wire.deliver(cancel_text(), primary);
  clock.run_due();
  EXPECT_TRUE(responses(481).empty());
  ASSERT_EQ(responses_to("CANCEL", 200), 1u);
  for (const auto& r : responses(200)) {
    if (r.cseq().method_text == "CANCEL") {
      EXPECT_EQ(r.to_tag(), our_tag());
    }
  }
}

TEST_F(ReviewUasTest, CancelWhileRingingCarriesTheTagOf180) {
  ring();
  wire.deliver(cancel_text(), primary);
  clock.run_due();
  ASSERT_EQ(responses_to("CANCEL", 200), 1u);
  EXPECT_EQ(responses(200).front().to_tag(), our_tag());
  EXPECT_EQ(responses(487).size(), 1u);
}

// Fix 9 (§14.2): a re-INVITE before the initial INVITE's final response.
TEST_F(ReviewUasTest, ReInviteWhileRingingGets500WithRetryAfter) {
  ring();
  wire.deliver(in_dialog("INVITE", 2, our_tag(), "z9hG4bK-re1", peer_offer), primary);
  clock.run_due();
  EXPECT_TRUE(responses(491).empty());
  ASSERT_EQ(responses(500).size(), 1u);
  auto retry = responses(500).front().retry_after();
  ASSERT_TRUE(retry.has_value());
  EXPECT_LE(retry->seconds, 10u);
}

// Fix 9 (§13.3.1.4): the 2xx to a re-INVITE never ACKed ends the session.
TEST_F(ReviewUasTest, UnacknowledgedReInviteEndsTheSessionWithBye) {
  establish();
  wire.deliver(in_dialog("INVITE", 2, our_tag(), "z9hG4bK-re1", peer_offer), primary);
  clock.run_due();
  ASSERT_EQ(responses_to("INVITE", 200), 2u);
  clock.advance(32s);
  ASSERT_EQ(sent("BYE").size(), 1u);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 408);
}

// Fix 10 (RFC 3264 §8): o= keeps the first SDP's address; the version
// increments only when the session changes.
TEST_F(ReviewUasTest, LaterSdpKeepsTheFirstAddressAndVersionsOnlyChanges) {
  establish();
  const std::string first(responses(200).front().body());
  local_address.address = "203.0.113.5";  // e.g. another interface now
  wire.deliver(in_dialog("INVITE", 2, our_tag(), "z9hG4bK-re1", peer_offer), primary);
  clock.run_due();
  const std::string same(responses(200).back().body());
  EXPECT_EQ(same, first);  // nothing changed: same version, same address
  wire.deliver(in_dialog("ACK", 2, our_tag(), "z9hG4bK-ack2"), primary);

  const std::string hold = peer_offer + "a=sendonly\r\n";
  wire.deliver(in_dialog("INVITE", 3, our_tag(), "z9hG4bK-re2", hold), primary);
  clock.run_due();
  const std::string held(responses(200).back().body());
  std::string expected_o = o_line(first);
  expected_o.replace(expected_o.find(" 1 IN"), 5, " 2 IN");
  EXPECT_EQ(o_line(held), expected_o);
  EXPECT_NE(held.find("c=IN IP4 198.51.100.7"), std::string::npos);
  EXPECT_NE(held.find("a=recvonly"), std::string::npos);
}

}  // namespace
}  // namespace sipline::call::test

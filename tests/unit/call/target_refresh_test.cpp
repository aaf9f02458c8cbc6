// Target refresh (RFC 3261 §14.1, §12.2.1.2): an established call whose
// local address moved sends a re-INVITE with its new Contact and an SDP
// offer from the new address (RFC 3264 §8), on both sides of a call.

#include "call/target_refresh.hpp"

#include "call/sdp.hpp"
#include "call_fixture.hpp"

namespace sipline::call::test {
namespace {

const std::string moved_to = "203.0.113.5";

std::string o_line(std::string_view sdp) {
  const auto start = sdp.find("o=");
  return std::string(sdp.substr(start, sdp.find("\r\n", start) - start));
}

// The o= line `before` with another version and address.
std::string o_line_moved(const std::string& before, int version, const std::string& address) {
  // "o=sipline <id> <version> IN IP4 <address>"
  const auto id_end = before.find(' ', std::string("o=sipline ").size());
  return before.substr(0, id_end) + " " + std::to_string(version) + " IN IP4 " + address;
}

// A request from bob in the dialog of an incoming call (we are the UAS).
std::string uas_request(const std::string& method, std::uint32_t cseq, const std::string& to_tag,
                        const std::string& branch, const std::string& body = {}) {
  std::string text = method +
                     " sip:alice@198.51.100.7:5062 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.10;branch=" +
                     branch +
                     "\r\nMax-Forwards: 70\r\n"
                     "From: <sip:bob@example.com>;tag=bob-9\r\n"
                     "To: <sip:alice@example.com>" +
                     (to_tag.empty() ? std::string() : ";tag=" + to_tag) +
                     "\r\nCall-ID: in-1@192.0.2.99\r\n"
                     "Contact: <sip:bob@192.0.2.99:5070>\r\n"
                     "CSeq: " +
                     std::to_string(cseq) + " " + method + "\r\n";
  if (method == "INVITE" && to_tag.empty()) text += "Record-Route: <sip:192.0.2.10;lr>\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  return text + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class TargetRefreshTest : public CallTest {
 protected:
  // An outgoing call, answered: we are the UAC and own the Call-ID.
  std::string establish_outgoing() {
    auto id = manager.place(alice(), "sip:bob@example.com", routes);
    EXPECT_TRUE(id.has_value());
    clock.run_due();
    reply(last("INVITE"), 200, primary, peer_offer);
    EXPECT_EQ(events.back().type, CallEventType::answered);
    return id ? *id : std::string();
  }
  // An incoming call, answered and ACKed: we are the UAS.
  std::string establish_incoming() {
    EXPECT_TRUE(wire.deliver(uas_request("INVITE", 1, {}, "z9hG4bK-in1", peer_offer), primary));
    clock.run_due();
    EXPECT_FALSE(events.empty());
    const std::string id = events.empty() ? std::string() : events.back().call_id;
    EXPECT_TRUE(manager.answer(id).has_value());
    wire.deliver(uas_request("ACK", 1, our_tag(), "z9hG4bK-ack1"), primary);
    clock.run_due();
    EXPECT_EQ(events.back().type, CallEventType::answered);
    return id;
  }
  std::string our_tag() const {
    auto r = responses(180);
    return r.empty() ? std::string() : std::string(r.front().to_tag());
  }
  // Our INVITEs inside the dialog (the ones with a To tag), one per CSeq:
  // the transaction's retransmissions over UDP are not new requests.
  std::vector<sip::Message> reinvites() const {
    std::vector<sip::Message> out;
    for (const auto& s : sent("INVITE")) {
      if (s.message.to_tag().empty()) continue;
      if (!out.empty() && out.back().cseq().number == s.message.cseq().number) continue;
      out.push_back(s.message);
    }
    return out;
  }
  std::vector<sip::Message> acks(std::uint32_t cseq) const {
    std::vector<sip::Message> out;
    for (const auto& s : sent("ACK")) {
      if (s.message.cseq().number == cseq) out.push_back(s.message);
    }
    return out;
  }
  // The body of the 2xx that set the session up: the INVITE's offer (UAC)
  // or our 200's answer (UAS).
  std::string first_sdp() const {
    for (const auto& s : wire.sent()) {
      const auto& m = s.message;
      if (m.is_request() && m.method_text() == "INVITE") return std::string(m.body());
      if (m.is_response() && m.status_code() == 200) return std::string(m.body());
    }
    return {};
  }
  void move(const std::string& address = moved_to) {
    local_address.address = address;
    manager.network_changed();
    clock.run_due();
  }
  // The peer answers our re-INVITE, with a Contact of its choice.
  void answer_reinvite(const sip::Message& request, int code,
                       const std::string& contact = "<sip:bob@192.0.2.99:5070>",
                       const std::string& extra = {}) {
    auto b = sip::response_to(request, code);
    if (code >= 200 && code < 300) {
      b.add(sip::HeaderId::contact, contact);
      b.body("application/sdp", peer_offer);
    }
    if (!extra.empty()) {
      const auto colon = extra.find(':');
      b.add(extra.substr(0, colon), extra.substr(colon + 2));
    }
    auto message = b.build();
    ASSERT_TRUE(message.has_value());
    wire.deliver(*message, primary);
    clock.run_due();
  }
};

TEST_F(TargetRefreshTest, OutgoingCallSendsReInviteWithNewContactAndNextSdpVersion) {
  establish_outgoing();
  const std::string before = o_line(first_sdp());
  move();
  ASSERT_EQ(reinvites().size(), 1u);
  const sip::Message re = reinvites().front();
  EXPECT_EQ(re.request_uri().raw, "sip:bob@192.0.2.99:5070");
  EXPECT_EQ(re.header(sip::HeaderId::route).value_or(""), "<sip:192.0.2.10;lr>");
  EXPECT_EQ(re.to_tag(), "bob-1");
  EXPECT_EQ(re.cseq().number, 2u);
  EXPECT_EQ(re.call_id(), last("ACK").call_id());
  EXPECT_EQ(re.header(sip::HeaderId::contact).value_or(""), "<sip:alice@203.0.113.5:5062>");
  EXPECT_EQ(re.top_via().sent_by.host, "203.0.113.5");
  EXPECT_EQ(o_line(re.body()), o_line_moved(before, 2, moved_to));
  EXPECT_NE(re.body().find("c=IN IP4 203.0.113.5\r\n"), std::string_view::npos);
  EXPECT_NE(re.body().find("m=audio 40000 RTP/AVP 0 8 101\r\n"), std::string_view::npos);
  EXPECT_EQ(sent("INVITE").back().target, primary);  // the route set's first hop
  EXPECT_EQ(types(), std::vector{CallEventType::answered});
}

TEST_F(TargetRefreshTest, IncomingCallSendsReInviteWithTheSameMediaFromTheNewAddress) {
  establish_incoming();
  const std::string answer = first_sdp();
  move();
  ASSERT_EQ(reinvites().size(), 1u);
  const sip::Message re = reinvites().front();
  EXPECT_EQ(re.request_uri().raw, "sip:bob@192.0.2.99:5070");
  EXPECT_EQ(re.from_tag(), our_tag());
  EXPECT_EQ(re.to_tag(), "bob-9");
  EXPECT_EQ(re.call_id(), "in-1@192.0.2.99");
  EXPECT_EQ(re.cseq().number, 1u);  // our first request in the dialog
  EXPECT_EQ(re.header(sip::HeaderId::contact).value_or(""), "<sip:alice@203.0.113.5:5062>");
  EXPECT_EQ(o_line(re.body()), o_line_moved(o_line(answer), 2, moved_to));
  // RFC 3264 §8: the m-line as we answered it (the offerer's order).
  EXPECT_NE(re.body().find("m=audio 40000 RTP/AVP 8 0 101\r\n"), std::string_view::npos);
  EXPECT_NE(re.body().find("c=IN IP4 203.0.113.5\r\n"), std::string_view::npos);
}

TEST_F(TargetRefreshTest, NothingIsSentWhenTheAddressIsUnchanged) {
  establish_outgoing();
  establish_incoming();
  const std::size_t before = wire.sent().size();
  manager.network_changed();
  clock.run_due();
  EXPECT_TRUE(reinvites().empty());
  EXPECT_EQ(wire.sent().size(), before);
}

TEST_F(TargetRefreshTest, TwoHundredIsAckedAndRefreshesTheRemoteTarget) {
  const std::string id = establish_outgoing();
  move();
  const sip::Message re = reinvites().at(0);
  answer_reinvite(re, 200, "<sip:bob@192.0.2.77:5080>");
  ASSERT_EQ(acks(2).size(), 1u);
  // The outcome is reported once, naming the address the call moved to.
  ASSERT_EQ(events.back().type, CallEventType::updated);
  EXPECT_EQ(events.back().status_code, 200);
  EXPECT_NE(events.back().reason.find("moved to 203.0.113.5"), std::string::npos)
      << events.back().reason;
  const sip::Message ack = acks(2).front();
  // §13.2.2.4: the re-INVITE's CSeq, a branch of its own; §12.2.1.2: the
  // Request-URI is the Contact of the 2xx.
  EXPECT_EQ(ack.request_uri().raw, "sip:bob@192.0.2.77:5080");
  EXPECT_NE(ack.top_via().branch, re.top_via().branch);
  EXPECT_EQ(ack.to_tag(), "bob-1");

  answer_reinvite(re, 200, "<sip:bob@192.0.2.77:5080>");  // our ACK was lost
  EXPECT_EQ(acks(2).size(), 2u);

  manager.network_changed();  // our SDP from the new address is current now
  EXPECT_EQ(reinvites().size(), 1u);
  ASSERT_TRUE(manager.hangup(id).has_value());
  EXPECT_EQ(last("BYE").request_uri().raw, "sip:bob@192.0.2.77:5080");
  EXPECT_EQ(last("BYE").cseq().number, 3u);
  EXPECT_EQ(types(),
            (std::vector{CallEventType::answered, CallEventType::updated, CallEventType::ended}));
}

TEST_F(TargetRefreshTest, OwnerOfTheCallIdRetriesA491After2To4Seconds) {
  establish_outgoing();
  move();
  answer_reinvite(reinvites().at(0), 491);
  clock.advance(2100ms - 1ms);
  EXPECT_EQ(reinvites().size(), 1u);
  clock.advance(1900ms + 1ms);
  ASSERT_EQ(reinvites().size(), 2u);
  const sip::Message again = reinvites().back();
  EXPECT_EQ(again.cseq().number, 3u);
  EXPECT_EQ(again.header(sip::HeaderId::contact).value_or(""), "<sip:alice@203.0.113.5:5062>");
  // §14.1: the 491 left the session as it was, so the offer is version 2 again.
  EXPECT_EQ(o_line(again.body()), o_line(reinvites().front().body()));
  EXPECT_EQ(types(), std::vector{CallEventType::answered});
}

TEST_F(TargetRefreshTest, CalleeRetriesA491WithinTwoSeconds) {
  establish_incoming();
  move();
  answer_reinvite(reinvites().at(0), 491);
  clock.advance(2000ms);
  ASSERT_EQ(reinvites().size(), 2u);
  EXPECT_EQ(reinvites().back().cseq().number, 2u);
  clock.advance(10s);
  EXPECT_EQ(reinvites().size(), 2u);
}

TEST_F(TargetRefreshTest, GlareDelayStaysInItsWindow) {
  for (std::uint64_t r : {0ull, 1ull, 190ull, 191ull, 200ull, ~0ull}) {
    EXPECT_GE(glare_retry_delay(true, r), 2100ms);
    EXPECT_LE(glare_retry_delay(true, r), 4000ms);
    EXPECT_GE(glare_retry_delay(false, r), 0ms);
    EXPECT_LE(glare_retry_delay(false, r), 2000ms);
  }
  EXPECT_EQ(glare_retry_delay(true, 190), 4000ms);
  EXPECT_EQ(glare_retry_delay(false, 200), 2000ms);
  EXPECT_EQ(hex_value("00000000000000ff"), 255u);
  EXPECT_EQ(hex_value("ffffffffffffffff"), ~0ull);
}

TEST_F(TargetRefreshTest, Answer481EndsTheCallWithBye) {
  establish_outgoing();
  move();
  answer_reinvite(reinvites().at(0), 481);
  ASSERT_EQ(sent("BYE").size(), 1u);
  EXPECT_EQ(sent("BYE").front().message.cseq().number, 3u);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 481);
  EXPECT_NE(events.back().reason.find("re-INVITE answered 481"), std::string::npos);
  EXPECT_NE(events.back().reason.find("dialog is gone"), std::string::npos);
  EXPECT_EQ(manager.size(), 0u);
}

TEST_F(TargetRefreshTest, Answer408EndsTheCall) {
  establish_incoming();
  move();
  answer_reinvite(reinvites().at(0), 408);
  EXPECT_EQ(sent("BYE").size(), 1u);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 408);
}

TEST_F(TargetRefreshTest, NoResponseAtAllEndsTheCall) {
  establish_outgoing();
  move();
  ASSERT_EQ(reinvites().size(), 1u);
  clock.advance(32s - 1ms);
  EXPECT_EQ(events.back().type, CallEventType::answered);
  clock.advance(1ms);  // Timer B (64*T1)
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 408);
  EXPECT_NE(events.back().reason.find("re-INVITE timed out"), std::string::npos);
  EXPECT_EQ(sent("BYE").size(), 1u);
}

TEST_F(TargetRefreshTest, ChallengeIsAnsweredOnceWithCredentials) {
  establish_outgoing();
  move();
  const sip::Message first = reinvites().at(0);
  answer_reinvite(first, 401, {},
                  "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"");
  ASSERT_EQ(reinvites().size(), 2u);
  const sip::Message second = reinvites().back();
  EXPECT_EQ(second.cseq().number, 3u);
  EXPECT_NE(second.header(sip::HeaderId::authorization).value_or("").find("nonce=\"n1\""),
            std::string_view::npos);
  EXPECT_EQ(second.body(), first.body());
  answer_reinvite(second, 200);
  // §13.2.2.4 / §22: the ACK carries the credentials of its INVITE.
  ASSERT_EQ(acks(3).size(), 1u);
  EXPECT_TRUE(acks(3).front().header(sip::HeaderId::authorization).has_value());

  // Only one retry per refresh: a second challenge leaves the session as it was.
  move("203.0.113.6");
  answer_reinvite(reinvites().back(), 407, {},
                  "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\"");
  ASSERT_EQ(reinvites().size(), 4u);
  answer_reinvite(reinvites().back(), 407, {},
                  "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"n3\", qop=\"auth\"");
  EXPECT_EQ(reinvites().size(), 4u);
  EXPECT_EQ(types(),
            (std::vector{CallEventType::answered, CallEventType::updated, CallEventType::updated}));
  EXPECT_EQ(events.back().status_code, 407);
}

TEST_F(TargetRefreshTest, OtherFailureKeepsTheOldSessionAndTheNextChangeTriesAgain) {
  establish_outgoing();
  move();
  const sip::Message first = reinvites().at(0);
  answer_reinvite(first, 488);
  EXPECT_TRUE(sent("BYE").empty());
  EXPECT_EQ(types(), (std::vector{CallEventType::answered, CallEventType::updated}));
  EXPECT_EQ(events.back().status_code, 488);
  // §14.1: the old session stays, and the event says which address it has.
  EXPECT_NE(events.back().reason.find("keeps 198.51.100.7"), std::string::npos)
      << events.back().reason;
  manager.network_changed();
  ASSERT_EQ(reinvites().size(), 2u);
  EXPECT_EQ(o_line(reinvites().back().body()), o_line(first.body()));  // still version 2
}

// A reload that rebinds the UDP socket to another port moves the Contact
// without a new host.
TEST_F(TargetRefreshTest, ListeningPortMovedOverUdpSendsReInvite) {
  establish_outgoing();
  local_address.port = 5070;
  manager.network_changed();
  ASSERT_EQ(reinvites().size(), 1u);
  EXPECT_EQ(reinvites().front().header(sip::HeaderId::contact).value_or(""),
            "<sip:alice@198.51.100.7:5070>");
  EXPECT_NE(reinvites().front().body().find("c=IN IP4 198.51.100.7\r\n"), std::string_view::npos);
}

// Over TCP the Contact names a connection's port, so another port alone
// says nothing; but new listening sockets (a reload) closed that connection,
// and the call moves whatever its address. A refused move is tried again at
// the next change.
TEST_F(TargetRefreshTest, NewListeningSocketsMoveACallOverTcp) {
  const Target tcp_peer{TransportKind::tcp, "192.0.2.10", 5060, {}};
  routes->routes = {route_to(tcp_peer, "sip:192.0.2.10;transport=tcp")};
  ASSERT_TRUE(manager.place(alice(), "sip:bob@example.com", routes).has_value());
  clock.run_due();
  auto ok = sip::response_to(last("INVITE"), 200, {}, "bob-1");
  ok.add(sip::HeaderId::contact, "<sip:bob@192.0.2.99:5070;transport=tcp>");
  ok.add(sip::HeaderId::record_route, "<sip:192.0.2.10;lr;transport=tcp>");
  ok.body("application/sdp", peer_offer);
  auto answer = ok.build();
  ASSERT_TRUE(answer.has_value());
  wire.deliver(*answer, tcp_peer);
  clock.run_due();
  ASSERT_EQ(events.back().type, CallEventType::answered);

  local_address.port = 40123;  // the port of another connection
  manager.network_changed();
  clock.run_due();
  EXPECT_TRUE(reinvites().empty());

  manager.network_changed(/*sockets_replaced=*/true);
  clock.run_due();
  ASSERT_EQ(reinvites().size(), 1u);
  EXPECT_EQ(reinvites().front().header(sip::HeaderId::contact).value_or(""),
            "<sip:alice@198.51.100.7:40123;transport=tcp>");
  answer_reinvite(reinvites().front(), 488);
  EXPECT_EQ(events.back().type, CallEventType::updated);

  manager.network_changed();  // nothing new, but the refused move is owed
  clock.run_due();
  ASSERT_EQ(reinvites().size(), 2u);
  answer_reinvite(reinvites().back(), 200, "<sip:bob@192.0.2.99:5070;transport=tcp>");
  manager.network_changed();  // moved now: nothing more to send
  clock.run_due();
  EXPECT_EQ(reinvites().size(), 2u);
}

// §8.1.3.1: a transport error counts as 503, which leaves the session.
TEST_F(TargetRefreshTest, TransportErrorKeepsTheSessionAndTheNextChangeTriesAgain) {
  establish_outgoing();
  wire.refuse(primary, sip::TransportError::refused);
  move();
  ASSERT_EQ(reinvites().size(), 1u);
  clock.advance(1s);
  EXPECT_TRUE(sent("BYE").empty());
  EXPECT_EQ(types(), (std::vector{CallEventType::answered, CallEventType::updated}));
  EXPECT_EQ(events.back().status_code, 503);
  wire.allow(primary);
  manager.network_changed();
  ASSERT_EQ(reinvites().size(), 2u);
  EXPECT_EQ(o_line(reinvites().back().body()), o_line(reinvites().front().body()));
}

TEST_F(TargetRefreshTest, IncomingReInviteWhileOursIsInFlightGets491) {
  establish_incoming();
  move();
  ASSERT_EQ(reinvites().size(), 1u);
  wire.deliver(uas_request("INVITE", 2, our_tag(), "z9hG4bK-re2", peer_offer), primary);
  clock.run_due();
  EXPECT_EQ(responses(491).size(), 1u);
  EXPECT_TRUE(responses(500).empty());
  // Once ours is answered, the peer's next re-INVITE is taken.
  answer_reinvite(reinvites().front(), 200);
  EXPECT_EQ(acks(1).size(), 1u);
  wire.deliver(uas_request("INVITE", 3, our_tag(), "z9hG4bK-re3", peer_offer), primary);
  clock.run_due();
  ASSERT_EQ(responses(200).size(), 2u);  // the INVITE's and this one's
  EXPECT_NE(responses(200).back().body().find("c=IN IP4 203.0.113.5"), std::string_view::npos);
}

TEST_F(TargetRefreshTest, ChangeDuringAReInviteSendsAnotherOnceItCompletes) {
  establish_outgoing();
  move();
  ASSERT_EQ(reinvites().size(), 1u);
  move("203.0.113.6");
  EXPECT_EQ(reinvites().size(), 1u);  // one at a time (§14.1)
  answer_reinvite(reinvites().front(), 200);
  ASSERT_EQ(acks(2).size(), 1u);
  ASSERT_EQ(reinvites().size(), 2u);
  const sip::Message second = reinvites().back();
  EXPECT_EQ(second.cseq().number, 3u);
  EXPECT_EQ(second.header(sip::HeaderId::contact).value_or(""), "<sip:alice@203.0.113.6:5062>");
  EXPECT_EQ(o_line(second.body()),
            o_line_moved(o_line(reinvites().front().body()), 3, "203.0.113.6"));
}

TEST_F(TargetRefreshTest, ChangeWhilePeerReInviteAwaitsItsAckWaitsForTheAck) {
  establish_incoming();
  wire.deliver(uas_request("INVITE", 2, our_tag(), "z9hG4bK-re2", peer_offer), primary);
  clock.run_due();
  move();
  EXPECT_TRUE(reinvites().empty());  // §14.1: their INVITE transaction is not done
  wire.deliver(uas_request("ACK", 2, our_tag(), "z9hG4bK-ack2"), primary);
  clock.run_due();
  ASSERT_EQ(reinvites().size(), 1u);
  EXPECT_EQ(reinvites().front().header(sip::HeaderId::contact).value_or(""),
            "<sip:alice@203.0.113.5:5062>");
}

TEST_F(TargetRefreshTest, EarlyCallIsRefreshedOnceEstablished) {
  auto id = manager.place(alice(), "sip:bob@example.com", routes);
  ASSERT_TRUE(id.has_value());
  clock.run_due();
  const sip::Message invite = last("INVITE");
  reply(invite, 180);
  move();
  EXPECT_TRUE(reinvites().empty());
  reply(invite, 200, primary, peer_offer);
  ASSERT_EQ(acks(1).size(), 1u);
  ASSERT_EQ(reinvites().size(), 1u);
  EXPECT_EQ(reinvites().front().header(sip::HeaderId::contact).value_or(""),
            "<sip:alice@203.0.113.5:5062>");
}

TEST_F(TargetRefreshTest, RingingIncomingCallIsRefreshedAfterItsAck) {
  wire.deliver(uas_request("INVITE", 1, {}, "z9hG4bK-in1", peer_offer), primary);
  clock.run_due();
  const std::string id = events.back().call_id;
  move();
  ASSERT_TRUE(manager.answer(id).has_value());
  EXPECT_TRUE(reinvites().empty());
  wire.deliver(uas_request("ACK", 1, our_tag(), "z9hG4bK-ack1"), primary);
  clock.run_due();
  // The 200 already named the new Contact, but its SDP the old address.
  ASSERT_EQ(reinvites().size(), 1u);
  EXPECT_NE(reinvites().front().body().find("c=IN IP4 203.0.113.5"), std::string_view::npos);
}

TEST_F(TargetRefreshTest, TwoHundredAfterHangupIsStillAcked) {
  const std::string id = establish_outgoing();
  move();
  ASSERT_TRUE(manager.hangup(id).has_value());
  answer_reinvite(reinvites().front(), 200);
  EXPECT_EQ(acks(2).size(), 1u);
  EXPECT_EQ(types(), (std::vector{CallEventType::answered, CallEventType::ended}));
}

TEST(Reoffer, KeepsEveryMediaLineAndChangesOnlyOriginAndConnection) {
  const std::string previous =
      "v=0\r\no=sipline 42 3 IN IP4 198.51.100.7\r\ns=sipline\r\nc=IN IP4 198.51.100.7\r\n"
      "t=0 0\r\nm=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=recvonly\r\n"
      "m=video 0 RTP/AVP 31\r\n";
  LocalMedia media;
  media.address = "2001:db8::5";
  media.session_id = 42;
  media.version = 4;
  EXPECT_EQ(reoffer(previous, media),
            "v=0\r\no=sipline 42 4 IN IP6 2001:db8::5\r\ns=sipline\r\nc=IN IP6 2001:db8::5\r\n"
            "t=0 0\r\nm=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=recvonly\r\n"
            "m=video 0 RTP/AVP 31\r\n");
  media.address = "203.0.113.5";
  EXPECT_EQ(reoffer("not sdp", media), build_offer(media));
}

}  // namespace
}  // namespace sipline::call::test

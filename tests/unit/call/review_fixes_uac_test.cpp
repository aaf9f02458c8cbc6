// Fixes from the call layer review, UAC side and SDP: the ACK kept for the
// main dialog only, forks BYEd once, no second INVITE after a 1xx, the ring
// timeout, BYE with credentials, and the answer's direction.

#include "call/sdp.hpp"
#include "call_fixture.hpp"

namespace sipline::call::test {
namespace {

class ReviewUacTest : public CallTest {
 protected:
  std::string place() {
    auto id = manager.place(alice(), "sip:bob@example.com", routes);
    EXPECT_TRUE(id.has_value());
    clock.run_due();
    return id ? *id : std::string();
  }
};

// Fix 3 (§13.2.2.4): a forked 2xx does not replace the main dialog's ACK,
// and its retransmissions are ACKed without another BYE.
TEST_F(ReviewUacTest, ForkedTwoHundredKeepsTheMainAckAndIsByedOnce) {
  place();
  const sip::Message invite = last("INVITE");
  reply(invite, 200, primary, peer_offer, {}, "bob-1");
  reply(invite, 200, primary, peer_offer, {}, "bob-2");
  ASSERT_EQ(sent("ACK").size(), 2u);
  ASSERT_EQ(sent("BYE").size(), 1u);
  EXPECT_EQ(sent("BYE").front().message.to_tag(), "bob-2");

  reply(invite, 200, primary, peer_offer, {}, "bob-1");  // main retransmitted
  ASSERT_EQ(sent("ACK").size(), 3u);
  EXPECT_EQ(last("ACK").to_tag(), "bob-1");

  reply(invite, 200, primary, peer_offer, {}, "bob-2");  // fork retransmitted
  ASSERT_EQ(sent("ACK").size(), 4u);
  EXPECT_EQ(last("ACK").to_tag(), "bob-2");
  EXPECT_EQ(sent("BYE").size(), 1u);
  EXPECT_EQ(events.back().type, CallEventType::answered);
}

// Fix 7: after a 1xx the first branch may still ring; no INVITE elsewhere.
TEST_F(ReviewUacTest, TransportFailureAfterProvisionalEndsWithoutFailover) {
  place();
  reply(last("INVITE"), 180);
  layer.on_transport_error(primary, sip::TransportError::reset);
  clock.run_due();
  EXPECT_EQ(sent("INVITE").size(), 1u);
  ASSERT_EQ(types(), (std::vector{CallEventType::ringing, CallEventType::ended}));
  EXPECT_EQ(manager.size(), 0u);
}

TEST_F(ReviewUacTest, TransportFailureBeforeAnyResponseStillFailsOver) {
  place();
  layer.on_transport_error(primary, sip::TransportError::reset);
  clock.run_due();
  ASSERT_EQ(sent("INVITE").size(), 2u);
  EXPECT_EQ(sent("INVITE").back().target, backup);
}

// Fix 12: ringing too long is CANCELled.
TEST_F(ReviewUacTest, RingTimeoutCancels) {
  place();
  const sip::Message invite = last("INVITE");
  reply(invite, 180);
  clock.advance(manager.limits().ring_timeout - 1ms);
  EXPECT_TRUE(sent("CANCEL").empty());
  clock.advance(1ms);
  ASSERT_EQ(sent("CANCEL").size(), 1u);
  reply(invite, 487);
  ASSERT_EQ(events.back().type, CallEventType::ended);
  EXPECT_EQ(events.back().status_code, 487);
  EXPECT_EQ(events.back().reason, "no answer (ring timeout)");
}

TEST_F(ReviewUacTest, AnswerBeforeTheRingTimeoutStopsIt) {
  place();
  const sip::Message invite = last("INVITE");
  reply(invite, 180);
  reply(invite, 200, primary, peer_offer);
  clock.advance(manager.limits().ring_timeout + 1s);
  EXPECT_TRUE(sent("CANCEL").empty());
  EXPECT_EQ(events.back().type, CallEventType::answered);
}

// [account.calls] ring_timeout: the caller's own ring time, not the default.
TEST_F(ReviewUacTest, AccountRingTimeoutReplacesTheDefault) {
  LocalParty party = alice();
  CallLimits own;
  own.ring_timeout = 30s;
  party.limits = own;
  ASSERT_TRUE(manager.place(party, "sip:bob@example.com", routes).has_value());
  clock.run_due();
  reply(last("INVITE"), 180);
  clock.advance(30s - 1ms);
  EXPECT_TRUE(sent("CANCEL").empty());
  clock.advance(1ms);
  EXPECT_EQ(sent("CANCEL").size(), 1u);
}

// The ring time is per server: ringing through the primary before its 503
// does not count against the backup's ringing.
TEST_F(ReviewUacTest, RingTimeoutRestartsOnTheNextServer) {
  place();
  reply(last("INVITE"), 180);
  clock.advance(manager.limits().ring_timeout - 10s);
  reply(last("INVITE"), 503);
  ASSERT_EQ(sent("INVITE").size(), 2u);
  const sip::Message second = last("INVITE");
  ASSERT_EQ(sent("INVITE").back().target, backup);
  reply(second, 180, backup);
  clock.advance(10s);  // the first server's timer would have run out by now
  EXPECT_TRUE(sent("CANCEL").empty());
  clock.advance(manager.limits().ring_timeout - 10s - 1ms);
  EXPECT_TRUE(sent("CANCEL").empty());
  clock.advance(1ms);
  ASSERT_EQ(sent("CANCEL").size(), 1u);
  EXPECT_EQ(sent("CANCEL").back().target, backup);
}

// Fix 11 (§22.2): a challenged BYE is sent once more with credentials.
TEST_F(ReviewUacTest, ChallengedByeIsRetriedOnceWithCredentials) {
  const std::string id = place();
  reply(last("INVITE"), 200, primary, peer_offer);
  ASSERT_TRUE(manager.hangup(id).has_value());
  ASSERT_EQ(sent("BYE").size(), 1u);
  const sip::Message first = last("BYE");
  reply(first, 401, primary, {},
        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"\r\n");
  ASSERT_EQ(sent("BYE").size(), 2u);
  const sip::Message second = last("BYE");
  EXPECT_EQ(second.cseq().number, first.cseq().number + 1);
  EXPECT_NE(second.top_via().branch, first.top_via().branch);
  auto credentials = second.header(sip::HeaderId::authorization);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_NE(credentials->find("username=\"alice\""), std::string_view::npos);
  EXPECT_NE(credentials->find("uri=\"sip:bob@192.0.2.99:5070\""), std::string_view::npos);

  reply(second, 401, primary, {},
        "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n2\", qop=\"auth\"\r\n");
  EXPECT_EQ(sent("BYE").size(), 2u);
}

// Fix 4 (RFC 3264 §6.1): the answer mirrors the offered direction.
std::string answer_direction_for(const std::string& attributes) {
  LocalMedia media;
  media.address = "198.51.100.7";
  auto answer = build_answer(peer_offer + attributes, media);
  if (!answer) return "error";
  auto audio = parse_audio(*answer);
  return audio ? audio->direction : "error";
}

TEST(ReviewSdp, AnswerMirrorsTheOfferedDirection) {
  EXPECT_EQ(answer_direction_for(""), "sendrecv");
  EXPECT_EQ(answer_direction_for("a=sendrecv\r\n"), "sendrecv");
  EXPECT_EQ(answer_direction_for("a=sendonly\r\n"), "recvonly");
  EXPECT_EQ(answer_direction_for("a=recvonly\r\n"), "sendonly");
  EXPECT_EQ(answer_direction_for("a=inactive\r\n"), "inactive");
}

TEST(ReviewSdp, MediaLevelDirectionOverridesTheSessionLevel) {
  const std::string offer =
      "v=0\r\no=peer 7 7 IN IP4 192.0.2.99\r\ns=-\r\nc=IN IP4 192.0.2.99\r\nt=0 0\r\n"
      "a=inactive\r\nm=audio 30000 RTP/AVP 0\r\na=sendonly\r\n";
  LocalMedia media;
  media.address = "198.51.100.7";
  auto answer = build_answer(offer, media);
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->find("a=recvonly"), std::string::npos);
  EXPECT_EQ(answer->find("a=sendrecv"), std::string::npos);
  auto session_only = build_answer(
      "v=0\r\no=peer 7 7 IN IP4 192.0.2.99\r\ns=-\r\nc=IN IP4 192.0.2.99\r\nt=0 0\r\n"
      "a=inactive\r\nm=audio 30000 RTP/AVP 0\r\n",
      media);
  ASSERT_TRUE(session_only.has_value());
  EXPECT_NE(session_only->find("a=inactive"), std::string::npos);
}

}  // namespace
}  // namespace sipline::call::test

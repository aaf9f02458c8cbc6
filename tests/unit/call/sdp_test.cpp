#include "call/sdp.hpp"

#include <gtest/gtest.h>

namespace sipline::call {
namespace {

const LocalMedia media{"198.51.100.7", 40000, 11, 1};

TEST(Sdp, OfferListsPcmuPcmaAndTelephoneEvent) {
  const std::string offer = build_offer(media);
  EXPECT_EQ(offer.rfind("v=0\r\n", 0), 0u);
  EXPECT_NE(offer.find("c=IN IP4 198.51.100.7\r\n"), std::string::npos);
  EXPECT_NE(offer.find("m=audio 40000 RTP/AVP 0 8 101\r\n"), std::string::npos);
  auto audio = parse_audio(offer);
  ASSERT_TRUE(audio.has_value());
  EXPECT_EQ(audio->port, 40000);
  EXPECT_EQ(
      audio->formats,
      (std::vector<Format>{{0, Codec::pcmu}, {8, Codec::pcma}, {101, Codec::telephone_event}}));
}

TEST(Sdp, AnswerKeepsTheOfferersOrderAndNumbers) {
  const std::string offer =
      "v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=audio 5004 RTP/AVP 9 8 96 0\r\na=rtpmap:96 telephone-event/8000\r\n";
  auto answer = build_answer(offer, media);
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->find("m=audio 40000 RTP/AVP 8 96 0\r\n"), std::string::npos);
  EXPECT_NE(answer->find("a=rtpmap:96 telephone-event/8000"), std::string::npos);
}

TEST(Sdp, VideoIsRefusedWithPortZeroKeepingLineCount) {
  const std::string offer =
      "v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=audio 5004 RTP/AVP 0\r\nm=video 5006 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
  auto answer = build_answer(offer, media);
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->find("m=audio 40000 RTP/AVP 0\r\n"), std::string::npos);
  EXPECT_NE(answer->find("m=video 0 RTP/AVP 96\r\n"), std::string::npos);
}

TEST(Sdp, NoCommonVoiceCodecIsUnsupported) {
  const std::string offer =
      "v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=audio 5004 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n";
  auto answer = build_answer(offer, media);
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().code, Errc::unsupported);
}

TEST(Sdp, GarbageIsMalformedNeverACrash) {
  for (std::string_view text : {"", "hello", "v=1\r\n", "v=0\r\nm=audio x RTP/AVP 0\r\n",
                                "v=0\r\nm=audio\r\n", "v=0\r\nm=audio 99999 RTP/AVP 0\r\n"}) {
    auto answer = build_answer(text, media);
    EXPECT_FALSE(answer.has_value()) << text;
    EXPECT_FALSE(answer_acceptable(text));
  }
}

TEST(Sdp, AnswerAcceptabilityNeedsAVoiceCodecOnAnOpenPort) {
  EXPECT_TRUE(answer_acceptable(build_offer(media)));
  EXPECT_FALSE(answer_acceptable("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 0 RTP/AVP 0\r\n"));
  EXPECT_FALSE(
      answer_acceptable("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 101\r\n"
                        "a=rtpmap:101 telephone-event/8000\r\n"));
}

}  // namespace
}  // namespace sipline::call

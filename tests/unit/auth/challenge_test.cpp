#include "auth/challenge.hpp"

#include <gtest/gtest.h>

namespace sipline::auth {
namespace {

TEST(Challenge, FullRfc7616Challenge) {
  auto ch = parse_challenge(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_EQ(ch->realm, "http-auth@example.org");
  EXPECT_EQ(ch->nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  ASSERT_TRUE(ch->opaque);
  EXPECT_EQ(*ch->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_EQ(ch->algorithm, Algorithm::sha256);
  EXPECT_EQ(ch->algorithm_token, "SHA-256");
  EXPECT_TRUE(ch->qop.present);
  EXPECT_TRUE(ch->qop.auth);
  EXPECT_TRUE(ch->qop.auth_int);
  EXPECT_FALSE(ch->qop.others);
  EXPECT_FALSE(ch->stale);
  EXPECT_FALSE(ch->userhash);
  EXPECT_FALSE(ch->domain);
}

TEST(Challenge, NamesDifferingInANonLetterAreNotTaken) {
  // Only the case of letters is ignored: '_' and '`' differ from letters in
  // the case bit too, yet match none.
  auto ch = parse_challenge("Digest realm=\"r\", nonce=\"n\", stal_=true, `ser=x, Qo`=\"auth\"");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_FALSE(ch->stale);
  EXPECT_FALSE(ch->qop.present);
  EXPECT_EQ(parse_challenge("Dig_st realm=\"r\", nonce=\"n\"").error().code, Errc::unsupported);
  EXPECT_EQ(parse_challenge("Digest r`alm=\"r\", nonce=\"n\"").error().code, Errc::missing);
}

TEST(Challenge, AllParametersAnyOrderAnyCase) {
  auto ch = parse_challenge(
      "dIgEsT USERHASH=TRUE, Charset=UTF-8, Domain=\"sip:ss1.example.com sip:ss2.example.com\", "
      "STALE=TRUE, ALGORITHM=sha-512-256-SESS, QOP=\"AUTH-INT\", Opaque=\"\", NONCE=\"n\", "
      "Realm=\"r\"");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_EQ(ch->realm, "r");
  EXPECT_EQ(ch->nonce, "n");
  ASSERT_TRUE(ch->opaque);
  EXPECT_EQ(*ch->opaque, "");
  ASSERT_TRUE(ch->domain);
  EXPECT_EQ(*ch->domain, "sip:ss1.example.com sip:ss2.example.com");
  ASSERT_TRUE(ch->charset);
  EXPECT_EQ(*ch->charset, "UTF-8");
  EXPECT_EQ(ch->algorithm, Algorithm::sha512_256_sess);
  EXPECT_FALSE(ch->qop.auth);
  EXPECT_TRUE(ch->qop.auth_int);
  EXPECT_TRUE(ch->stale);
  EXPECT_TRUE(ch->userhash);
}

TEST(Challenge, DefaultsWhenAbsent) {
  auto ch =
      parse_challenge("Digest realm=\"atlanta.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\"");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_EQ(ch->algorithm, Algorithm::md5);  // RFC 7616 §3.3
  EXPECT_TRUE(ch->algorithm_token.empty());
  EXPECT_FALSE(ch->qop.present);
  EXPECT_EQ(choose_qop(ch->qop), Qop::none);
  EXPECT_FALSE(ch->opaque);
}

TEST(Challenge, QuotedStaleAndAlgorithmAreAccepted) {
  auto ch = parse_challenge(
      "Digest qop=\"auth\", realm=\"IP Camera(C2183)\", nonce=\"4e54\", stale=\"TRUE\", "
      "algorithm=\"MD5\"");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_TRUE(ch->stale);
  EXPECT_EQ(ch->algorithm, Algorithm::md5);
  EXPECT_EQ(ch->realm, "IP Camera(C2183)");
}

TEST(Challenge, StaleIsTrueOnlyForTrue) {
  for (const char* v : {"false", "FALSE", "yes", "1", "\"\""}) {
    auto ch = parse_challenge(std::string("Digest realm=\"r\", nonce=\"n\", stale=") + v);
    ASSERT_TRUE(ch) << v;
    EXPECT_FALSE(ch->stale) << v;
  }
}

TEST(Challenge, UnquotedQopTokenAndUnknownQopValues) {
  auto bare = parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=auth");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->qop.auth);
  EXPECT_EQ(choose_qop(bare->qop), Qop::auth);

  auto mixed = parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int,foo\"");
  ASSERT_TRUE(mixed);
  EXPECT_TRUE(mixed->qop.auth_int);
  EXPECT_TRUE(mixed->qop.others);
  EXPECT_EQ(choose_qop(mixed->qop), Qop::auth_int);

  auto unknown = parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"foo, bar\"");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(choose_qop(unknown->qop));

  auto empty = parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"\"");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(choose_qop(empty->qop));
}

TEST(Challenge, ChooseQopPrefersAuth) {
  QopOffer both{true, true, true, false};
  EXPECT_EQ(choose_qop(both), Qop::auth);
  QopOffer only_int{true, false, true, false};
  EXPECT_EQ(choose_qop(only_int), Qop::auth_int);
}

TEST(Challenge, UnknownAlgorithmIsReportedNotFatal) {
  auto ch = parse_challenge("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_FALSE(ch->algorithm);
  EXPECT_EQ(ch->algorithm_token, "AKAv1-MD5");
}

TEST(Challenge, UnknownParametersAreIgnored) {
  auto ch = parse_challenge(
      "Digest realm=\"r\", x-vendor=\"whatever, with commas\", nonce=\"n\", foo=bar");
  ASSERT_TRUE(ch) << ch.error().message;
  EXPECT_EQ(ch->nonce, "n");
}

TEST(Challenge, OtherSchemesAreUnsupported) {
  for (const char* v : {"Basic realm=\"WallyWorld\"", "Bearer realm=\"x\"", "Negotiate"}) {
    auto ch = parse_challenge(v);
    ASSERT_FALSE(ch) << v;
    EXPECT_EQ(ch.error().code, Errc::unsupported) << v;
  }
}

TEST(Challenge, MissingRealmOrNonce) {
  auto no_nonce = parse_challenge("Digest realm=\"r\"");
  ASSERT_FALSE(no_nonce);
  EXPECT_EQ(no_nonce.error().code, Errc::missing);
  auto no_realm = parse_challenge("Digest nonce=\"n\"");
  ASSERT_FALSE(no_realm);
  EXPECT_EQ(no_realm.error().code, Errc::missing);
  auto bare = parse_challenge("Digest");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().code, Errc::missing);
}

TEST(Challenge, DuplicatesAreErrors) {
  auto ch = parse_challenge("Digest realm=\"r\", nonce=\"a\", Nonce=\"b\"");
  ASSERT_FALSE(ch);
  EXPECT_EQ(ch.error().code, Errc::malformed);
}

TEST(Challenge, ErrorMessagesCarryNoRawPeerBytes) {
  auto ch = parse_challenge("X\x01\x02 realm=\"r\"");
  ASSERT_FALSE(ch);
  for (char c : ch.error().message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace sipline::auth

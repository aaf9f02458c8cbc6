#include "auth/algorithm.hpp"

#include <gtest/gtest.h>

namespace sipline::auth {
namespace {

TEST(Algorithm, ParsesTokensCaseInsensitively) {
  EXPECT_EQ(parse_algorithm("MD5"), Algorithm::md5);
  EXPECT_EQ(parse_algorithm("md5-SESS"), Algorithm::md5_sess);
  EXPECT_EQ(parse_algorithm("sha-256"), Algorithm::sha256);
  EXPECT_EQ(parse_algorithm("SHA-256-sess"), Algorithm::sha256_sess);
  EXPECT_EQ(parse_algorithm("SHA-512-256"), Algorithm::sha512_256);
  EXPECT_EQ(parse_algorithm("Sha-512-256-Sess"), Algorithm::sha512_256_sess);
  EXPECT_FALSE(parse_algorithm("AKAv1-MD5"));
  EXPECT_FALSE(parse_algorithm("SHA-512"));
  EXPECT_FALSE(parse_algorithm(""));
  EXPECT_FALSE(parse_algorithm("MD5 "));
}

TEST(Algorithm, CanonicalNamesRoundTrip) {
  for (Algorithm a : {Algorithm::md5, Algorithm::md5_sess, Algorithm::sha256,
                      Algorithm::sha256_sess, Algorithm::sha512_256, Algorithm::sha512_256_sess}) {
    EXPECT_EQ(parse_algorithm(to_string(a)), a) << to_string(a);
  }
  EXPECT_EQ(to_string(Algorithm::sha512_256_sess), "SHA-512-256-sess");
}

TEST(Algorithm, SizesComeFromTheAlgorithm) {
  EXPECT_EQ(hex_size(Algorithm::md5), 32U);
  EXPECT_EQ(hex_size(Algorithm::md5_sess), 32U);
  EXPECT_EQ(hex_size(Algorithm::sha256), 64U);
  EXPECT_EQ(hex_size(Algorithm::sha512_256_sess), 64U);
  EXPECT_TRUE(is_session(Algorithm::sha256_sess));
  EXPECT_FALSE(is_session(Algorithm::sha512_256));
}

TEST(Algorithm, StrengthOrder) {
  EXPECT_GT(strength(Algorithm::sha512_256), strength(Algorithm::sha256));
  EXPECT_GT(strength(Algorithm::sha256), strength(Algorithm::md5));
  EXPECT_GT(strength(Algorithm::sha256), strength(Algorithm::sha256_sess));
  EXPECT_GT(strength(Algorithm::sha256_sess), strength(Algorithm::md5));
}

// Known-answer vectors: RFC 1321 (MD5 of ""), FIPS 180-2 (SHA-256 of "abc"),
// FIPS 180-4 example (SHA-512/256 of "abc").
TEST(HashHex, KnownAnswers) {
  auto md5 = hash_hex(Algorithm::md5, {""});
  ASSERT_TRUE(md5);
  EXPECT_EQ(md5->view(), "d41d8cd98f00b204e9800998ecf8427e");
  auto sha = hash_hex(Algorithm::sha256, {"abc"});
  ASSERT_TRUE(sha);
  EXPECT_EQ(sha->view(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto sha512 = hash_hex(Algorithm::sha512_256_sess, {"abc"});
  ASSERT_TRUE(sha512);
  EXPECT_EQ(sha512->view(), "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
}

TEST(HashHex, PartsAreJoinedWithColons) {
  auto joined = hash_hex(Algorithm::sha256, {"a", "", "b"});
  auto literal = hash_hex(Algorithm::sha256, {"a::b"});
  ASSERT_TRUE(joined);
  ASSERT_TRUE(literal);
  EXPECT_EQ(joined->view(), literal->view());
}

TEST(HashHex, OutputSizeDoesNotDependOnInput) {
  const std::string big(100000, 'x');
  auto h = hash_hex(Algorithm::md5, {big, big});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->size(), 32U);
}

}  // namespace
}  // namespace sipline::auth

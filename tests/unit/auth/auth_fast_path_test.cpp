// The fast path of split_auth_fields against the general splitter it stands
// in front of: whatever the fast path accepts, the general path accepts with
// the same fields; and split_auth_fields as a whole gives the general path's
// result, verdict and error text, on seeds and every single-byte mutation.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_params.hpp"
#include "auth/challenge.hpp"
#include "unit/sip/mutations.hpp"

namespace sipline::auth {
namespace {

using sipline::sip::mutations;
using namespace std::string_literals;

// Separators, quoting, folding, escapes, token and non-token bytes, case.
const std::string kAlphabet = std::string(" \t\r\n,=\"\\aAzZ0-*@/:;") + '\0' + "\x7f\x80\xff";

const std::vector<std::string> kSeeds = {
    R"(Digest username="2001",realm="sip.example.com",nonce="ZmQ3YjE2",uri="sip:sip.example.com",)"
    R"(response="7b1f2f0e",algorithm=SHA-256,cnonce="0a4f113b",opaque="5ccc",qop=auth,nc=00000001)",
    R"(Digest realm="sip.example.com", nonce="ZmQ3Yj", opaque="5ccc", algorithm=MD5, qop="auth,auth-int")",
    R"(Digest realm="a", nonce="b", stale=TRUE, domain="sip:a sip:b", userhash=true)",
    R"(Digest realm="", Nonce=n, REALM2=x, rEalm3="y")",
    R"(Basic realm="x")",
    "Digest",
    "Digest a=1,b=\"2\", c=3",
    "Digest realm=\"r\",  nonce=\"n\"",
    "Digest realm=\"a\\\"b\", nonce=\"\r\n c\"",
    "Digest realm=\"r\" , nonce=n ,qop=auth",
    "Digest ab=1, ba=2, Ab=3",
};

bool same_fields(const AuthFields& a, const AuthFields& b) {
  if (a.scheme.data() != b.scheme.data() || a.scheme.size() != b.scheme.size() ||
      a.params.size() != b.params.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    const AuthParam& x = a.params[i];
    const AuthParam& y = b.params[i];
    // Same bytes of the input, not just equal text.
    if (x.name.data() != y.name.data() || x.name.size() != y.name.size() ||
        x.value.data() != y.value.data() || x.value.size() != y.value.size() ||
        x.quoted != y.quoted) {
      return false;
    }
  }
  return true;
}

// Checks one input under `limits`; counts the inputs the fast path decided.
void check_one(const std::string& text, const AuthLimits& limits, std::size_t& fast_accepted) {
  // A buffer of exactly the input's size, so that ASan sees any over-read.
  const auto buffer = std::make_unique<char[]>(text.size() + (text.empty() ? 1 : 0));
  std::memcpy(buffer.get(), text.data(), text.size());
  const std::string_view view(buffer.get(), text.size());

  const auto general = split_auth_fields_general(view, limits);
  AuthFields fast;
  if (split_auth_fields_fast(view, limits, fast)) {
    ++fast_accepted;
    ASSERT_TRUE(general) << "fast path accepted '" << text << "': " << general.error().message;
    EXPECT_TRUE(same_fields(fast, *general)) << text;
  }
  const auto whole = split_auth_fields(view, limits);
  ASSERT_EQ(whole.has_value(), general.has_value()) << text;
  if (whole) {
    EXPECT_TRUE(same_fields(*whole, *general)) << text;
  } else {
    EXPECT_EQ(whole.error().code, general.error().code) << text;
    EXPECT_EQ(whole.error().message, general.error().message) << text;
  }
}

TEST(AuthFastPath, AgreesWithTheGeneralSplitterOnEveryMutation) {
  std::size_t fast_accepted = 0;
  std::size_t inputs = 0;
  for (const std::string& text : mutations(kSeeds, kAlphabet)) {
    ++inputs;
    check_one(text, AuthLimits{}, fast_accepted);
  }
  // The fast path decided most of them: the comparison covered it.
  EXPECT_GT(fast_accepted, inputs / 4) << inputs;
}

TEST(AuthFastPath, AgreesAtTheLimits) {
  // Limits just met and just exceeded, for each of the three.
  const std::vector<std::string> seeds = {
      "Digest a=\"1234\", b=5678",
      "Digest a=1, b=2",
      "Digest a=1234,b=\"\"",
  };
  std::size_t fast_accepted = 0;
  for (std::size_t size : {3U, 4U, 5U}) {
    for (std::size_t count : {1U, 2U, 3U}) {
      for (std::size_t whole : {14U, 15U, 16U, 22U, 23U, 24U}) {
        AuthLimits limits;
        limits.max_param_size = size;
        limits.max_params = count;
        limits.max_value_size = whole;
        for (const std::string& text : mutations(seeds, "\"1, ")) {
          check_one(text, limits, fast_accepted);
        }
      }
    }
  }
  EXPECT_GT(fast_accepted, 100U);
}

TEST(AuthFastPath, ManyParametersAndDuplicatesFarApart) {
  // More parameters than fit inline, and duplicates that share only their
  // (length, first letter) with earlier names, or differ only in case.
  std::string many = "Digest ";
  for (int i = 0; i < 30; ++i) {
    many += "p" + std::to_string(i) + "=\"v\", ";
  }
  std::size_t fast_accepted = 0;
  for (const std::string& text : {many + "z=1", many + "p7=2", many + "P29=x", many + "q1=1, Q1=2",
                                  "Digest ab=1, aB=2"s, "Digest ab=1, ac=2, AC=3"s,
                                  "Digest a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=9, j=10, "
                                  "k=11, l=12, m=13, n=14, o=15"s}) {
    check_one(text, AuthLimits{}, fast_accepted);
  }
  EXPECT_EQ(fast_accepted, 2U);  // the two without a duplicate
}

TEST(AuthFastPath, ChallengesAgreeWithTheGeneralSplitter) {
  // parse_challenge on top of the fast path: its verdict on each mutation is
  // the general splitter's whenever the splitter rejects.
  for (const std::string& text : mutations(kSeeds, kAlphabet)) {
    const auto general = split_auth_fields_general(text);
    const auto ch = parse_challenge(text);
    if (!general) {
      ASSERT_FALSE(ch) << text;
      EXPECT_EQ(ch.error().message, general.error().message) << text;
    }
  }
}

}  // namespace
}  // namespace sipline::auth

#include "auth/auth_params.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipline::auth {
namespace {

TEST(SplitAuthFields, SchemeAndParams) {
  auto f = split_auth_fields(R"(Digest realm="a b", nonce=xyz ,algorithm = MD5)");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->scheme, "Digest");
  ASSERT_EQ(f->params.size(), 3U);
  EXPECT_EQ(f->params[0].name, "realm");
  EXPECT_EQ(f->params[0].value, "a b");
  EXPECT_TRUE(f->params[0].quoted);
  EXPECT_EQ(f->params[1].value, "xyz");
  EXPECT_FALSE(f->params[1].quoted);
  EXPECT_EQ(f->params[2].name, "algorithm");
  EXPECT_EQ(f->params[2].value, "MD5");
  ASSERT_NE(f->find("NONCE"), nullptr);
  EXPECT_EQ(f->find("NONCE")->value, "xyz");
  EXPECT_EQ(f->find("opaque"), nullptr);
}

TEST(SplitAuthFields, FoldingIsWhitespace) {
  auto f = split_auth_fields("Digest\r\n realm=\"r\",\r\n\tnonce=\"n\r\n  more\"\r\n ,qop=auth");
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->params.size(), 3U);
  EXPECT_EQ(f->params[1].value, "n\r\n  more");
  EXPECT_EQ(unquote(f->params[1].value), "n  more");
  EXPECT_EQ(f->params[2].value, "auth");
}

TEST(SplitAuthFields, QuotedPairsStayRawUntilUnquoted) {
  auto f = split_auth_fields(R"(Digest realm="a\"b\\c", nonce="\,")");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->params[0].value, R"(a\"b\\c)");
  EXPECT_EQ(unquote(f->params[0].value), R"(a"b\c)");
  EXPECT_EQ(unquote(f->params[1].value), ",");
}

TEST(SplitAuthFields, EmptyListElementsAreSkipped) {
  auto f = split_auth_fields("Digest ,, realm=\"r\" , , nonce=\"n\",");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->params.size(), 2U);
}

TEST(SplitAuthFields, SchemeAlone) {
  auto f = split_auth_fields("  Digest  ");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->scheme, "Digest");
  EXPECT_TRUE(f->params.empty());
}

TEST(SplitAuthFields, DuplicateNamesAreRejected) {
  auto f = split_auth_fields(R"(Digest realm="a", REALM="b")");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::malformed);
}

TEST(SplitAuthFields, GrammarErrors) {
  const char* bad[] = {
      "",
      "   ",
      "\"Digest\" realm=\"r\"",
      "Digest realm",
      "Digest realm=",
      "Digest realm=\"unterminated",
      "Digest realm=\"r\" nonce=\"n\"",     // missing comma
      "Digest realm=\"a\rb\"",              // bare CR
      "Digest realm=\"a\nb\"",              // bare LF
      "Digest realm=\"a\r\nb\"",            // CRLF not followed by WSP
      "Digest realm=\"a\\\r\n b\"",         // quoted-pair of CR
      "Digest realm=\"r\"\r\nnonce=\"n\"",  // a line break, not folding
      "Digest=x",
      "Digest realm=@",
      "Digest realm=\"r\" \\",
  };
  for (const char* text : bad) {
    auto f = split_auth_fields(text);
    EXPECT_FALSE(f) << text;
  }
  // NUL inside a quoted-string (a view, not a C string).
  const std::string with_nul("Digest realm=\"a\0b\"", 18);
  auto f = split_auth_fields(with_nul);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::malformed);
  // A quoted-pair may escape NUL, though.
  const std::string escaped_nul("Digest realm=\"a\\\0b\"", 19);
  auto g = split_auth_fields(escaped_nul);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(unquote(g->params[0].value), std::string("a\0b", 3));
}

TEST(SplitAuthFields, NeverReadsPastTheView) {
  // The view stops before the closing quote; the byte after it must not count.
  const std::string text = "Digest realm=\"abc\"";
  auto f = split_auth_fields(std::string_view(text).substr(0, text.size() - 1));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::malformed);
  // A trailing backslash at the end of the view.
  auto g = split_auth_fields(std::string_view("Digest realm=\"a\\\"", 16));
  EXPECT_FALSE(g);
}

TEST(SplitAuthFields, Limits) {
  AuthLimits limits;
  limits.max_param_size = 8;
  limits.max_params = 2;
  limits.max_value_size = 64;
  EXPECT_TRUE(split_auth_fields(R"(Digest a="12345678", b=1)", limits));
  auto long_value = split_auth_fields(R"(Digest a="123456789")", limits);
  ASSERT_FALSE(long_value);
  EXPECT_EQ(long_value.error().code, Errc::limit_exceeded);
  auto many = split_auth_fields("Digest a=1, b=2, c=3", limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, Errc::limit_exceeded);
  auto whole = split_auth_fields("Digest " + std::string(64, ' ') + "a=1", limits);
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().code, Errc::limit_exceeded);
  // Defaults: a 10 KB nonce is refused cleanly.
  auto huge = split_auth_fields("Digest realm=\"r\", nonce=\"" + std::string(10240, 'n') + "\"");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::limit_exceeded);
}

TEST(Quoting, AppendQuotedEscapes) {
  std::string out;
  append_quoted(out, "a\"b\\c\td");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\td\"");
  EXPECT_FALSE(is_quotable("a\r\nb"));
  EXPECT_FALSE(is_quotable("a\nb"));
  EXPECT_TRUE(is_quotable("a b"));
}

TEST(Quoting, QuoteThenSplitRoundTrips) {
  const std::string original = std::string("x\"y\\z\x01", 6) + "\x7f end";
  std::string header = "Digest realm=";
  append_quoted(header, original);
  auto f = split_auth_fields(header);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(unquote(f->params[0].value), original);
}

TEST(Printable, ReplacesControlsAndTruncates) {
  EXPECT_EQ(printable("abc"), "'abc'");
  EXPECT_EQ(printable("a\r\nb"), "'a??b'");
  const std::string p = printable(std::string(500, 'x'));
  EXPECT_LT(p.size(), 80U);
  EXPECT_NE(p.find("..."), std::string::npos);
}

TEST(Tokens, CaseInsensitiveCompareAndTokenCheck) {
  EXPECT_TRUE(iequals("Digest", "dIGEST"));
  EXPECT_FALSE(iequals("Digest", "Digest "));
  EXPECT_TRUE(is_token("SHA-512-256"));
  EXPECT_TRUE(is_token("username*"));
  EXPECT_FALSE(is_token(""));
  EXPECT_FALSE(is_token("a b"));
  EXPECT_FALSE(is_token("a/b"));
}

}  // namespace
}  // namespace sipline::auth

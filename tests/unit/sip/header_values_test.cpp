#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sip/header_id.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using Views = std::vector<std::string_view>;

// ---- CSeq ------------------------------------------------------------------

TEST(CSeq, NumberAndMethod) {
  auto c = parse_cseq("4711 INVITE");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->number, 4711u);
  EXPECT_EQ(c->method, Method::invite);
  EXPECT_EQ(c->method_text, "INVITE");
  auto folded = parse_cseq(" 0009\r\n  NEWMETHOD ");
  ASSERT_TRUE(folded) << folded.error().message;
  EXPECT_EQ(folded->number, 9u);
  EXPECT_EQ(folded->method, Method::unknown);
  EXPECT_EQ(folded->method_text, "NEWMETHOD");
  EXPECT_EQ(parse_cseq("0 ACK")->number, 0u);
  EXPECT_EQ(parse_cseq("2147483647 BYE")->number, 2147483647u);
}

TEST(CSeq, Errors) {
  EXPECT_EQ(parse_cseq("2147483648 BYE").error().message, "CSeq: number exceeds 2^31-1");
  EXPECT_EQ(parse_cseq("4294967301 BYE").error().code, Errc::out_of_range);
  EXPECT_EQ(parse_cseq("36893488147419103232 BYE").error().code, Errc::out_of_range);
  EXPECT_EQ(parse_cseq("INVITE").error().message, "CSeq: missing sequence number");
  EXPECT_EQ(parse_cseq("1INVITE").error().message, "CSeq: expected whitespace after the number");
  EXPECT_EQ(parse_cseq("1 ").error().message, "CSeq: missing method");
  EXPECT_EQ(parse_cseq("1 INVITE x").error().message, "CSeq: invalid method");
  EXPECT_EQ(parse_cseq("1 INV@ITE").error().message, "CSeq: invalid method");
  EXPECT_EQ(parse_cseq("-1 INVITE").error().code, Errc::malformed);
  EXPECT_EQ(parse_cseq("").error().code, Errc::malformed);
}

// ---- Retry-After -------------------------------------------------------------

TEST(RetryAfter, SecondsCommentAndDuration) {
  auto r = parse_retry_after("120 (maintenance window);duration=3600");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->seconds, 120u);
  EXPECT_EQ(r->comment, "maintenance window");
  EXPECT_EQ(r->duration, 3600u);
  EXPECT_EQ(r->params.get("duration"), "3600"sv);

  auto plain = parse_retry_after("18000");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->seconds, 18000u);
  EXPECT_EQ(plain->comment, "");
  EXPECT_FALSE(plain->duration);
  EXPECT_TRUE(plain->params.empty());
}

TEST(RetryAfter, NestedCommentsQuotedPairsAndParameters) {
  auto r = parse_retry_after("5 (a (nested \\) one) here) ; Duration = 10 ; reason=\"x y\"");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->comment, "a (nested \\) one) here");
  EXPECT_EQ(r->duration, 10u);
  EXPECT_EQ(r->params.get("reason"), "\"x y\""sv);
  auto folded = parse_retry_after("5\r\n (c)\r\n ;duration=1");
  ASSERT_TRUE(folded) << folded.error().message;
  EXPECT_EQ(folded->comment, "c");
  EXPECT_EQ(parse_retry_after("4294967295")->seconds, 4294967295u);
}

TEST(RetryAfter, Errors) {
  EXPECT_EQ(parse_retry_after("4294967296").error().code, Errc::out_of_range);
  EXPECT_EQ(parse_retry_after("949302838503028349304023988").error().message,
            "Retry-After: value exceeds 2^32-1");
  EXPECT_EQ(parse_retry_after("soon").error().message, "Retry-After: not a number of seconds");
  EXPECT_EQ(parse_retry_after("").error().code, Errc::malformed);
  EXPECT_EQ(parse_retry_after("5 (open").error().message, "Retry-After: unterminated comment");
  EXPECT_EQ(parse_retry_after("5 (a\\").error().code, Errc::malformed);
  EXPECT_EQ(parse_retry_after("5 " + std::string(33, '(') + std::string(33, ')')).error().code,
            Errc::limit_exceeded);
  EXPECT_TRUE(parse_retry_after("5 " + std::string(32, '(') + std::string(32, ')')));
  EXPECT_FALSE(parse_retry_after("5 (a) b"));
  EXPECT_FALSE(parse_retry_after("5;duration"));
  EXPECT_FALSE(parse_retry_after("5;duration=x"));
  EXPECT_FALSE(parse_retry_after("5;duration=1;duration=2"));
  EXPECT_EQ(parse_retry_after("5;duration=4294967296").error().code, Errc::out_of_range);
  EXPECT_FALSE(parse_retry_after("5 6"));
}

// ---- Comma-separated lists ---------------------------------------------------

TEST(CommaList, SplitsAtTopLevelCommasOnly) {
  auto list = split_comma_list(" a , \"b, still b\" ,<sip:c@x;p=1,2>;q=1,\r\n d\t,e\"x,y\"z ");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(*list, (Views{"a", "\"b, still b\"", "<sip:c@x;p=1,2>;q=1", "d", "e\"x,y\"z"}));
  EXPECT_EQ(*split_comma_list("single"), (Views{"single"}));
  EXPECT_TRUE(split_comma_list("")->empty());
  EXPECT_TRUE(split_comma_list(" \t ")->empty());
  EXPECT_EQ(*split_comma_list("\"\\\",\""), (Views{"\"\\\",\""}));
}

TEST(CommaList, Errors) {
  EXPECT_EQ(split_comma_list("a,,b").error().message, "empty list element");
  EXPECT_EQ(split_comma_list("a, ,b").error().message, "empty list element");
  EXPECT_EQ(split_comma_list(",a").error().message, "empty list element");
  EXPECT_EQ(split_comma_list("a,").error().message, "empty list element");
  EXPECT_EQ(split_comma_list("a, \"b").error().message, "unterminated quoted string");
  EXPECT_EQ(split_comma_list("<sip:a@b, c").error().message, "missing '>'");
}

TEST(CommaList, MaxValues) {
  EXPECT_EQ(split_comma_list("a,b,c", 3)->size(), 3u);
  auto over = split_comma_list("a,b,c,d", 3);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::limit_exceeded);
  std::string thousand = "x";
  for (int i = 0; i < 999; ++i) thousand += ",x";
  EXPECT_EQ(split_comma_list(thousand).error().code, Errc::limit_exceeded);
  EXPECT_EQ(split_comma_list(thousand, 1000)->size(), 1000u);
}

// ---- Header names ------------------------------------------------------------

TEST(HeaderNames, EveryCanonicalNameRoundTrips) {
  for (int i = 1; i < static_cast<int>(HeaderId::count_); ++i) {
    const auto id = static_cast<HeaderId>(i);
    const std::string_view name = canonical_name(id);
    ASSERT_FALSE(name.empty()) << i;
    EXPECT_EQ(lookup_header(name), id) << name;
    std::string lower(name);
    std::string upper(name);
    for (char& c : lower) c = scan::to_lower(c);
    for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    EXPECT_EQ(lookup_header(lower), id) << lower;
    EXPECT_EQ(lookup_header(upper), id) << upper;
    // One letter off is another (unknown) name.
    std::string changed(name);
    changed[changed.size() / 2] = changed[changed.size() / 2] == 'x' ? 'y' : 'x';
    EXPECT_NE(lookup_header(changed), id) << changed;
  }
  EXPECT_EQ(canonical_name(HeaderId::unknown), "");
  EXPECT_EQ(canonical_name(HeaderId::count_), "");
  EXPECT_EQ(canonical_name(HeaderId::call_id), "Call-ID");
  EXPECT_EQ(canonical_name(HeaderId::cseq), "CSeq");
  EXPECT_EQ(canonical_name(HeaderId::www_authenticate), "WWW-Authenticate");
}

TEST(HeaderNames, CompactForms) {
  const std::vector<std::pair<char, HeaderId>> compact = {{'a', HeaderId::accept_contact},
                                                          {'b', HeaderId::referred_by},
                                                          {'c', HeaderId::content_type},
                                                          {'d', HeaderId::request_disposition},
                                                          {'e', HeaderId::content_encoding},
                                                          {'f', HeaderId::from},
                                                          {'i', HeaderId::call_id},
                                                          {'j', HeaderId::reject_contact},
                                                          {'k', HeaderId::supported},
                                                          {'l', HeaderId::content_length},
                                                          {'m', HeaderId::contact},
                                                          {'o', HeaderId::event},
                                                          {'r', HeaderId::refer_to},
                                                          {'s', HeaderId::subject},
                                                          {'t', HeaderId::to},
                                                          {'u', HeaderId::allow_events},
                                                          {'v', HeaderId::via},
                                                          {'x', HeaderId::session_expires},
                                                          {'y', HeaderId::identity}};
  for (const auto& [letter, id] : compact) {
    EXPECT_EQ(lookup_header(std::string(1, letter)), id) << letter;
    EXPECT_EQ(lookup_header(std::string(1, static_cast<char>(letter - 32))), id) << letter;
  }
  for (const char* none : {"g", "h", "n", "p", "q", "w", "z", "1", "-", "\r"}) {
    EXPECT_EQ(lookup_header(none), HeaderId::unknown) << none;
  }
}

TEST(HeaderNames, NothingElseMatches) {
  for (std::string name :
       {""s, "Vias"s, "Vi"s, "X-Call-ID"s, "Call-I"s, "Call_ID"s, "Call ID"s, "Call\rID"s,
        "Call\x0DID"s, "Contact\x01"s, "Content-Lengthh"s, "Authentication-Infos"s,
        std::string(1000, 'a'), "Call-ID\0"s, "\0Via"s}) {
    EXPECT_EQ(lookup_header(name), HeaderId::unknown) << name;
  }
}

// ---- Methods -----------------------------------------------------------------

TEST(Methods, RoundTripAndCaseSensitivity) {
  for (int i = 1; i <= static_cast<int>(Method::publish); ++i) {
    const auto m = static_cast<Method>(i);
    EXPECT_EQ(method_from(to_string(m)), m) << to_string(m);
  }
  EXPECT_EQ(to_string(Method::unknown), "");
  for (const char* other : {"", "invite", "Invite", "INVITEX", "INVIT", "REGISTE", "PRAC", "OPTION",
                            "NOTIFYY", "ack", "FOO", "I"}) {
    EXPECT_EQ(method_from(other), Method::unknown) << other;
  }
}

// ---- Scanner primitives ------------------------------------------------------

TEST(Scanner, LinearWhiteSpace) {
  EXPECT_EQ(scan::skip_lws(" \t\r\n \r\n\tx", 0), 8u);
  EXPECT_EQ(scan::skip_lws("\r\nx", 0), 0u);  // a line break alone is not LWS
  EXPECT_EQ(scan::skip_lws("  \r\n", 0), 2u);
  EXPECT_EQ(scan::skip_lws("", 0), 0u);
  EXPECT_EQ(scan::trim_lws(" \r\n a b \t\r\n "), "a b");
  EXPECT_EQ(scan::trim_lws(" \t "), "");
}

TEST(Scanner, QuotedStrings) {
  EXPECT_EQ(scan::scan_quoted_string(R"("abc" x)", 0), 5u);
  EXPECT_EQ(scan::scan_quoted_string(R"("a\"b")", 0), 6u);
  EXPECT_EQ(scan::scan_quoted_string(R"("a\\")", 0), 5u);
  EXPECT_EQ(scan::scan_quoted_string(R"("abc)", 0), scan::npos);
  EXPECT_EQ(scan::scan_quoted_string(R"("abc\)", 0), scan::npos);
  EXPECT_EQ(scan::scan_quoted_string("\"a\r\n b\"", 0), 7u);
  EXPECT_EQ(scan::scan_quoted_string("\"a\r\nb\"", 0), scan::npos);
  EXPECT_EQ(scan::scan_quoted_string("\"a\0b\""s, 0), scan::npos);
  EXPECT_EQ(scan::scan_quoted_string("\"a\\\0b\""s, 0), 6u);
  EXPECT_EQ(scan::scan_quoted_string("\"\xC3\xA9\t\"", 0), 5u);
}

TEST(Scanner, Comments) {
  using Status = scan::CommentScan::Status;
  auto c = scan::scan_comment("(a(b)c) rest", 0);
  EXPECT_EQ(c.status, Status::ok);
  EXPECT_EQ(c.end, 7u);
  EXPECT_EQ(scan::scan_comment("(a\\)b)", 0).end, 6u);
  EXPECT_EQ(scan::scan_comment("(a(b)", 0).status, Status::unterminated);
  EXPECT_EQ(scan::scan_comment("((()))", 0, 2).status, Status::too_deep);
  EXPECT_EQ(scan::scan_comment("((()))", 0, 3).status, Status::ok);
  const std::string deep(100000, '(');
  EXPECT_EQ(scan::scan_comment(deep, 0).status, Status::too_deep);
}

TEST(Scanner, Decimal) {
  using Status = scan::NumberStatus;
  std::uint64_t v = 7;
  EXPECT_EQ(scan::parse_decimal("0", 10, v), Status::ok);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(scan::parse_decimal("0010", 10, v), Status::ok);
  EXPECT_EQ(v, 10u);
  EXPECT_EQ(scan::parse_decimal("11", 10, v), Status::too_large);
  EXPECT_EQ(scan::parse_decimal("18446744073709551615", UINT64_MAX, v), Status::ok);
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_EQ(scan::parse_decimal("18446744073709551616", UINT64_MAX, v), Status::too_large);
  EXPECT_EQ(scan::parse_decimal("99999999999999999999999x", UINT64_MAX, v), Status::malformed);
  EXPECT_EQ(scan::parse_decimal("", 10, v), Status::malformed);
  EXPECT_EQ(scan::parse_decimal("+1", 10, v), Status::malformed);
  EXPECT_EQ(scan::parse_decimal(" 1", 10, v), Status::malformed);
}

TEST(Scanner, ClassRunsOfEveryLength) {
  for (std::size_t n = 0; n < 40; ++n) {
    const std::string run = std::string(n, 'a') + ";" + std::string(20, 'b');
    EXPECT_EQ(scan::scan_token(run, 0), n) << n;
    EXPECT_EQ(scan::scan_token(std::string_view(run).substr(0, n), 0), n) << n;
  }
  EXPECT_TRUE(scan::is_token("!%*_+`'~-.aZ09"));
  EXPECT_FALSE(scan::is_token(""));
  EXPECT_FALSE(scan::is_token("a b"));
  EXPECT_FALSE(scan::is_token("a\x80"));
  EXPECT_TRUE(scan::is_word_char('"'));
  EXPECT_FALSE(scan::is_word_char('@'));
  EXPECT_TRUE(scan::iequals("Call-ID", "cALL-id"));
  EXPECT_FALSE(scan::iequals("Call-ID", "Call_ID"));
}

// ---- Message accessors for scalar and token headers -----------------------------

std::string request_with(std::string_view extra) {
  return "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
         "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\n"
         "CSeq: 1 OPTIONS\r\n" +
         std::string(extra) + "\r\n";
}

TEST(MessageScalars, ExpiresAndMinExpires) {
  auto m = Message::parse(request_with("Expires: 3600\r\nMin-Expires: 60\r\n"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->expires().value(), 3600u);
  EXPECT_EQ(m->min_expires().value(), 60u);

  auto none = Message::parse(request_with(""));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->expires().error().code, Errc::not_found);
  EXPECT_EQ(none->min_expires().error().message, "no Min-Expires header field");
  EXPECT_EQ(none->retry_after().error().code, Errc::not_found);

  auto big = Message::parse(request_with("Expires: 4294967296\r\nMin-Expires: 1 0\r\n"));
  ASSERT_TRUE(big);  // decoded on demand only
  EXPECT_EQ(big->expires().error().message, "Expires: value exceeds 2^32-1");
  EXPECT_EQ(big->expires().error().code, Errc::out_of_range);
  EXPECT_EQ(big->min_expires().error().message, "Min-Expires: not a number of seconds");

  auto date = Message::parse(request_with("Expires: Thu, 01 Dec 1994 16:00:00 GMT\r\n"));
  ASSERT_TRUE(date);
  EXPECT_EQ(date->expires().error().code, Errc::malformed);
}

TEST(MessageScalars, RetryAfter) {
  auto m = Message::parse(request_with("Retry-After: 300 (Queue full);duration=60\r\n"));
  ASSERT_TRUE(m) << m.error().message;
  auto r = m->retry_after();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->seconds, 300u);
  EXPECT_EQ(r->comment, "Queue full");
  EXPECT_EQ(r->duration, 60u);
}

TEST(MessageTokens, ListsAcrossFieldsAndCompactForms) {
  auto m = Message::parse(request_with(
      "Allow: INVITE, ACK,OPTIONS\r\nAllow: BYE\r\nk: timer\r\nSupported: path, outbound,\r\n"
      " gruu\r\nRequire:\r\nUnsupported: x-foo\r\nProxy-Require: sec-agree\r\n"
      "u: presence, dialog\r\n"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(*m->tokens(HeaderId::allow), (TokenList{"INVITE", "ACK", "OPTIONS", "BYE"}));
  EXPECT_EQ(*m->tokens(HeaderId::supported), (TokenList{"timer", "path", "outbound", "gruu"}));
  EXPECT_TRUE(m->tokens(HeaderId::require)->empty());
  EXPECT_EQ(*m->tokens(HeaderId::unsupported), (TokenList{"x-foo"}));
  EXPECT_EQ(*m->tokens(HeaderId::proxy_require), (TokenList{"sec-agree"}));
  EXPECT_EQ(*m->tokens(HeaderId::allow_events), (TokenList{"presence", "dialog"}));
  EXPECT_TRUE(m->tokens(HeaderId::accept)->empty());
}

TEST(MessageTokens, Errors) {
  auto m =
      Message::parse(request_with("Allow: INVITE ACK\r\nSupported: a,,b\r\n"
                                  "Require: \"quoted\"\r\n"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->tokens(HeaderId::allow).error().message, "Allow: value is not a token");
  EXPECT_EQ(m->tokens(HeaderId::supported).error().message, "Supported: empty list element");
  EXPECT_EQ(m->tokens(HeaderId::require).error().code, Errc::malformed);

  Limits limits;
  limits.max_list_values = 2;
  auto many = Message::parse(request_with("Allow: A, B\r\nAllow: C\r\n"), limits);
  ASSERT_TRUE(many);
  EXPECT_EQ(many->tokens(HeaderId::allow).error().code, Errc::limit_exceeded);
}

}  // namespace
}  // namespace sipline::sip

// The on-demand accessors' fast paths in message.cpp against the general
// reading they stand in front of: the reuse of the top Via by vias(), the
// one-walk token lists of tokens(), the gathering of fields with one id, and
// the answers for absent headers.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "mutations.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {
namespace {

const std::string kHead =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;rport=5060;received=192.0.2.1 ,"
    " SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2\r\n"
    "Via: SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK3\r\n"
    "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
    "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n";

TEST(FastPath, ViasReusesTheTopViaAndParsesTheRest) {
  auto m = Message::parse(kHead + "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 3U);
  EXPECT_EQ((*vias)[0].raw, m->top_via().raw);
  EXPECT_EQ((*vias)[0].received, "192.0.2.1");
  EXPECT_EQ((*vias)[0].rport_value, 5060);
  EXPECT_EQ((*vias)[1].sent_by.host, "b.example.com");
  EXPECT_EQ((*vias)[1].sent_by.port, 5061);
  EXPECT_EQ((*vias)[2].sent_by.kind, HostKind::ipv6);
  EXPECT_EQ((*vias)[2].branch, "z9hG4bK3");

  Limits one;
  one.max_list_values = 1;
  auto limited = Message::parse(kHead + "\r\n", one);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->vias().error().code, Errc::limit_exceeded);
}

TEST(FastPath, TokenListsAgreeWithTheGeneralListScanner) {
  auto parsed = Message::parse(kHead +
                               "Allow: INVITE ,ACK,\r\n OPTIONS\r\nAllow: BYE\r\n"
                               "Supported: timer, \"path\"\r\nRequire: a,,b\r\n"
                               "Unsupported: a b\r\nProxy-Require: a,\r\n\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& m = *parsed;
  using Views = TokenList;
  EXPECT_EQ(*m.tokens(HeaderId::allow), (Views{"INVITE", "ACK", "OPTIONS", "BYE"}));
  EXPECT_EQ(m.tokens(HeaderId::supported).error().message, "Supported: value is not a token");
  EXPECT_EQ(m.tokens(HeaderId::require).error().message, "Require: empty list element");
  EXPECT_EQ(m.tokens(HeaderId::unsupported).error().message, "Unsupported: value is not a token");
  EXPECT_EQ(m.tokens(HeaderId::proxy_require).error().message, "Proxy-Require: empty list element");
  EXPECT_TRUE(m.tokens(HeaderId::allow_events)->empty());
}

// The reading tokens() stands for: the general list scanner, each element a
// token, with the same error text.
Result<TokenList> general_token_list(std::string_view value, std::string_view name) {
  TokenList out;
  scan::ListScanner list(value);
  std::string_view element;
  while (true) {
    const auto step = list.next(element);
    if (step == scan::ListScanner::Step::end) return out;
    if (step == scan::ListScanner::Step::error) {
      return fail(Errc::malformed, std::string(name) + ": " + list.error());
    }
    if (!scan::is_token(element)) {
      return fail(Errc::malformed, std::string(name) + ": value is not a token");
    }
    out.push_back(element);
  }
}

TEST(FastPath, TokenListMutationsAgreeWithTheGeneralListScanner) {
  const std::vector<std::string> seeds = {
      "INVITE, ACK,CANCEL ,\tBYE", "a,b, c  ,  d", "x-y.z!%*_+`'~, 100rel", "timer,\r\n path",
      // The usual form at lengths around 16- and 64-byte boundaries (where
      // a block-wise scan would split), with both separators, and a long Allow.
      "INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK",
      "ab,cd-e.f_g,hi1",                                                    // 15
      "ab, cd,efg, hij",                                                    // 15
      "abc,def, ghi,jkl",                                                   // 16
      "abc, def,ghi, jk1",                                                  // 17
      "timer, 100rel, replaces,gruu,ab",                                    // 31
      "timer, 100rel, replaces, gruu,ab",                                   // 32
      "replaces, outbound, path, gruu, x",                                  // 33
      "presence, kpml, talk, hold, conference, dialog, message-summary",    // 63
      "presence, kpml, talk, hold, conference, dialog, message-summary1",   // 64
      "presence, kpml, talk, hold, conference, dialog,message-summary, a",  // 65
  };
  for (const std::string& value : mutations(seeds, kSipAlphabet)) {
    auto parsed = Message::parse(kHead + "Allow: " + value + "\r\nContent-Length: 0\r\n\r\n");
    if (!parsed) continue;
    const auto field = parsed->header(HeaderId::allow);
    ASSERT_TRUE(field) << value;
    const auto expected = general_token_list(*field, "Allow");
    const auto got = parsed->tokens(HeaderId::allow);
    ASSERT_EQ(got.has_value(), expected.has_value()) << "'" << value << "'";
    if (expected) {
      EXPECT_EQ(*got, *expected) << "'" << value << "'";
    } else {
      EXPECT_EQ(got.error().message, expected.error().message) << "'" << value << "'";
    }
  }
}

TEST(FastPath, AccessorsGatherInterleavedFieldsInOrder) {
  auto parsed = Message::parse(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
      "Route: <sip:r1.example.com;lr>\r\nAllow: A\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
      "Via: SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\nAllow: B, C\r\n"
      "Route: <sip:r2.example.com;lr>, <sip:r3.example.com>\r\n"
      "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nRoute: <sip:r4.example.com>\r\n"
      "Contact: <sip:c1@example.com>;q=0.1\r\nAllow: D\r\n"
      "Contact: <sip:c2@example.com>, <sip:c3@example.com>;expires=9\r\n\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  using Views = TokenList;
  EXPECT_EQ(*parsed->tokens(HeaderId::allow), (Views{"A", "B", "C", "D"}));
  auto route = parsed->name_addrs(HeaderId::route);
  ASSERT_TRUE(route) << route.error().message;
  ASSERT_EQ(route->size(), 4U);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*route)[i].uri.host(), "r" + std::to_string(i + 1) + ".example.com");
  }
  auto vias = parsed->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 2U);
  EXPECT_EQ((*vias)[1].branch, "z9hG4bK2");
  auto contacts = parsed->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 3U);
  EXPECT_EQ((*contacts)[0].q(), 0.1);
  EXPECT_EQ((*contacts)[2].address.uri.user, "c3");
  EXPECT_EQ((*contacts)[2].expires(), 9U);
}

TEST(FastPath, LongTokenListsKeepEveryTokenInOrder) {
  std::string allow = "Allow: ";
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i) {
    expected.push_back("m" + std::to_string(i));
    allow += (i == 0 ? "" : (i % 3 == 0 ? " ,\t" : ", ")) + expected.back();
  }
  auto parsed = Message::parse(kHead + allow + "\r\n" + allow + "\r\n\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto tokens = parsed->tokens(HeaderId::allow);
  ASSERT_TRUE(tokens) << tokens.error().message;
  ASSERT_EQ(tokens->size(), 80U);
  for (std::size_t i = 0; i < 80; ++i) EXPECT_EQ((*tokens)[i], expected[i % 40]) << i;

  Limits few;
  few.max_list_values = 50;
  auto limited = Message::parse(kHead + allow + "\r\n" + allow + "\r\n\r\n", few);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->tokens(HeaderId::allow).error().code, Errc::limit_exceeded);
}

TEST(FastPath, AbsentHeadersAreAnsweredFromThePresenceBits) {
  auto parsed = Message::parse(kHead + "Expires: 60\r\nX-Custom: 1\r\n\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Message& m = *parsed;
  EXPECT_EQ(m.count(HeaderId::via), 2U);
  EXPECT_EQ(m.count(HeaderId::expires), 1U);
  EXPECT_EQ(m.count(HeaderId::contact), 0U);
  EXPECT_EQ(m.count(HeaderId::unknown), 1U);
  EXPECT_EQ(m.header(HeaderId::expires), "60");
  EXPECT_FALSE(m.header(HeaderId::min_expires));
  EXPECT_EQ(m.header("x-custom"), "1");
  EXPECT_TRUE(m.contacts()->empty());
  EXPECT_TRUE(m.name_addrs(HeaderId::route)->empty());
  // A copy keeps them.
  const Message copy = m;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.count(HeaderId::expires), 1U);
  EXPECT_FALSE(copy.header(HeaderId::min_expires));
}

}  // namespace
}  // namespace sipline::sip

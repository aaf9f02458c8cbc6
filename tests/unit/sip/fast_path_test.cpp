// The parser's one-pass fast paths (host_scan.hpp, uri_fast.cpp, the token
// lists and the reuse of the top Via in message.cpp) against the general
// grammar they stand in front of: whatever a fast path accepts, the general
// path accepts with the same result, on seeds and on every single-byte
// mutation of them. For hosts the two must agree both ways.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/grammar.hpp"
#include "sip/host_scan.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::sip {
namespace {

// Each seed, then each seed with one byte replaced by, or extended with, each
// byte of `alphabet`, and with one byte deleted.
std::vector<std::string> mutations(const std::vector<std::string>& seeds,
                                   std::string_view alphabet) {
  std::vector<std::string> out;
  for (const std::string& seed : seeds) {
    out.push_back(seed);
    for (std::size_t i = 0; i < seed.size(); ++i) {
      std::string deleted = seed;
      deleted.erase(i, 1);
      out.push_back(deleted);
      for (char c : alphabet) {
        std::string replaced = seed;
        replaced[i] = c;
        out.push_back(replaced);
        std::string inserted = seed;
        inserted.insert(i, 1, c);
        out.push_back(inserted);
      }
    }
    for (char c : alphabet) out.push_back(seed + c);
  }
  return out;
}

const std::string kAlphabet = std::string(";:@.-%?[]=&0159aAfFzZ!_~+/ ,<>\"\t") + '\0' + "\x7f\xff";

TEST(FastPath, HostScanAgreesWithTheHostParserBothWays) {
  const std::vector<std::string> seeds = {
      "example.com",     "sip.example.com.", "a",           "a-b.c-d.example", "192.0.2.1",
      "255.255.255.255", "0.0.0.0",          "1.2.3.4.",    "1a.example.com",  "x1.2.3.4",
      "host-.example",   "-host.example",    "ex..ample",   "256.1.1.1",       "1.2.3",
      "01.002.3.4",      "1234.1.1.1",       "a.b.c.d.e.f", "EXAMPLE.COM",     "a.1",
  };
  std::size_t accepted = 0;
  for (const std::string& text : mutations(seeds, kAlphabet)) {
    HostPort fast;
    const bool fast_ok = fast::scan_host(text, 0, fast) == text.size();
    // parse_host_port also takes ":port" and "[v6]": compare on the rest.
    if (text.find(':') != std::string::npos || text.starts_with('[')) {
      if (fast_ok) ADD_FAILURE() << "fast path accepted '" << text << "'";
      continue;
    }
    auto general = parse_host_port(text);
    ASSERT_EQ(fast_ok, general.has_value()) << "'" << text << "'";
    if (!fast_ok) continue;
    ++accepted;
    EXPECT_EQ(fast.host, general->host) << text;
    EXPECT_EQ(fast.kind, general->kind) << text;
    EXPECT_FALSE(general->port) << text;
  }
  EXPECT_GT(accepted, 500U);  // the comparison covered many valid hosts
}

TEST(FastPath, HostScanStopsAtTheFirstByteOutsideTheHost) {
  HostPort hp;
  const std::string_view text = "atlanta.example.com:5060;transport=tcp";
  EXPECT_EQ(fast::scan_host(text, 0, hp), 19U);
  EXPECT_EQ(hp.host, "atlanta.example.com");
  EXPECT_EQ(hp.kind, HostKind::hostname);
  std::uint16_t port = 0;
  EXPECT_EQ(fast::scan_port(text, 20, port), 24U);
  EXPECT_EQ(port, 5060);
  EXPECT_EQ(fast::scan_port("0", 0, port), fast::npos);
  EXPECT_EQ(fast::scan_port("65536", 0, port), fast::npos);
  EXPECT_EQ(fast::scan_port("065535", 0, port), 6U);
  EXPECT_EQ(port, 65535);
}

void expect_same_uri(const Uri& fast, const Uri& general, const std::string& text) {
  EXPECT_EQ(fast.scheme, general.scheme) << text;
  EXPECT_EQ(fast.user, general.user) << text;
  EXPECT_EQ(fast.password, general.password) << text;
  EXPECT_EQ(fast.host_port.host, general.host_port.host) << text;
  EXPECT_EQ(fast.host_port.kind, general.host_port.kind) << text;
  EXPECT_EQ(fast.host_port.port, general.host_port.port) << text;
  EXPECT_EQ(fast.params.raw(), general.params.raw()) << text;
  EXPECT_EQ(fast.headers, general.headers) << text;
  EXPECT_EQ(fast.raw, general.raw) << text;
}

TEST(FastPath, SipUriFastPathAcceptsOnlyWhatTheGeneralParserAccepts) {
  const std::vector<std::string> seeds = {
      "sip:alice@atlanta.example.com",
      "SIPS:bob:secret@192.0.2.4:5061;transport=tls;lr",
      "sip:+1-212-555-1212:1234@gateway.com;user=phone",
      "sip:%61lice@example.com;x%20y=1;maddr=239.255.255.1",
      "sip:registrar.example.com",
      "sip:example.com.:5060",
      "sip:user;par=1?h@example.com",
      "sip:a@b;p=[v]/:&+$",
      "sip:a@b?subject=x",
      "sip:[2001:db8::10]:5070",
      "tel:+1-201-555-0123",
      "sip:a:@b",
  };
  std::size_t accepted = 0;
  for (const UriLimits limits : {UriLimits{}, UriLimits{40, 2}}) {
    for (const std::string& text : mutations(seeds, kAlphabet)) {
      Uri fast;
      if (!grammar::parse_sip_uri_fast(text, limits, fast)) continue;
      ++accepted;
      auto general = grammar::parse_uri_general(text, limits);
      ASSERT_TRUE(general) << "'" << text << "': " << general.error().message;
      expect_same_uri(fast, *general, text);
    }
  }
  EXPECT_GT(accepted, 1000U);
}

TEST(FastPath, SipUriFastPathLeavesRareFormsToTheGeneralParser) {
  Uri uri;
  EXPECT_FALSE(grammar::parse_sip_uri_fast("sip:[::1]", {}, uri));          // IPv6 reference
  EXPECT_FALSE(grammar::parse_sip_uri_fast("sip:a@b?subject=x", {}, uri));  // URI headers
  EXPECT_FALSE(grammar::parse_sip_uri_fast("tel:+1-201-555-0123", {}, uri));
  // ...which still parses them, and words the errors of invalid ones.
  EXPECT_TRUE(parse_uri("sip:[::1]"));
  EXPECT_EQ(parse_uri("sip:a@b?subject=x")->headers, "subject=x");
  EXPECT_EQ(parse_uri("sip:a@1.2.3.256").error().message, "invalid IPv4 address");
  EXPECT_EQ(parse_uri("sip:a@-b.com").error().message, "invalid host name");
}

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
  using Views = std::vector<std::string_view>;
  EXPECT_EQ(*m.tokens(HeaderId::allow), (Views{"INVITE", "ACK", "OPTIONS", "BYE"}));
  EXPECT_EQ(m.tokens(HeaderId::supported).error().message, "Supported: value is not a token");
  EXPECT_EQ(m.tokens(HeaderId::require).error().message, "Require: empty list element");
  EXPECT_EQ(m.tokens(HeaderId::unsupported).error().message, "Unsupported: value is not a token");
  EXPECT_EQ(m.tokens(HeaderId::proxy_require).error().message, "Proxy-Require: empty list element");
  EXPECT_TRUE(m.tokens(HeaderId::allow_events)->empty());
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

#include "sip/uri.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sipline::sip {
namespace {

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

Uri parsed(std::string_view text) {
  auto uri = parse_uri(text);
  EXPECT_TRUE(uri) << text << ": " << (uri ? "" : uri.error().message);
  return uri ? *uri : Uri{};
}

// The error code, or nothing on success (so an unexpected success fails the
// expectation instead of tripping Result's assertion).
template <class T>
std::optional<Errc> code_of(const Result<T>& result) {
  if (result) return std::nullopt;
  return result.error().code;
}

std::vector<std::string> names(const ParamList& list) {
  std::vector<std::string> out;
  for (const Param& p : list) out.emplace_back(p.name);
  return out;
}

// ---------------------------------------------------------------------------
// Valid SIP and SIPS URIs

struct ValidCase {
  std::string_view text;
  UriScheme scheme;
  std::string_view user;
  std::optional<std::string_view> password;
  std::string_view host;
  HostKind kind;
  std::optional<std::uint16_t> port;
  std::string_view params;
  std::string_view headers;
};

void PrintTo(const ValidCase& c, std::ostream* os) {
  *os << c.text;
}

class ValidSipUri : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidSipUri, SplitsIntoViews) {
  const ValidCase& c = GetParam();
  const std::string text(c.text);  // views must point into this copy
  auto uri = parse_uri(text);
  ASSERT_TRUE(uri) << text << ": " << uri.error().message;
  EXPECT_EQ(uri->scheme, c.scheme);
  EXPECT_EQ(uri->user, c.user);
  EXPECT_EQ(uri->password, c.password);
  EXPECT_EQ(uri->host(), c.host);
  EXPECT_EQ(uri->host_port.kind, c.kind);
  EXPECT_EQ(uri->port(), c.port);
  EXPECT_EQ(uri->params.raw(), c.params);
  EXPECT_EQ(uri->headers, c.headers);
  EXPECT_EQ(uri->raw.data(), text.data());
  EXPECT_EQ(uri->raw.size(), text.size());
  for (std::string_view v : {uri->user, uri->host(), uri->params.raw(), uri->headers}) {
    EXPECT_TRUE(inside(v, text));
  }
  EXPECT_TRUE(inside(uri->password.value_or(std::string_view{}), text));
}

constexpr auto kSip = UriScheme::sip;
constexpr auto kSips = UriScheme::sips;
constexpr auto kName = HostKind::hostname;
constexpr auto kV4 = HostKind::ipv4;
constexpr auto kV6 = HostKind::ipv6;
constexpr std::nullopt_t kNone = std::nullopt;

INSTANTIATE_TEST_SUITE_P(
    Grammar, ValidSipUri,
    testing::Values(
        ValidCase{"sip:example.com", kSip, "", kNone, "example.com", kName, kNone, "", ""},
        ValidCase{"SIP:alice@AtLanTa.CoM", kSip, "alice", kNone, "AtLanTa.CoM", kName, kNone, "",
                  ""},
        ValidCase{"sIpS:bob@biloxi.com:5061", kSips, "bob", kNone, "biloxi.com", kName, 5061, "",
                  ""},
        ValidCase{"sip:alice:secretword@atlanta.com;transport=tcp", kSip, "alice", "secretword",
                  "atlanta.com", kName, kNone, ";transport=tcp", ""},
        ValidCase{"sip:alice:@atlanta.com", kSip, "alice", "", "atlanta.com", kName, kNone, "", ""},
        ValidCase{"sip:+1-212-555-1212:1234@gateway.com;user=phone", kSip, "+1-212-555-1212",
                  "1234", "gateway.com", kName, kNone, ";user=phone", ""},
        ValidCase{"sip:alice@192.0.2.4", kSip, "alice", kNone, "192.0.2.4", kV4, kNone, "", ""},
        ValidCase{"sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", kSip, "", kNone,
                  "atlanta.com", kName, kNone, ";method=REGISTER", "to=alice%40atlanta.com"},
        ValidCase{"sip:alice;day=tuesday@atlanta.com", kSip, "alice;day=tuesday", kNone,
                  "atlanta.com", kName, kNone, "", ""},
        ValidCase{"sip:host.example.com.:65535", kSip, "", kNone, "host.example.com.", kName, 65535,
                  "", ""},
        ValidCase{"sip:a-b.c0m:1", kSip, "", kNone, "a-b.c0m", kName, 1, "", ""},
        ValidCase{"sip:user@host?subject=project%20x&priority=urgent", kSip, "user", kNone, "host",
                  kName, kNone, "", "subject=project%20x&priority=urgent"},
        ValidCase{"sip:user@host?empty=", kSip, "user", kNone, "host", kName, kNone, "", "empty="},
        ValidCase{"sip:proxy.example.com;lr", kSip, "", kNone, "proxy.example.com", kName, kNone,
                  ";lr", ""},
        ValidCase{"sip:h;maddr=[2001:db8::1];x=[a]/:&+$-_.!~*'()", kSip, "", kNone, "h", kName,
                  kNone, ";maddr=[2001:db8::1];x=[a]/:&+$-_.!~*'()", ""},
        ValidCase{"sip:u@h?a=[]/?:+$&b=%3C", kSip, "u", kNone, "h", kName, kNone, "",
                  "a=[]/?:+$&b=%3C"},
        ValidCase{"sip:007@010.000.002.255:05060", kSip, "007", kNone, "010.000.002.255", kV4, 5060,
                  "", ""},
        ValidCase{"sip:[2001:db8::10]", kSip, "", kNone, "2001:db8::10", kV6, kNone, "", ""},
        ValidCase{"sips:alice@[2001:DB8::10]:5061;transport=tls", kSips, "alice", kNone,
                  "2001:DB8::10", kV6, 5061, ";transport=tls", ""}));

// ---------------------------------------------------------------------------
// Invalid URIs

struct InvalidCase {
  std::string_view text;
  Errc code;
};

void PrintTo(const InvalidCase& c, std::ostream* os) {
  *os << c.text;
}

class InvalidUri : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidUri, IsRejected) {
  const InvalidCase& c = GetParam();
  auto uri = parse_uri(c.text);
  ASSERT_FALSE(uri) << c.text;
  EXPECT_EQ(uri.error().code, c.code) << c.text << ": " << uri.error().message;
  EXPECT_FALSE(uri.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, InvalidUri,
    testing::Values(
        InvalidCase{"", Errc::malformed}, InvalidCase{"sip", Errc::malformed},
        InvalidCase{":user@host", Errc::malformed}, InvalidCase{"1sip:host", Errc::malformed},
        InvalidCase{"<sip:user@example.com>", Errc::malformed},  // RFC 4475 ltgtruri
        InvalidCase{" sip:user@example.com", Errc::malformed},   // RFC 4475 badaspec
        InvalidCase{"sip:user@example.com ", Errc::malformed},
        InvalidCase{"sip:user@example.com;", Errc::malformed},  // RFC 4475 lwsruri
        InvalidCase{"sip:user@example.com; lr", Errc::malformed},
        InvalidCase{"sip:", Errc::missing}, InvalidCase{"sip:user@", Errc::missing},
        InvalidCase{"sip:@host", Errc::malformed}, InvalidCase{"sip::pw@host", Errc::malformed},
        InvalidCase{"sip:a:b:c@host", Errc::malformed},
        InvalidCase{"sip:a@b@host", Errc::malformed},
        InvalidCase{"sip:us er@host", Errc::malformed},
        InvalidCase{"sip:user\"@host", Errc::malformed},
        InvalidCase{"sip:host;;lr", Errc::malformed}, InvalidCase{"sip:host;=x", Errc::malformed},
        InvalidCase{"sip:host;a=", Errc::malformed}, InvalidCase{"sip:host;a=b=c", Errc::malformed},
        InvalidCase{"sip:host;a=\"q\"", Errc::malformed}, InvalidCase{"sip:host?", Errc::malformed},
        InvalidCase{"sip:host?a", Errc::malformed}, InvalidCase{"sip:host?=b", Errc::malformed},
        InvalidCase{"sip:host?a=b&", Errc::malformed},
        InvalidCase{"sip:host?a=b=c", Errc::malformed},
        InvalidCase{"sip:u@host?a=b@c", Errc::malformed}, InvalidCase{"sip:host:", Errc::malformed},
        InvalidCase{"sip:host:abc", Errc::malformed}, InvalidCase{"sip:host:0", Errc::out_of_range},
        InvalidCase{"sip:host:65536", Errc::out_of_range},
        InvalidCase{"sip:host:99999999999999999999999", Errc::out_of_range},
        InvalidCase{"sip:host:-1", Errc::malformed}, InvalidCase{"sip:host:+1", Errc::malformed},
        InvalidCase{"sip:-host.com", Errc::malformed},
        InvalidCase{"sip:host-.com", Errc::malformed},
        InvalidCase{"sip:host..com", Errc::malformed}, InvalidCase{"sip:.", Errc::malformed},
        InvalidCase{"sip:host.123", Errc::malformed}, InvalidCase{"sip:ho_st.com", Errc::malformed},
        InvalidCase{"sip:1.2.3", Errc::malformed}, InvalidCase{"sip:1.2.3.4.5", Errc::malformed},
        InvalidCase{"sip:1.2.3.256", Errc::malformed},
        InvalidCase{"sip:1.2.3.0001", Errc::malformed}, InvalidCase{"sip:1..3.4", Errc::malformed},
        InvalidCase{"http://www.example.com/", Errc::unsupported},
        InvalidCase{"nobodyKnowsThisScheme:totallyopaquecontent", Errc::unsupported},  // unksm
        InvalidCase{"isbn:2983792873", Errc::unsupported},                             // unksm2
        InvalidCase{"soap.beep://192.0.2.103:3002", Errc::unsupported},                // novelsc
        InvalidCase{"sipx:host", Errc::unsupported}, InvalidCase{"si:host", Errc::unsupported}));

TEST(ParseUri, UnsupportedSchemeIsNamed) {
  auto uri = parse_uri("http://example.com/");
  ASSERT_FALSE(uri);
  EXPECT_EQ(uri.error().code, Errc::unsupported);
  EXPECT_EQ(uri.error().message, "unsupported URI scheme 'http'");

  const std::string long_scheme = std::string(200, 'x') + ":y";
  auto bounded = parse_uri(long_scheme);
  ASSERT_FALSE(bounded);
  EXPECT_LT(bounded.error().message.size(), 100u);
}

// ---------------------------------------------------------------------------
// %-escapes

TEST(ParseUri, EscapesStayAsWritten) {
  // RFC 4475 §3.1.1.3 (esc01)
  const Uri to = parsed("sip:sips%3Auser%40example.com@example.net");
  EXPECT_EQ(to.user, "sips%3Auser%40example.com");
  EXPECT_EQ(unescape(to.user), "sips:user@example.com");
  EXPECT_EQ(to.host(), "example.net");

  const Uri from = parsed("sip:I%20have%20spaces@example.net");
  EXPECT_EQ(unescape(from.user), "I have spaces");

  const Uri contact = parsed("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
  EXPECT_EQ(unescape(contact.user), "caller");
  EXPECT_TRUE(contact.loose_route());  // %6C%72 is "lr"
  EXPECT_EQ(contact.param("name"), "v%61lue%25%34%31");
  EXPECT_EQ(unescape(contact.param("name").value_or("")), "value%41");  // decoded once only
}

TEST(ParseUri, EscapedNulIsData) {
  // RFC 4475 §3.1.1.4 (escnull)
  const Uri to = parsed("sip:null-%00-null@example.com");
  const std::string user = unescape(to.user);
  ASSERT_EQ(user.size(), 11u);
  EXPECT_EQ(user[5], '\0');
  EXPECT_EQ(user, std::string("null-\0-null", 11));
  EXPECT_EQ(unescape(parsed("sip:%00%00@example.com").user), std::string(2, '\0'));
}

TEST(ParseUri, BrokenEscapesAreRejected) {
  // escaped = "%" HEXDIG HEXDIG everywhere an escape may appear.
  for (std::string_view text :
       {"sip:%ZZ@host", "sip:%4@host", "sip:user%@host", "sip:u:%G0@host", "sip:host;a=%4",
        "sip:host;a%=b", "sip:host?a=%", "sip:host?a=%4", "sip:host?a%2=b", "sip:ho%41st"}) {
    auto uri = parse_uri(text);
    ASSERT_FALSE(uri) << text;
    EXPECT_EQ(uri.error().code, Errc::malformed) << text;
  }
  // A truncated escape at the very end of a view must not read beyond it:
  // the byte after the view is a valid hex digit.
  const std::string buffer =
      "sip:host;a=%4"
      "1";
  EXPECT_FALSE(parse_uri(std::string_view(buffer).substr(0, buffer.size() - 1)));
  EXPECT_TRUE(parse_uri(buffer));
}

TEST(Unescape, DecodesValidEscapesOnly) {
  EXPECT_EQ(unescape(""), "");
  EXPECT_EQ(unescape("abc"), "abc");
  EXPECT_EQ(unescape("%41%62%7e"), "Ab~");
  EXPECT_EQ(unescape("%ZZ%4"), "%ZZ%4");
  EXPECT_EQ(unescape("100%"), "100%");
  EXPECT_EQ(unescape("%%41"), "%A");
  EXPECT_EQ(unescape("%ff"), "\xff");
  const std::string buffer =
      "%4"
      "1";
  EXPECT_EQ(unescape(std::string_view(buffer).substr(0, 2)), "%4");
}

// ---------------------------------------------------------------------------
// RFC 4475 URI-related torture cases

TEST(Rfc4475, SemicolonInUserPart) {
  // §3.1.1.9 (semiuri): the user is "user;par=u@example.net".
  const Uri uri = parsed("sip:user;par=u%40example.net@example.com");
  EXPECT_EQ(uri.user, "user;par=u%40example.net");
  EXPECT_EQ(uri.host(), "example.com");
  EXPECT_TRUE(uri.params.empty());
  EXPECT_FALSE(uri.param("par"));
}

TEST(Rfc4475, UnusualUserAndPassword) {
  // §3.1.1.2 (intmeth)
  const Uri uri = parsed(
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
      "(doesn't-it)@example.com");
  EXPECT_EQ(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(uri.host(), "example.com");
}

TEST(Rfc4475, UnknownParameterAndLongUris) {
  // §3.1.1.1 (wsinv) and §3.1.1.7 (longreq)
  const Uri ws = parsed("sip:vivekg@chair-dnrc.example.com;unknownparam");
  EXPECT_TRUE(ws.params.has("unknownparam"));
  EXPECT_EQ(ws.param("unknownparam"), "");

  std::string long_uri = "sip:";
  for (int i = 0; i < 10; ++i) long_uri += "amazinglylongcallername";
  long_uri += "@example.net:6000;unknownparam1=";
  for (int i = 0; i < 12; ++i) long_uri += "verylonngparametervalue";
  long_uri += ";";
  for (int i = 0; i < 6; ++i) long_uri += "longparamnamee";
  long_uri += "=shortvalue;verylonngParameterNameWithNoValue";
  const Uri uri = parsed(long_uri);
  EXPECT_EQ(uri.user.size(), 230u);
  EXPECT_EQ(uri.port(), 6000);
  EXPECT_EQ(uri.params.size(), 3u);
  EXPECT_EQ(uri.param("VERYLONNGPARAMETERNAMEWITHNOVALUE"), "");
}

TEST(Rfc4475, EscapedHeadersInUri) {
  // §3.1.2.11 (escruri) and §3.1.2.13 (regbadct): syntactically valid URIs;
  // whether headers are allowed where they appear is the message layer's call.
  const Uri uri = parsed("sip:user@example.com?Route=%3Csip:example.com%3E");
  EXPECT_EQ(uri.headers, "Route=%3Csip:example.com%3E");
  EXPECT_EQ(unescape(uri.headers), "Route=<sip:example.com>");
}

// ---------------------------------------------------------------------------
// Hosts, IPv6 (RFC 5118) and ports

TEST(Rfc5118, BracketedAddressesAndPorts) {
  // §4.1 ipv6-good
  EXPECT_EQ(parsed("sip:[2001:db8::10]").host(), "2001:db8::10");
  EXPECT_EQ(parsed("sip:user@[2001:db8::10]").host_port.kind, HostKind::ipv6);
  // §4.3 port-ambiguous: the last group is part of the address.
  const Uri ambiguous = parsed("sip:[2001:db8::10:5070]");
  EXPECT_EQ(ambiguous.host(), "2001:db8::10:5070");
  EXPECT_FALSE(ambiguous.port());
  const Uri with_port = parsed("sip:[2001:db8::10]:5070");
  EXPECT_EQ(with_port.host(), "2001:db8::10");
  EXPECT_EQ(with_port.port(), 5070);
  EXPECT_FALSE(uri_equivalent(ambiguous, with_port));
  // §4.7 IPv4-mapped addresses.
  EXPECT_EQ(parsed("sip:user@[::ffff:192.0.2.10]").host(), "::ffff:192.0.2.10");
  // §4.8: the corrected ABNF allows "::" directly before the IPv4 part...
  EXPECT_TRUE(parse_uri("sip:[2001:db8::192.0.2.1]"));
  EXPECT_TRUE(parse_uri("sip:[::192.0.2.1]"));
  // ...and the three-colon form the old ABNF produced is tolerated, as the
  // same address, only directly before the IPv4 part.
  const Uri three = parsed("sip:user@[2001:db8:::192.0.2.1]");
  EXPECT_EQ(three.host(), "2001:db8:::192.0.2.1");
  EXPECT_EQ(three.host_port.kind, HostKind::ipv6);
  EXPECT_TRUE(uri_equivalent(three, parsed("sip:user@[2001:db8::192.0.2.1]")));
  EXPECT_TRUE(uri_equivalent(parsed("sip:[:::192.0.2.1]"), parsed("sip:[::c000:201]")));
  EXPECT_FALSE(parse_uri("sip:[2001:db8::::192.0.2.1]"));
  EXPECT_FALSE(parse_uri("sip:[2001:db8:::1]"));
}

TEST(Rfc5118, UnbracketedAddressIsRejected) {
  // §4.2 ipv6-bad
  for (std::string_view text :
       {"sip:2001:db8::10", "sip:user@2001:db8::10", "sip:::1", "sip:[::1", "sip:[", "sip:[]",
        "sip:::1]", "sip:[::1]]", "sip:[::1]x", "sip:[::1]:", "sip:[::1]:99999",
        "sip:[fe80::1%eth0]", "sip:[fe80::1%25eth0]", "sip:[::1]:0"}) {
    EXPECT_FALSE(parse_uri(text)) << text;
  }
  auto bad = parse_uri("sip:2001:db8::10");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "IPv6 address without brackets");
}

class ValidIpv6 : public testing::TestWithParam<std::string_view> {};

TEST_P(ValidIpv6, IsAccepted) {
  const std::string text = "[" + std::string(GetParam()) + "]";
  auto hp = parse_host_port(text);
  ASSERT_TRUE(hp) << text << ": " << hp.error().message;
  EXPECT_EQ(hp->kind, HostKind::ipv6);
  EXPECT_EQ(hp->host, GetParam());
  EXPECT_FALSE(hp->port);
}

INSTANTIATE_TEST_SUITE_P(Rfc4291, ValidIpv6,
                         testing::Values("::", "::1", "1::", "2001:db8::10",
                                         "2001:0db8:0000:0000:0000:0000:0000:0010",
                                         "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                                         "1::8", "1:2:3:4:5:6:192.0.2.1", "::ffff:192.0.2.1",
                                         "::192.0.2.1", "1:2:3:4:5::192.0.2.1", "FFFF:abcd::Ef01",
                                         "2001:db8::10:5070", "2001:db8:::192.0.2.1",
                                         ":::192.0.2.1"));  // RFC 5118 §4.10

class InvalidIpv6 : public testing::TestWithParam<std::string_view> {};

TEST_P(InvalidIpv6, IsRejected) {
  const std::string text = "[" + std::string(GetParam()) + "]";
  auto hp = parse_host_port(text);
  ASSERT_FALSE(hp) << text;
  EXPECT_EQ(hp.error().code, Errc::malformed);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4291, InvalidIpv6,
    testing::Values("", ":", ":::", "1", "1:2", ":1::", "1::2::3", "1:::2",
                    "::1:", "1:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
                    "12345::", "g::1", "::1.2.3", "::1.2.3.4.5", "::256.1.1.1", "1.2.3.4",
                    "1.2.3.4::", "::1.2.3.4:1", "1:2:3:4:5:6:7:1.2.3.4", "2001:db8::::192.0.2.1",
                    "1:2:3:4:5:6:::1.2.3.4", "1:::2:1.2.3.4", "1:2:::", "::::1.2.3.4",
                    "1:2:3:4:5:6::::1.2.3.4", "fe80::1%eth0", " ::1", "::1 ", "[::1]", "-1::"));

TEST(ParseHostPort, SentByForms) {
  auto name_only = parse_host_port("pc33.atlanta.com");
  ASSERT_TRUE(name_only);
  EXPECT_EQ(name_only->host, "pc33.atlanta.com");
  EXPECT_EQ(name_only->kind, HostKind::hostname);
  EXPECT_FALSE(name_only->port);

  auto v4_port = parse_host_port("192.0.2.1:5060");
  ASSERT_TRUE(v4_port);
  EXPECT_EQ(v4_port->host, "192.0.2.1");
  EXPECT_EQ(v4_port->kind, HostKind::ipv4);
  EXPECT_EQ(v4_port->port, 5060);

  auto v6_port = parse_host_port("[2001:db8::9:1]:5070");  // RFC 5118 §4.4
  ASSERT_TRUE(v6_port);
  EXPECT_EQ(v6_port->host, "2001:db8::9:1");
  EXPECT_EQ(v6_port->port, 5070);

  EXPECT_EQ(code_of(parse_host_port("")), Errc::missing);
  EXPECT_EQ(code_of(parse_host_port(":5060")), Errc::missing);
  EXPECT_EQ(code_of(parse_host_port("host:65536")), Errc::out_of_range);
  EXPECT_EQ(code_of(parse_host_port("host:0")), Errc::out_of_range);
  EXPECT_EQ(parse_host_port("host:1").value_or(HostPort{}).port, 1);
  EXPECT_EQ(parse_host_port("host:000065535").value_or(HostPort{}).port, 65535);
  EXPECT_FALSE(parse_host_port("host;branch=z9hG4bK"));
  EXPECT_FALSE(parse_host_port("host:5060;x"));
  EXPECT_FALSE(parse_host_port("user@host"));
}

TEST(HostPortEquivalent, ComparesAddressesNotSpellings) {
  auto eq = [](std::string_view a, std::string_view b) {
    auto x = parse_host_port(a);
    auto y = parse_host_port(b);
    EXPECT_TRUE(x && y) << a << " / " << b;
    return x && y && host_port_equivalent(*x, *y) && host_port_equivalent(*y, *x);
  };
  EXPECT_TRUE(eq("[::1]", "[0:0::1]"));
  EXPECT_TRUE(eq("[::1]", "[0:0:0:0:0:0:0:1]"));
  EXPECT_TRUE(eq("[2001:DB8::A]:5060", "[2001:db8:0::a]:5060"));
  EXPECT_TRUE(eq("[::ffff:192.0.2.1]", "[::ffff:c000:201]"));
  EXPECT_TRUE(eq("Example.COM", "example.com"));
  EXPECT_TRUE(eq("192.0.2.1", "192.000.002.001"));
  EXPECT_FALSE(eq("[::1]", "[::2]"));
  EXPECT_FALSE(eq("[::1]", "[::1]:5060"));
  EXPECT_FALSE(eq("host:5060", "host:5061"));
  EXPECT_FALSE(eq("host", "host:5060"));
  EXPECT_FALSE(eq("192.0.2.1", "[::ffff:192.0.2.1]"));
  EXPECT_FALSE(eq("example.com", "example.com."));
}

// ---------------------------------------------------------------------------
// tel URIs (RFC 3966)

TEST(TelUri, GlobalAndLocalNumbers) {
  const Uri global = parsed("tel:+1-212-555-0101");
  EXPECT_EQ(global.scheme, UriScheme::tel);
  EXPECT_EQ(global.user, "+1-212-555-0101");
  EXPECT_TRUE(global.host().empty());
  EXPECT_TRUE(global.params.empty());

  const Uri local = parsed("TEL:7042;phone-context=example.com");
  EXPECT_EQ(local.user, "7042");
  EXPECT_EQ(local.param("phone-context"), "example.com");

  const Uri full = parsed("tel:863-1234;isub=a%20b/c;ext=(12).3;phone-context=+1-914-555;foo=Bar");
  EXPECT_EQ(full.user, "863-1234");
  EXPECT_EQ(names(full.params), (std::vector<std::string>{"isub", "ext", "phone-context", "foo"}));
  EXPECT_EQ(full.param("EXT"), "(12).3");

  EXPECT_TRUE(parse_uri("tel:*67#;phone-context=example.com"));
  EXPECT_TRUE(parse_uri("tel:+(1)2;flag"));
}

TEST(TelUri, InvalidForms) {
  for (std::string_view text : {"tel:",
                                "tel:+",
                                "tel:+-.()",
                                "tel:+1a",
                                "tel:1234",
                                "tel:12 34;phone-context=a.com",
                                "tel:+1;",
                                "tel:+1;=x",
                                "tel:+1;a=",
                                "tel:+1;a_b=1",
                                "tel:+1;ext=",
                                "tel:+1;ext=1a",
                                "tel:1;phone-context=",
                                "tel:1;phone-context",
                                "tel:1;phone-context=+",
                                "tel:1;phone-context=192.0.2.1",
                                "tel:1;phone-context=a.com:5060",
                                "tel:+1?x=y",
                                "tel:+1;isub=",
                                "tel:+1;a=%G1",
                                "tel:-;phone-context=a.com"}) {
    EXPECT_FALSE(parse_uri(text)) << text;
  }
  EXPECT_EQ(code_of(parse_uri("tel:1234")), Errc::missing);
}

// ---------------------------------------------------------------------------
// Parameters

TEST(ParamList, IteratesAndLooksUpCaseInsensitively) {
  const Uri uri = parsed("sip:host;Transport=TCP;lr;maddr=239.255.255.1;ttl=15");
  EXPECT_EQ(uri.params.size(), 4u);
  EXPECT_EQ(names(uri.params), (std::vector<std::string>{"Transport", "lr", "maddr", "ttl"}));
  EXPECT_EQ(uri.param("transport"), "TCP");
  EXPECT_EQ(uri.transport(), "tcp");
  EXPECT_TRUE(uri.loose_route());
  EXPECT_EQ(uri.param("LR"), "");
  EXPECT_EQ(uri.param("TTL"), "15");
  EXPECT_FALSE(uri.param("user"));
  EXPECT_FALSE(uri.param("l"));
  EXPECT_FALSE(uri.param("lrx"));

  auto it = uri.params.begin();
  EXPECT_TRUE(it->has_value);
  ++it;
  EXPECT_EQ(it->name, "lr");
  EXPECT_FALSE(it->has_value);
  const auto previous = it++;
  EXPECT_EQ(previous->name, "lr");
  EXPECT_EQ(it->name, "maddr");
  EXPECT_NE(previous, it);
}

TEST(ParamList, FirstDuplicateWinsAndEmptyListIsEmpty) {
  const Uri uri = parsed("sip:host;x=1;X=2");
  EXPECT_EQ(uri.param("x"), "1");
  EXPECT_EQ(uri.params.size(), 2u);
  EXPECT_EQ(parsed("sip:host").transport(), "");

  const ParamList empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_FALSE(empty.get("x"));
}

TEST(ParamList, HeaderParametersWithQuotesAndWhitespace) {
  const std::string text =
      " ;tag = 1918181833n ; +sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\""
      ";q=0.7;x=\"a;b,c \\\" d\";received=[2001:db8::9:255];flag\t";
  auto params = parse_header_params(text);
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_TRUE(inside(params->raw(), text));
  EXPECT_EQ(params->raw().front(), ';');
  EXPECT_EQ(params->raw().back(), 'g');
  EXPECT_EQ(names(*params),
            (std::vector<std::string>{"tag", "+sip.instance", "q", "x", "received", "flag"}));
  EXPECT_EQ(params->get("TAG"), "1918181833n");
  EXPECT_EQ(params->get("+sip.instance"), "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"");
  EXPECT_EQ(params->get("x"), "\"a;b,c \\\" d\"");
  EXPECT_EQ(params->get("received"), "[2001:db8::9:255]");
  EXPECT_EQ(params->get("flag"), "");
  EXPECT_EQ(params->size(), 6u);

  auto none = parse_header_params("  ");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(ParamList, InvalidHeaderParameters) {
  for (std::string_view text :
       {"tag=1", ";", "; ;a", ";a=", ";a= ", ";=b", ";a b", ";a=b c", ";a=\"open", ";a=\"x\\",
        ";a=\"x\"y", ";a=[::1", ";a=[1::2::3]", ";a=[::1]:5", ";a=<b>", ";a=b,c", ";a=\"\x01\"",
        ";a=\"x\\\r\n\"", ";a@b"}) {
    auto params = parse_header_params(text);
    EXPECT_FALSE(params) << text;
  }
  EXPECT_TRUE(parse_header_params(";a=\"\""));
  EXPECT_TRUE(parse_header_params(";a=\"\xc3\xa9\""));  // UTF-8 in qdtext
}

TEST(ParamList, IterationIsSafeOnUnvalidatedText) {
  // Not produced by a parser; iteration must still stop inside the view.
  const std::string buffer = ";a=\"unterminated\\";
  const ParamList list(std::string_view(buffer).substr(0, buffer.size()));
  std::size_t n = 0;
  for (const Param& p : list) {
    EXPECT_TRUE(inside(p.name, buffer));
    EXPECT_TRUE(inside(p.value, buffer));
    ++n;
  }
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(ParamList("no-semicolon").size(), 0u);
  EXPECT_EQ(ParamList(";;;").size(), 3u);
}

// ---------------------------------------------------------------------------
// Limits

TEST(ParseUri, Limits) {
  UriLimits limits;
  limits.max_length = 20;
  EXPECT_TRUE(parse_uri("sip:user@example.com", limits));  // exactly 20
  auto too_long = parse_uri("sip:user@example.comm", limits);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::limit_exceeded);

  limits = UriLimits{};
  limits.max_params = 3;
  EXPECT_TRUE(parse_uri("sip:h;a;b;c?x=1&y=2&z=3", limits));
  EXPECT_EQ(code_of(parse_uri("sip:h;a;b;c;d", limits)), Errc::limit_exceeded);
  EXPECT_EQ(code_of(parse_uri("sip:h?a=1&b=2&c=3&d=4", limits)), Errc::limit_exceeded);
  EXPECT_EQ(code_of(parse_uri("tel:+1;a;b;c;d", limits)), Errc::limit_exceeded);
  EXPECT_EQ(code_of(parse_header_params(";a;b;c;d", 3)), Errc::limit_exceeded);
  EXPECT_TRUE(parse_header_params(";a;b;c", 3));

  std::string many = "sip:h";
  for (int i = 0; i < 65; ++i) many += ";p";
  EXPECT_EQ(code_of(parse_uri(many)), Errc::limit_exceeded);
  EXPECT_EQ(code_of(parse_uri(std::string(5000, 'a'))), Errc::limit_exceeded);
}

// ---------------------------------------------------------------------------
// Equivalence (RFC 3261 §19.1.4)

bool equivalent(std::string_view a, std::string_view b) {
  const Uri x = parsed(a);
  const Uri y = parsed(b);
  const bool forward = uri_equivalent(x, y);
  EXPECT_EQ(forward, uri_equivalent(y, x)) << "asymmetric: " << a << " / " << b;
  return forward;
}

struct Pair {
  std::string_view a;
  std::string_view b;
};

void PrintTo(const Pair& p, std::ostream* os) {
  *os << p.a << " / " << p.b;
}

class EquivalentUris : public testing::TestWithParam<Pair> {};
TEST_P(EquivalentUris, Match) {
  EXPECT_TRUE(equivalent(GetParam().a, GetParam().b)) << GetParam().a << " / " << GetParam().b;
}

class DifferentUris : public testing::TestWithParam<Pair> {};
TEST_P(DifferentUris, DoNotMatch) {
  EXPECT_FALSE(equivalent(GetParam().a, GetParam().b)) << GetParam().a << " / " << GetParam().b;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3261Examples, EquivalentUris,
    testing::Values(Pair{"sip:%61lice@atlanta.com;transport=TCP",
                         "sip:alice@AtLanTa.CoM;Transport=tcp"},
                    Pair{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
                    Pair{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
                    Pair{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
                    Pair{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                         "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
                    Pair{"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                         "sip:alice@atlanta.com?priority=urgent&subject=project%20x"}));

INSTANTIATE_TEST_SUITE_P(
    Rfc3261Examples, DifferentUris,
    testing::Values(
        Pair{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
        Pair{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
        Pair{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
        Pair{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
        Pair{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
        Pair{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
        // Equality is not transitive: both equal sip:carol@chicago.com.
        Pair{"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"}));

INSTANTIATE_TEST_SUITE_P(
    Rules, EquivalentUris,
    testing::Values(Pair{"SIPS:Bob@Biloxi.COM:5061", "sips:Bob@biloxi.com:5061"},
                    Pair{"sip:a:%70w@h", "sip:a:pw@h"}, Pair{"sip:h;lr", "sip:h"},
                    Pair{"sip:h;lr", "sip:h;%4c%52"},
                    Pair{"sip:h;maddr=Example.com", "sip:h;maddr=example.COM"},
                    Pair{"sip:h;maddr=[::1]", "sip:h;maddr=[0::1]"},
                    Pair{"sip:h;user=phone;ttl=1;method=INVITE",
                         "sip:h;method=invite;TTL=1;user=PHONE"},
                    Pair{"sip:h;x=%41", "sip:h;X=a"},
                    Pair{"sip:h?Subject=a&Subject=b", "sip:h?subject=b&SUBJECT=a"},
                    Pair{"sip:h?to=%61", "sip:h?To=a"},
                    Pair{"sip:h;x=1;x=2", "sip:h;x=1;x=3"},  // only the first of a name counts
                    // RFC 5118: IPv6 hosts compare as addresses.
                    Pair{"sip:[::1]", "sip:[0:0::1]"},
                    Pair{"sip:user@[2001:db8::10]:5070", "sip:user@[2001:DB8:0:0:0:0:0:10]:5070"},
                    Pair{"sip:[::ffff:192.0.2.1]", "sip:[::FFFF:C000:0201]"}));

INSTANTIATE_TEST_SUITE_P(
    Rules, DifferentUris,
    testing::Values(Pair{"sip:alice@atlanta.com", "sips:alice@atlanta.com"},
                    Pair{"sip:alice@atlanta.com", "sip:atlanta.com"},
                    Pair{"sip:a:pw@h", "sip:a:PW@h"}, Pair{"sip:a:pw@h", "sip:a@h"},
                    Pair{"sip:a:@h", "sip:a@h"},
                    Pair{"sip:a%3Bb@h",
                         "sip:a;b@h"},  // reserved characters differ from their escapes
                    Pair{"sip:h;user=phone", "sip:h"}, Pair{"sip:h;ttl=1", "sip:h"},
                    Pair{"sip:h;method=INVITE", "sip:h"}, Pair{"sip:h;maddr=192.0.2.1", "sip:h"},
                    Pair{"sip:h;transport=tcp", "sip:h"}, Pair{"sip:h;user=phone", "sip:h;user=ip"},
                    Pair{"sip:h;lr", "sip:h;lr=on"}, Pair{"sip:h;maddr=[::1]", "sip:h;maddr=[::2]"},
                    Pair{"sip:h?subject=a", "sip:h?subject=A"},
                    Pair{"sip:h?a=1&a=1", "sip:h?a=1&a=2"}, Pair{"sip:h?a=1", "sip:h?a=1&a=1"},
                    Pair{"sip:h?a=1", "sip:h?b=1"}, Pair{"sip:[::1]", "sip:[::1]:5060"},
                    Pair{"sip:[2001:db8::10:5070]", "sip:[2001:db8::10]:5070"},
                    Pair{"sip:192.0.2.1", "sip:[::ffff:192.0.2.1]"},
                    Pair{"sip:+12125550101@h", "tel:+12125550101"}));

// RFC 3966 §4
INSTANTIATE_TEST_SUITE_P(
    Tel, EquivalentUris,
    testing::Values(Pair{"tel:+1-212-555-0101", "tel:+12125550101"},
                    Pair{"tel:+1(212)555.0101", "TEL:+1-212-5550101"},
                    Pair{"tel:7042;phone-context=Example.COM",
                         "tel:7042;phone-context=example.com"},
                    Pair{"tel:7042;phone-context=+1-914-555", "tel:70-42;phone-context=+1914555"},
                    Pair{"tel:+1234;ext=1-2;isub=a;x=Y", "tel:+1234;X=y;ISUB=A;ext=12"},
                    Pair{"tel:ab12;phone-context=a.com", "tel:AB-12;phone-context=a.com"}));

INSTANTIATE_TEST_SUITE_P(
    Tel, DifferentUris,
    testing::Values(Pair{"tel:+12125550101", "tel:+12125550102"},
                    Pair{"tel:+1234", "tel:1234;phone-context=+1"},
                    Pair{"tel:+1234", "tel:+1234;ext=5"}, Pair{"tel:+1234;foo=bar", "tel:+1234"},
                    Pair{"tel:+1234;foo=bar", "tel:+1234;foo=baz"},
                    Pair{"tel:+1234;foo", "tel:+1234;foo=x"},
                    Pair{"tel:7042;phone-context=a.com", "tel:7042;phone-context=b.com"},
                    Pair{"tel:7042;phone-context=+1", "tel:7042;phone-context=+2"}));

TEST(UriEquivalent, Reflexive) {
  for (std::string_view text :
       {"sip:h;x=1;x=2", "sip:u:p@[::1]:9;lr?a=1&a=1&b=%00", "tel:+1;ext=2",
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1@example.com"}) {
    const Uri uri = parsed(text);
    EXPECT_TRUE(uri_equivalent(uri, uri)) << text;
  }
}

}  // namespace
}  // namespace sipline::sip

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/message.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_view_literals;

NameAddr ok(std::string_view text) {
  auto na = parse_name_addr(text);
  EXPECT_TRUE(na) << text << ": " << na.error().message;
  return na ? *na : NameAddr{};
}

std::string error_of(std::string_view text) {
  auto na = parse_name_addr(text);
  EXPECT_FALSE(na) << text;
  return na ? "<parsed>" : na.error().message;
}

TEST(NameAddr, QuotedDisplayName) {
  const NameAddr na = ok("\"Alice Liddell\" <sip:alice@example.com>;tag=88sja8x");
  EXPECT_EQ(na.display_name, "Alice Liddell");
  EXPECT_TRUE(na.display_quoted);
  EXPECT_TRUE(na.bracketed);
  EXPECT_EQ(na.uri.user, "alice");
  EXPECT_EQ(na.uri.host(), "example.com");
  EXPECT_EQ(na.tag(), "88sja8x"sv);
  EXPECT_EQ(na.params.raw(), ";tag=88sja8x");
  EXPECT_EQ(na.raw, "\"Alice Liddell\" <sip:alice@example.com>;tag=88sja8x");
}

TEST(NameAddr, QuotedPairsStayEscaped) {
  // RFC 4475 §3.1.1.1 / §3.1.1.2 style quoting.
  EXPECT_EQ(ok(R"("J Rosenberg \\\"" <sip:jdrosen@example.com>)").display_name,
            R"(J Rosenberg \\\")");
  EXPECT_EQ(ok(R"("\"\"" <sip:a@example.com>)").display_name, R"(\"\")");
  const std::string bell_nul_del = std::string("\"\\\x07\\") + '\0' + "\\\x7f\" <sip:a@b.example>";
  EXPECT_EQ(ok(bell_nul_del).display_name, bell_nul_del.substr(1, 6));
  EXPECT_EQ(ok("\"\" <sip:a@example.com>").display_name, "");
  EXPECT_EQ(ok("\"\xE2\x9C\x93 UTF-8\" <sip:a@example.com>").display_name, "\xE2\x9C\x93 UTF-8");
  EXPECT_EQ(ok("\"folded\r\n name\" <sip:a@example.com>").display_name, "folded\r\n name");
}

TEST(NameAddr, QuotedStringErrors) {
  EXPECT_EQ(error_of("\"Mr. J. User <sip:j.user@example.com>"),
            "unterminated or invalid quoted display name");
  EXPECT_FALSE(parse_name_addr("\"a\\\"<sip:a@example.com>"));  // the quote is escaped
  EXPECT_FALSE(parse_name_addr("\"bad\x01\" <sip:a@example.com>"));
  EXPECT_FALSE(parse_name_addr("\"bad\\\r\n\" <sip:a@example.com>"));
  EXPECT_FALSE(parse_name_addr("\"bad\\\xC3\xA9\" <sip:a@example.com>"));
  EXPECT_EQ(error_of("\"Alice\" sip:alice@example.com"), "expected '<' after the display name");
}

TEST(NameAddr, TokenDisplayName) {
  const NameAddr na = ok("Anonymous   Caller <sip:c8oqz84zk7z@privacy.org>;tag=hyh8");
  EXPECT_EQ(na.display_name, "Anonymous   Caller");
  EXPECT_FALSE(na.display_quoted);
  // No LWS before '<' (RFC 4475 §3.1.1.6).
  EXPECT_EQ(ok("caller<sip:caller@example.com>;tag=323").display_name, "caller");
  EXPECT_EQ(ok("<sip:caller@example.com>").display_name, "");
  // UTF-8 without quotes is tolerated.
  EXPECT_EQ(ok("J\xC3\xBCrgen <sip:j@example.com>").display_name, "J\xC3\xBCrgen");
  // RFC 4475 §3.1.2.15: non-token characters need quotes.
  EXPECT_EQ(error_of("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"),
            "display name must be tokens or a quoted string");
  EXPECT_FALSE(parse_name_addr("Mr. J. (User) <sip:j@example.com>"));
}

TEST(NameAddr, AddrSpecFormParametersBelongToTheHeader) {
  // §20.10: without <>, ";user=phone" and the tag are header parameters.
  const NameAddr na = ok("sip:+12125551212@server.phone2net.com;user=phone;tag=887s");
  EXPECT_FALSE(na.bracketed);
  EXPECT_EQ(na.display_name, "");
  EXPECT_TRUE(na.uri.params.empty());
  EXPECT_EQ(na.params.get("user"), "phone"sv);
  EXPECT_EQ(na.tag(), "887s"sv);
  const NameAddr spaced = ok("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  EXPECT_EQ(spaced.uri.host(), "chair-dnrc.example.com");
  EXPECT_EQ(spaced.tag(), "1918181833n"sv);
  EXPECT_EQ(ok("tel:+358-555-1234567;postd=pp22").uri.scheme, UriScheme::tel);
}

TEST(NameAddr, BracketedFormKeepsUriParametersInTheUri) {
  const NameAddr na = ok("<sip:+12125551212@server.phone2net.com;user=phone>;tag=887s");
  EXPECT_TRUE(na.bracketed);
  EXPECT_EQ(na.uri.param("user"), "phone"sv);
  EXPECT_FALSE(na.params.has("user"));
  EXPECT_EQ(na.tag(), "887s"sv);
  EXPECT_EQ(ok("<sips:bob@biloxi.example.com?Subject=hi>").uri.headers, "Subject=hi");
}

TEST(NameAddr, AddrSpecWithReservedCharactersNeedsBrackets) {
  // RFC 4475 §3.1.2.13.
  EXPECT_EQ(error_of("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            "a URI with ',' or '?' must be enclosed in <>");
  EXPECT_FALSE(parse_name_addr("sip:a@example.com,sip:b@example.com"));
}

TEST(NameAddr, Malformed) {
  EXPECT_EQ(error_of("<sip:a@example.com"), "missing '>'");
  EXPECT_EQ(error_of(""), "empty value");
  EXPECT_EQ(error_of("  \r\n "), "empty value");
  for (const char* bad :
       {"< sip:t.watson@example.org >", "<sip:a@example.com>x", "<sip:a@example.com> garbage",
        "<sip:a@example.com>;", "<sip:a@example.com>;;tag=1", "<sip:a@example.com>;=x",
        "<sip:a@example.com>;a=\"open", "<>", "sip:", "<sip:a@example.com>>",
        "<sip:a@example.com>;a=b c", "nobody", "\"x\""}) {
    EXPECT_FALSE(parse_name_addr(bad)) << bad;
  }
}

TEST(NameAddr, Tag) {
  EXPECT_FALSE(ok("<sip:a@example.com>").tag());
  EXPECT_EQ(ok("<sip:a@example.com>;TAG=x").tag(), "x"sv);
  EXPECT_EQ(error_of("<sip:a@example.com>;tag=1;tag=2"), "duplicate tag parameter");
  EXPECT_EQ(error_of("<sip:a@example.com>;tag"), "invalid tag");
  EXPECT_EQ(error_of("<sip:a@example.com>;tag=\"q\""), "invalid tag");
  EXPECT_EQ(error_of("<sip:a@example.com>;tag=[::1]"), "invalid tag");
}

TEST(NameAddr, GenericParameters) {
  const NameAddr na =
      ok("<sip:a@example.com>;flag;Quoted=\"semi;colon,comma\";host=[2001:db8::1];x=1.2");
  EXPECT_TRUE(na.params.has("flag"));
  EXPECT_EQ(na.params.get("flag"), ""sv);
  EXPECT_EQ(na.params.get("quoted"), "\"semi;colon,comma\""sv);
  EXPECT_EQ(na.params.get("host"), "[2001:db8::1]"sv);
  EXPECT_EQ(na.params.get("x"), "1.2"sv);
  EXPECT_EQ(na.params.size(), 4u);
}

// The Contact values of a REGISTER with `contact_lines`; they view the bytes
// of `message`, which is kept alongside.
struct Contacts {
  std::optional<Message> message;
  ContactList values;
};

Contacts contacts_of(const std::string& contact_lines) {
  Contacts out;
  auto m = Message::parse(
      "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 REGISTER\r\n" +
      contact_lines + "\r\n");
  EXPECT_TRUE(m) << m.error().message;
  if (!m) return out;
  out.message = std::move(*m);
  auto contacts = out.message->contacts();
  EXPECT_TRUE(contacts) << contacts.error().message;
  if (contacts) out.values = std::move(*contacts);
  return out;
}

TEST(Contact, ParametersOfRegistration) {
  const auto parsed = contacts_of(
      "Contact: <sip:alice@192.0.2.4:5060;transport=tcp>;expires=3600;q=0.7;"
      "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1\r\n");
  const ContactList& contacts = parsed.values;
  ASSERT_EQ(contacts.size(), 1u);
  const ContactValue& c = contacts[0];
  EXPECT_FALSE(c.star);
  EXPECT_EQ(c.address.uri.transport(), "tcp");
  EXPECT_EQ(c.expires(), 3600u);
  EXPECT_EQ(c.q(), 0.7);
  EXPECT_EQ(c.instance(), "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"sv);
  EXPECT_EQ(c.reg_id(), 1u);
}

TEST(Contact, AbsentOrInvalidParametersReadAsAbsent) {
  const auto parsed = contacts_of(
      "Contact: <sip:a@example.com>\r\n"
      "Contact: <sip:b@example.com>;expires=4294967296;q=1.5;reg-id=0\r\n"
      "Contact: <sip:c@example.com>;expires=-1;q=0.1234;reg-id=2147483648\r\n"
      "Contact: <sip:d@example.com>;expires=4294967295;q=1.000;reg-id=2147483647\r\n"
      "Contact: <sip:e@example.com>;expires;q;+sip.instance\r\n");
  const ContactList& contacts = parsed.values;
  ASSERT_EQ(contacts.size(), 5u);
  EXPECT_FALSE(contacts[0].expires());
  EXPECT_FALSE(contacts[0].q());
  EXPECT_FALSE(contacts[0].instance());
  EXPECT_FALSE(contacts[0].reg_id());
  EXPECT_FALSE(contacts[1].expires());
  EXPECT_FALSE(contacts[1].q());
  EXPECT_FALSE(contacts[1].reg_id());
  EXPECT_FALSE(contacts[2].expires());
  EXPECT_FALSE(contacts[2].q());
  EXPECT_FALSE(contacts[2].reg_id());
  EXPECT_EQ(contacts[3].expires(), 4294967295u);
  EXPECT_EQ(contacts[3].q(), 1.0);
  EXPECT_EQ(contacts[3].reg_id(), 2147483647u);
  EXPECT_FALSE(contacts[4].expires());
  EXPECT_FALSE(contacts[4].q());
  EXPECT_EQ(contacts[4].instance(), ""sv);
}

TEST(Contact, QValues) {
  const auto parsed = contacts_of(
      "Contact: <sip:a@x>;q=0, <sip:b@x>;q=1, <sip:c@x>;q=0., <sip:d@x>;q=0.5, <sip:e@x>;q=0.001, "
      "<sip:f@x>;q=.5, <sip:g@x>;q=2, <sip:h@x>;q=1.001, <sip:i@x>;q=0.5a\r\n");
  const ContactList& contacts = parsed.values;
  ASSERT_EQ(contacts.size(), 9u);
  EXPECT_EQ(contacts[0].q(), 0.0);
  EXPECT_EQ(contacts[1].q(), 1.0);
  EXPECT_EQ(contacts[2].q(), 0.0);
  EXPECT_EQ(contacts[3].q(), 0.5);
  EXPECT_EQ(contacts[4].q(), 0.001);
  for (std::size_t i = 5; i < 9; ++i) EXPECT_FALSE(contacts[i].q()) << i;
}

TEST(Contact, StarStandsAlone) {
  const auto star = contacts_of("Contact: *\r\nExpires: 0\r\n");
  ASSERT_EQ(star.values.size(), 1u);
  EXPECT_TRUE(star.values[0].star);
  auto m = Message::parse(
      "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 REGISTER\r\nContact: *, <sip:a@example.com>\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->contacts().error().message, "Contact: '*' must be the only value");
}

TEST(Contact, ListsAcrossValuesAndFields) {
  const auto parsed = contacts_of(
      "Contact: \"Mr, Watson\" <sip:watson@worcester.example.com>;q=0.7; expires=3600,\r\n"
      "  \"Mr. Watson\" <mailto:watson@example.com> ;q=0.1\r\n"
      "m: sip:alias@example.com;expires=60\r\n");
  const ContactList& contacts = parsed.values;
  ASSERT_EQ(contacts.size(), 3u);
  EXPECT_EQ(contacts[0].address.display_name, "Mr, Watson");
  EXPECT_EQ(contacts[0].expires(), 3600u);
  EXPECT_EQ(contacts[1].address.uri.scheme, UriScheme::other);
  EXPECT_EQ(contacts[1].q(), 0.1);
  EXPECT_FALSE(contacts[2].address.bracketed);
  EXPECT_EQ(contacts[2].expires(), 60u);
}

TEST(MessageNameAddrs, RouteLikeHeadersNeedBrackets) {
  auto m = Message::parse(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>;tag=2\r\nCall-ID: c\r\n"
      "CSeq: 1 REGISTER\r\n"
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>;x=1\r\n"
      "Record-Route: <sip:p3.example.com;lr>\r\n"
      "Path: <sip:edge.example.com;lr;ob>\r\n"
      "Service-Route: <sip:core.example.com;lr>\r\n"
      "Route: sip:bare.example.com;lr\r\n"
      "Reply-To: sip:bare.example.com\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  auto rr = m->name_addrs(HeaderId::record_route);
  ASSERT_TRUE(rr) << rr.error().message;
  ASSERT_EQ(rr->size(), 3u);
  EXPECT_EQ((*rr)[0].uri.host(), "p1.example.com");
  EXPECT_EQ((*rr)[1].params.get("x"), "1"sv);
  EXPECT_EQ((*rr)[2].uri.host(), "p3.example.com");
  auto path = m->name_addrs(HeaderId::path);
  ASSERT_TRUE(path);
  EXPECT_TRUE((*path)[0].uri.params.has("ob"));
  auto sr = m->name_addrs(HeaderId::service_route);
  ASSERT_TRUE(sr);
  EXPECT_TRUE((*sr)[0].uri.loose_route());
  auto route = m->name_addrs(HeaderId::route);
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().message, "Route: expected a URI in <>");
  auto reply_to = m->name_addrs(HeaderId::reply_to);
  ASSERT_TRUE(reply_to) << reply_to.error().message;
  EXPECT_FALSE((*reply_to)[0].bracketed);
  auto none = m->name_addrs(HeaderId::refer_to);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(MessageNameAddrs, ListSyntaxErrors) {
  auto m = Message::parse(
      "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 OPTIONS\r\nRoute: <sip:p1.example.com;lr>,,<sip:p2.example.com>\r\n"
      "Path: <sip:p1.example.com;lr\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->name_addrs(HeaderId::route).error().message, "Route: empty list element");
  EXPECT_EQ(m->name_addrs(HeaderId::path).error().message, "Path: missing '>'");
}

}  // namespace
}  // namespace sipline::sip

// The parser's one-pass fast paths (host_scan.hpp, uri_fast.cpp, the From /
// To name-addr, CSeq and Call-ID, the name-addr list items with a Contact's
// parameter notes, ParamList lookups) against the general grammar they stand
// in front of: whatever a fast path accepts, the general path accepts with
// the same result, on seeds and on every single-byte mutation of them. For
// hosts the two must agree both ways. The accessors' own fast paths are in
// accessor_fast_path_test.cpp.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mutations.hpp"
#include "sip/escape.hpp"
#include "sip/fast_paths.hpp"
#include "sip/grammar.hpp"
#include "sip/host_scan.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"
#include "sip/uri.hpp"
#include "sip/uri_scan.hpp"
#include "sip/via_fast.hpp"

namespace sipline::sip {
namespace {

const std::string& kAlphabet = kSipAlphabet;

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

TEST(FastPath, UriHostScanAgreesWithTheHostScan) {
  const std::vector<std::string> seeds = {
      "sip.example.com>", "a-b.c-d.example.;x", "Example.COM:5060", "a1.b2.c3", "x.1",
      "a.b-.c",           "1und1.de",           "192.0.2.1>",       "ab--c.de", "z",
  };
  std::size_t hosts = 0;
  for (const std::string& text : mutations(seeds, kAlphabet)) {
    HostPort a;
    HostPort b;
    const std::size_t end = fast::scan_uri_host(text, 0, a);
    ASSERT_EQ(end, fast::scan_host(text, 0, b)) << "'" << text << "'";
    if (end == fast::npos) continue;
    ++hosts;
    EXPECT_EQ(a.host, b.host) << text;
    EXPECT_EQ(a.kind, b.kind) << text;
  }
  EXPECT_GT(hosts, 1000U);
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

TEST(FastPath, PortScanAgreesWithTheDecimalParserWithAndWithoutBytesAfterIt) {
  const std::vector<std::string> numbers = {"",      "0",      "00000", "1",      "5060",
                                            "65535", "65536",  "99999", "123456", "000065535",
                                            "0001",  "655350", "6553",  "12a",    "9"};
  for (const std::string& number : numbers) {
    for (const std::string suffix : {"", ";", ";branch", ":5060;rport", "9;abcdef", "\xff"}) {
      const std::string text = number + suffix;
      const std::size_t digits = scan::scan_digits(text, 0);
      std::uint64_t value = 0;
      const bool valid = scan::parse_decimal(std::string_view(text).substr(0, digits), 65535,
                                             value) == scan::NumberStatus::ok &&
                         value > 0;
      std::uint16_t port = 0;
      const std::size_t end = fast::scan_port(text, 0, port);
      EXPECT_EQ(end, valid ? digits : fast::npos) << text;
      if (valid) {
        EXPECT_EQ(port, value) << text;
      }
    }
  }
}

TEST(FastPath, Ipv6ReferenceScanAcceptsOnlyWhatTheHostParserAccepts) {
  const std::vector<std::string> seeds = {
      "[2001:db8::1c:8]",
      "[::1]",
      "[::]",
      "[1:2:3:4:5:6:7:8]",
      "[1::8]",
      "[fe80::AbCd]",
      "[1:2:3:4:5:6:7::]",
      "[::ffff:192.0.2.1]",
      "[1:2:3:4:5:6:7:8:9]",
      "[12345::1]",
      "[1:::2]",
      "[2001:db8::9]:5060",
  };
  std::size_t accepted = 0;
  for (const std::string& text : mutations(seeds, kAlphabet)) {
    HostPort fast;
    const std::size_t end = fast::scan_ipv6_reference(text, 0, fast);
    if (end == fast::npos) continue;
    ++accepted;
    ASSERT_EQ(text[end - 1], ']') << text;
    auto general = parse_host_port(std::string_view(text).substr(0, end));
    ASSERT_TRUE(general) << "'" << text << "': " << general.error().message;
    EXPECT_EQ(fast.host, general->host) << text;
    EXPECT_EQ(general->kind, HostKind::ipv6) << text;
    EXPECT_EQ(fast.kind, HostKind::ipv6) << text;
  }
  EXPECT_GT(accepted, 300U);
  // The forms it leaves to host.cpp.
  HostPort hp;
  EXPECT_EQ(fast::scan_ipv6_reference("[::ffff:192.0.2.1]", 0, hp), fast::npos);
  EXPECT_EQ(fast::scan_ipv6_reference("[1:2:3:4:5:6:7:8:9]", 0, hp), fast::npos);
  EXPECT_EQ(fast::scan_ipv6_reference("[1::2::3]", 0, hp), fast::npos);
  EXPECT_EQ(fast::scan_ipv6_reference("[1:2", 0, hp), fast::npos);
  EXPECT_EQ(fast::scan_ipv6_reference("[2001:db8::9]", 0, hp), 13U);
  EXPECT_EQ(hp.host, "2001:db8::9");
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
      "sips:u@[::1];transport=tls",
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
  EXPECT_FALSE(grammar::parse_sip_uri_fast("sip:[::ffff:192.0.2.1]", {}, uri));  // IPv4 in IPv6
  EXPECT_FALSE(grammar::parse_sip_uri_fast("sip:a@b?subject=x", {}, uri));       // URI headers
  EXPECT_FALSE(grammar::parse_sip_uri_fast("tel:+1-201-555-0123", {}, uri));
  // ...which still parses them, and words the errors of invalid ones.
  EXPECT_TRUE(parse_uri("sip:[::1]"));
  EXPECT_EQ(parse_uri("sip:[::ffff:192.0.2.1]")->host(), "::ffff:192.0.2.1");
  EXPECT_EQ(parse_uri("sip:a@b?subject=x")->headers, "subject=x");
  EXPECT_EQ(parse_uri("sip:a@1.2.3.256").error().message, "invalid IPv4 address");
  EXPECT_EQ(parse_uri("sip:a@-b.com").error().message, "invalid host name");
}

void expect_same_via(const Via& fast, const Via& general, const std::string& text) {
  EXPECT_EQ(fast.protocol_name, general.protocol_name) << text;
  EXPECT_EQ(fast.version, general.version) << text;
  EXPECT_EQ(fast.transport, general.transport) << text;
  EXPECT_EQ(fast.sent_by.host, general.sent_by.host) << text;
  EXPECT_EQ(fast.sent_by.kind, general.sent_by.kind) << text;
  EXPECT_EQ(fast.sent_by.port, general.sent_by.port) << text;
  EXPECT_EQ(fast.branch, general.branch) << text;
  EXPECT_EQ(fast.received, general.received) << text;
  EXPECT_EQ(fast.rport, general.rport) << text;
  EXPECT_EQ(fast.rport_value, general.rport_value) << text;
  EXPECT_EQ(fast.maddr, general.maddr) << text;
  EXPECT_EQ(fast.ttl, general.ttl) << text;
  EXPECT_EQ(fast.keep, general.keep) << text;
  EXPECT_EQ(fast.keep_value, general.keep_value) << text;
  EXPECT_EQ(fast.params.raw(), general.params.raw()) << text;
  // The same view, not only the same text.
  EXPECT_EQ(fast.params.raw().data(), general.params.raw().data()) << text;
  EXPECT_EQ(fast.raw, general.raw) << text;
  EXPECT_EQ(fast.raw.data(), general.raw.data()) << text;
}

TEST(FastPath, ViaFastPathAcceptsOnlyWhatTheGeneralParserAccepts) {
  const std::vector<std::string> seeds = {
      "SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK776asdhds;rport",
      "SIP/2.0/UDP 192.0.2.41:5060;branch=z9hG4bK-524287-1---e7d1f04a93b2c658;rport=5060;"
      "received=198.51.100.7",
      "SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
      "SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bKbf6b4c1c0a3d",
      "SIP/2.0/UDP 203.0.113.32:5070;branch=z9hG4bK2d4790.1;maddr=239.255.255.1;ttl=16",
      "sip/2.0/tls h.example;BRANCH=x;Received=[2001:db8::1];RPORT=1;keep=30;x=y;lr",
      "SIP/2.0/UDP a.example.com;branch=z9hG4bK1;rport=5060;received=192.0.2.1 ,"
      " SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2",
      "SIP/2.0/WSS h.invalid;maddr=[::1];ttl=255;keep=4294967295;received=2001:db8::1",
      "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1 ;rport ,SIP/2.0/UDP x",
      "SIP / 2.0 / UDP host : 5060 ; branch = \"q\"",
      "SIP/2.0/UDP host\r\n ;branch=a\r\n ,SIP/2.0/UDP b\t",
      "SIP/2.0/UDP h;maddr=h.example.com;ttl=1;keep=0;rport=65535;branch=a.b-c!d%e*f_g+h`i'j~k",
      "SIP/2.0/SCTP 1.2.3.4:1;received=1.2.3.4;branch=1;a;b;c;ttl=010,SIP/2.0/UDP "
      "x:2;keep=123456789",
      " SIP/2.0/UDP gw3.carrier.example.net.:65535;branch=z9hG4bKc0ffee.77;rport;maddr=[::1:2]",
      // One deleted byte away from a duplicate of each parameter the Via
      // interprets.
      "SIP/2.0/UDP 192.0.2.1:5060;rport=1;rportz=2;received=192.0.2.2;receivedz=192.0.2.3;"
      "ttl=1;ttlz=2;keep;keepz=1;maddr=a.b;maddrz=c;branch=x;branchz=y;rportz",
      "SIP/2.0/UDP a;x",  // shorter than one 16-byte step
      "SIP/2.0/UDP h:1,SIP/2.0/UDP i",
  };
  const std::string alphabet = kAlphabet + "\r\n";
  std::size_t accepted = 0;
  for (const UriLimits limits : {UriLimits{}, UriLimits{40, 2}}) {
    for (const std::string& mutation : mutations(seeds, alphabet)) {
      // In a buffer of exactly its size, so that a sanitizer build reports
      // any read past the view (a std::string has its NUL there).
      const std::vector<char> bytes(mutation.begin(), mutation.end());
      const std::string_view view(bytes.data(), bytes.size());
      const std::string& text = mutation;  // for the messages
      // Each via-parm where the general walk over the list starts one.
      std::size_t start = 0;
      while (true) {
        Via general;
        std::size_t general_pos = start;
        const bool general_ok =
            grammar::parse_via_general(view, general_pos, limits, general).has_value();
        Via fast;
        std::size_t fast_pos = start;
        if (grammar::parse_via_fast(view, fast_pos, limits, fast)) {
          ++accepted;
          ASSERT_TRUE(general_ok) << "'" << text << "' from " << start;
          EXPECT_EQ(fast_pos, general_pos) << text;
          expect_same_via(fast, general, text);
        } else {
          EXPECT_EQ(fast_pos, start) << text;
        }
        if (!general_ok || general_pos >= text.size()) break;
        start = general_pos + 1;
      }
    }
  }
  EXPECT_GT(accepted, 30000U);
}

TEST(FastPath, ViaFastPathLeavesRareFormsToTheGeneralParser) {
  Via via;
  std::size_t pos = 0;
  for (std::string_view text : {
           "SIP / 2.0 / UDP a",                   // LWS in sent-protocol
           "SIP/2.0/UDP  a",                      // two SP before sent-by
           "SIP/2.0/UDP a ;branch=b",             // LWS before ';'
           "SIP/2.0/UDP a;branch=\"b\"",          // quoted value
           "SIP/2.0/UDP a;received=2001:db8::1",  // bare IPv6 received
           "SIP/2.0/UDP [::ffff:192.0.2.1]",      // IPv4 in IPv6
           "SIP/2.0/UDP a;keep=4294967295",       // ten digits
           "SIP/2.0/UDP a;rport;rport",           // a duplicate: an error
           "SIP/2.0/UDP a:0",                     // an invalid port
       }) {
    pos = 0;
    via = Via{};
    EXPECT_FALSE(grammar::parse_via_fast(text, pos, UriLimits{}, via)) << text;
  }
  // ...which still parses the valid ones and words the errors.
  EXPECT_EQ(parse_via("SIP / 2.0 / UDP a ; branch = b")->branch, "b");
  EXPECT_EQ(parse_via("SIP/2.0/UDP a;received=2001:db8::1")->received, "2001:db8::1");
  EXPECT_EQ(parse_via("SIP/2.0/UDP [::ffff:192.0.2.1]")->sent_by.host, "::ffff:192.0.2.1");
  EXPECT_EQ(parse_via("SIP/2.0/UDP a;keep=4294967295")->keep_value, 4294967295U);
  EXPECT_EQ(parse_via("SIP/2.0/UDP a;rport;rport").error().message,
            "Via: duplicate rport parameter");
  EXPECT_EQ(parse_via("SIP/2.0/UDP a:0").error().message, "Via: sent-by: port 0");
  // A fallback after the fast path wrote some fields starts from a blank Via.
  const auto mixed = parse_via("SIP/2.0/UDP a;branch=z9hG4bK1;ttl=1;received=2001:db8::1");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->branch, "z9hG4bK1");
  EXPECT_EQ(mixed->ttl, 1);
}

// The general way of reading a name-addr list field: split with ListScanner,
// then parse each element. Empty when any step fails.
std::optional<std::vector<NameAddr>> general_name_addrs(std::string_view value,
                                                        const UriLimits& limits) {
  std::vector<NameAddr> out;
  scan::ListScanner list(value);
  std::string_view element;
  while (true) {
    const auto step = list.next(element);
    if (step == scan::ListScanner::Step::end) return out;
    if (step == scan::ListScanner::Step::error) return std::nullopt;
    if (!grammar::parse_name_addr_into(element, limits, false, out.emplace_back(), nullptr)) {
      return std::nullopt;
    }
  }
}

NameAddr& address_of(NameAddr& item) {
  return item;
}
NameAddr& address_of(ContactValue& item) {
  return item.address;
}
ContactValue::ParamIndex* index_of(NameAddr& /*item*/) {
  return nullptr;
}
ContactValue::ParamIndex* index_of(ContactValue& item) {
  return &item.index;
}

// Reads the list `text` element by element with the one-pass item walk (a
// ContactValue with its parameter notes): false when the walk is undecided
// somewhere, which leaves the list to the general reading.
template <class Item>
bool read_items_fast(const std::string& text, const UriLimits& limits, std::vector<Item>& out) {
  std::size_t pos = 0;
  while (true) {
    Item& item = out.emplace_back();
    if (!grammar::parse_name_addr_item_fast(text, pos, limits, address_of(item), index_of(item))) {
      return false;
    }
    if (pos == text.size()) return true;
    EXPECT_EQ(text[pos], ',') << text;  // each element ends at a ',' or the end
    ++pos;
  }
}

TEST(FastPath, NameAddrItemsAgreeWithSplittingAndParsing) {
  const std::vector<std::string> seeds = {
      "<sip:2001@192.0.2.41:5060;transport=udp>;+sip.instance=\"<urn:uuid:6f1c>\";reg-id=1",
      "<sip:a@b;lr>;expires=1712;q=0.7, <sip:c@[2001:db8::1c:8]:5060>;expires=204",
      "\"Bob, Jr.\" <sip:bob@example.com>;tag=x ,\r\n <tel:+1-201-555-0123>",
      "<sip:edge1.example.com;lr;ftag=8b41f0a7> , <sip:198.51.100.20;lr>",
      "\"A \\\"q\\\" B\"<sip:a@b>;p=\"x;y,z\";f",
      "Alice <sip:alice@example.com>, *",
      "<urn:service:sos>;a=b",
      "<sip:a@b>;p=[2001:db8::1];q=1",
      "<sip:a@b>;lr;x=\"q,r\";y=1,<sip:c@d>;z ;w=2 , <sip:e@f>;v=\"\"",
  };
  std::size_t accepted = 0;
  for (const UriLimits limits : {UriLimits{}, UriLimits{40, 2}}) {
    for (const std::string& text : mutations(seeds, kAlphabet)) {
      std::vector<NameAddr> fast;
      if (!read_items_fast(text, limits, fast)) continue;
      ++accepted;
      const auto general = general_name_addrs(text, limits);
      ASSERT_TRUE(general) << "'" << text << "'";
      ASSERT_EQ(fast.size(), general->size()) << text;
      for (std::size_t i = 0; i < fast.size(); ++i) {
        const NameAddr& f = fast[i];
        const NameAddr& g = (*general)[i];
        EXPECT_EQ(f.display_name, g.display_name) << text;
        EXPECT_EQ(f.display_quoted, g.display_quoted) << text;
        EXPECT_EQ(f.bracketed, g.bracketed) << text;
        EXPECT_EQ(f.params.raw(), g.params.raw()) << text;
        EXPECT_EQ(f.raw, g.raw) << text;
        EXPECT_EQ(f.uri.scheme, g.uri.scheme) << text;
        expect_same_uri(f.uri, g.uri, text);
      }
    }
  }
  EXPECT_GT(accepted, 1000U);
}

// The expires and q parameters a Contact's fast walk notes must be what a
// search of its parameters finds (first occurrence, any case, flags as
// empty values, quoted values with their quotes), or the index must say it
// is not valid (%-escaped names, which the search decodes).
TEST(FastPath, ContactParamIndexAgreesWithTheParameterSearch) {
  const std::vector<std::string> seeds = {
      "<sip:2001@192.0.2.41:5060;transport=udp>;expires=3600;+sip.instance=\"<urn:uuid:6f1c>\";"
      "reg-id=1;q=1.0",
      "<sip:a@b;lr>;EXPIRES=1712;Q=0.7, <sip:c@d:5060>;q;expires=204;q=0.5;expires=9",
      "<sip:a@b>;%65xpires=5;%71=0.5;expires=6",
      "<sip:a@b>;q=\"0.5\";expires=\"7\";x=%71",
      "<sip:a@b>;expires;qq=1;xexpires=2;q=0",
  };
  std::size_t indexed = 0;
  std::size_t escaped = 0;
  for (const std::string& text : mutations(seeds, kAlphabet)) {
    std::vector<ContactValue> fast;
    if (!read_items_fast(text, UriLimits{}, fast)) continue;
    for (const ContactValue& contact : fast) {
      if (!contact.index.valid) {
        ++escaped;
        continue;
      }
      ++indexed;
      const ParamList& params = contact.address.params;
      for (const auto& [noted, name] :
           {std::pair{contact.index.expires, "expires"}, std::pair{contact.index.q, "q"}}) {
        const auto searched = params.get(name);
        ASSERT_EQ(noted.has_value(), searched.has_value()) << name << " in '" << text << "'";
        if (noted) {
          EXPECT_EQ(*noted, *searched) << name << " in '" << text << "'";
        }
      }
      ContactValue unindexed = contact;
      unindexed.index = {};
      EXPECT_EQ(contact.expires(), unindexed.expires()) << text;
      EXPECT_EQ(contact.q(), unindexed.q()) << text;
    }
  }
  EXPECT_GT(indexed, 1000U);
  EXPECT_GT(escaped, 10U);
}

TEST(FastPath, ContactsFromAMessageReadTheirParametersAsTheSearchDoes) {
  auto parsed = Message::parse(
      "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 REGISTER\r\n"
      "Contact: <sip:a@h1>;Expires=60;q=0.25, <sip:a@h2>;%65xpires=5;q\r\n"
      "Contact: <sip:a@h3>;expires = 7\r\n\r\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto contacts = parsed->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 3U);
  EXPECT_TRUE((*contacts)[0].index.valid);
  EXPECT_EQ((*contacts)[0].expires(), 60U);
  EXPECT_EQ((*contacts)[0].q(), 0.25);
  EXPECT_FALSE((*contacts)[1].index.valid);  // an escaped name: the search decodes it
  EXPECT_EQ((*contacts)[1].expires(), 5U);
  EXPECT_EQ((*contacts)[1].q(), std::nullopt);  // a flag is no qvalue
  EXPECT_FALSE((*contacts)[2].index.valid);     // LWS around '=': the general reading
  EXPECT_EQ((*contacts)[2].expires(), 7U);
}

void expect_same_name_addr(const NameAddr& f, const NameAddr& g, const std::string& text) {
  EXPECT_EQ(f.display_name, g.display_name) << text;
  EXPECT_EQ(f.display_quoted, g.display_quoted) << text;
  EXPECT_EQ(f.bracketed, g.bracketed) << text;
  EXPECT_EQ(f.params.raw(), g.params.raw()) << text;
  EXPECT_EQ(f.raw, g.raw) << text;
  expect_same_uri(f.uri, g.uri, text);
}

const std::vector<std::string> kNameAddrSeeds = {
    "\"Front Desk\" <sip:2001@sip.example.com>;tag=5c1a9e02",
    "<sip:2002@sip.example.com;user=phone>;tag=1f2e3d4c",
    "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
    "Bob\t <sip:bob@biloxi.example.com>",
    "<sip:2001@192.0.2.41:5060>",
    "<sips:a:pw@[2001:db8::1]:5061;transport=tls>;TAG=x;lr;tag=y",
    "\"\" <sip:a%40b@h.example.>;p=v;x",
    "\"A \\\"q\\\" B\" <sip:a@b>;tag=t",
    "sip:carol@chicago.example.com;tag=1",
    "<tel:+1-201-555-0123>;tag=t",
    "<sip:a@b?subject=x>;tag=t",
    "<sip:a@b> ; tag = t",
    "<sip:a@b>;tag=\"q\";p=[::1]",
};

TEST(FastPath, FromToNameAddrAgreesWithTheGeneralReading) {
  std::size_t accepted = 0;
  for (const UriLimits limits : {UriLimits{}, UriLimits{40, 2}}) {
    for (const std::string& text : mutations(kNameAddrSeeds, kAlphabet)) {
      const std::string_view s = scan::trim_lws(text);
      for (const bool want_tag : {true, false}) {
        NameAddr fast;
        std::string_view fast_tag = "unset";
        if (grammar::parse_name_addr_fast(s, limits, fast, want_tag ? &fast_tag : nullptr)) {
          ++accepted;
          NameAddr general;
          std::string_view general_tag = "unset";
          auto parsed = grammar::parse_name_addr_general(s, limits, false, general,
                                                         want_tag ? &general_tag : nullptr);
          ASSERT_TRUE(parsed) << "'" << text << "': " << parsed.error().message;
          expect_same_name_addr(fast, general, text);
          EXPECT_EQ(fast_tag, general_tag) << text;
          // Route-like fields want the brackets, which the fast path demands.
          NameAddr bracketed;
          EXPECT_TRUE(grammar::parse_name_addr_general(s, limits, true, bracketed, nullptr));
        }
        // The entry point gives the general reading's result either way.
        NameAddr entry;
        NameAddr general;
        std::string_view entry_tag = "unset";
        std::string_view general_tag = "unset";
        auto a = grammar::parse_name_addr_into(text, limits, false, entry, &entry_tag);
        auto b = grammar::parse_name_addr_general(s, limits, false, general, &general_tag);
        ASSERT_EQ(a.has_value(), b.has_value()) << text;
        if (!a) {
          EXPECT_EQ(a.error().code, b.error().code) << text;
          EXPECT_EQ(a.error().message, b.error().message) << text;
          continue;
        }
        expect_same_name_addr(entry, general, text);
        EXPECT_EQ(entry_tag, general_tag) << text;
      }
    }
  }
  EXPECT_GT(accepted, 2000U);
}

TEST(FastPath, CSeqAgreesWithTheGeneralReading) {
  const std::vector<std::string> seeds = {
      "1 REGISTER",      "4711 OPTIONS", "2147483647 INVITE", "2147483648 BYE",
      "0000000001\tACK", " 7  X-Y.z",    "12345678901 A",     "1 INVITE x",
  };
  for (const std::string& text : mutations(seeds, std::string("0 9\tA;.:\r\n") + '\0' + "\xff")) {
    auto fast = parse_cseq(text);
    auto general = grammar::parse_cseq_general(text);
    ASSERT_EQ(fast.has_value(), general.has_value()) << "'" << text << "'";
    // The fast path alone (the parser's own call): it decides only what
    // the general reading accepts, with the same fields, and otherwise
    // leaves its output alone.
    CSeq direct;
    direct.number = 99;
    if (grammar::parse_cseq_fast(text, direct)) {
      ASSERT_TRUE(general) << text;
      EXPECT_EQ(direct.number, general->number) << text;
      EXPECT_EQ(direct.method, general->method) << text;
      EXPECT_EQ(direct.method_text, general->method_text) << text;
    } else {
      EXPECT_EQ(direct.number, 99U) << text;
    }
    if (!fast) {
      EXPECT_EQ(fast.error().code, general.error().code) << text;
      EXPECT_EQ(fast.error().message, general.error().message) << text;
      continue;
    }
    EXPECT_EQ(fast->number, general->number) << text;
    EXPECT_EQ(fast->method, general->method) << text;
    EXPECT_EQ(fast->method_text, general->method_text) << text;
  }
}

TEST(FastPath, CallIdAgreesWithTheGeneralReading) {
  const std::vector<std::string> seeds = {
      "Y2JkNjE0NTQ1ZjVkYjMwNzVkMjhiZGQ5ZDU1ZTg2Nzg",
      "0f9b8c1d2e3a4b5c6d7e8f90a1b2c3d4@198.51.100.20",
      "3848276298220188511@atlanta.example.com",
      "a@0123456789abcdef",
      "0123456789abcdef@",
      "@0123456789abcdef",
      "()<>:\\\"/[]?{}!%*_+`'~-.0123456789",
      "0123456789abcdef0123456789abcdef",
  };
  std::string alphabet = kAlphabet + "#$&;=^|{}()\\\x80\x1f ";
  for (const std::string& text : mutations(seeds, alphabet)) {
    const grammar::Fault fast = grammar::check_call_id(text);
    const grammar::Fault general = grammar::check_call_id_general(text);
    EXPECT_EQ(static_cast<bool>(fast), static_cast<bool>(general)) << "'" << text << "'";
    if (fast && general) {
      EXPECT_EQ(fast.code, general.code) << text;
      EXPECT_STREQ(fast.reason, general.reason) << text;
    }
  }
}

TEST(FastPath, NameAddrListsFallBackForTheRareForms) {
  auto m = Message::parse(
      "OPTIONS sip:a@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
      "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n"
      "Contact: Alice <sip:alice@example.com>;q=0.5, <sip:b@example.com>\r\n"
      "Contact: sip:c@example.com;expires=30\r\n"
      "Route: <sip:p1.example.com;lr>,\r\n <sip:p2.example.com;lr>\r\n"
      "Record-Route: <sip:p3.example.com;lr>, sip:p4.example.com\r\n"
      "Path: <sip:p5.example.com;lr>,\r\n"
      "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 3U);
  EXPECT_EQ((*contacts)[0].address.display_name, "Alice");
  EXPECT_EQ((*contacts)[0].q(), 0.5);
  EXPECT_EQ((*contacts)[1].address.uri.user, "b");
  EXPECT_FALSE((*contacts)[2].address.bracketed);
  EXPECT_EQ((*contacts)[2].expires(), 30U);
  auto route = m->name_addrs(HeaderId::route);
  ASSERT_TRUE(route) << route.error().message;
  ASSERT_EQ(route->size(), 2U);
  EXPECT_EQ((*route)[1].raw, "<sip:p2.example.com;lr>");
  EXPECT_EQ(m->name_addrs(HeaderId::record_route).error().message,
            "Record-Route: expected a URI in <>");
  EXPECT_EQ(m->name_addrs(HeaderId::path).error().message, "Path: empty list element");
}

TEST(FastPath, ParamListLookupAgreesWithTheEscapeAwareComparison) {
  const std::vector<std::string> seeds = {
      ";expires=3600;q=0.7;+sip.instance=\"<urn:a;b>\";reg-id=1",
      " ; Q = 1 ;%65xpires=60;lr;%71",
      ";x=\"a\\\"q;\";q=0.5",
      ";a\r\n =1;q\r\n\t= \"x;y\" ;lr ; expires;%51=2;q=3",
  };
  const std::vector<std::string> probes = {"q",      "Q",   "expires",   "lr", "+sip.instance",
                                           "reg-id", "%71", "%65xpires", "x",  ""};
  for (const std::string& text : mutations(seeds, kAlphabet)) {
    const ParamList params(text);
    for (const std::string& name : probes) {
      std::optional<std::string_view> expected;
      for (const Param& p : params) {
        if (detail::equal_escaped(p.name, name, true)) {
          expected = p.value;
          break;
        }
      }
      EXPECT_EQ(params.get(name), expected) << "'" << text << "' " << name;
    }
  }
}

TEST(FastPath, ParamListLookupDecodesEscapedNamesOnly) {
  const ParamList params(";Expires=30;%71=0.5;+sip.instance=\"<urn:x;y>\" ; lr ;q=1");
  EXPECT_EQ(params.get("expires"), "30");
  EXPECT_EQ(params.get("q"), "0.5");  // %71 is 'q' (RFC 3261 §19.1.4)
  EXPECT_EQ(params.get("+SIP.instance"), "\"<urn:x;y>\"");
  EXPECT_EQ(params.get("lr"), "");
  EXPECT_EQ(params.get("%6cr"), "");
  EXPECT_FALSE(params.get("y>\""));
  EXPECT_FALSE(params.get("e"));
  EXPECT_EQ(params.size(), 5U);
}

}  // namespace
}  // namespace sipline::sip

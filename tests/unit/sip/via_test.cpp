#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sip/message.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_view_literals;

Via via_ok(std::string_view text) {
  auto via = parse_via(text);
  EXPECT_TRUE(via) << text << ": " << via.error().message;
  return via ? *via : Via{};
}

Error via_error(std::string_view text) {
  auto via = parse_via(text);
  EXPECT_FALSE(via) << text;
  return via ? Error{Errc::malformed, "<parsed>"} : via.error();
}

TEST(Via, SentProtocolAndSentBy) {
  const Via v = via_ok("SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds");
  EXPECT_EQ(v.protocol_name, "SIP");
  EXPECT_EQ(v.version, "2.0");
  EXPECT_EQ(v.transport, "UDP");
  EXPECT_EQ(v.sent_by.host, "pc33.atlanta.example.com");
  EXPECT_EQ(v.sent_by.kind, HostKind::hostname);
  EXPECT_EQ(v.sent_by.port, 5066);
  EXPECT_EQ(v.branch, "z9hG4bK776asdhds");
  EXPECT_TRUE(v.rfc3261_branch());
  EXPECT_EQ(v.raw, "SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds");
  EXPECT_EQ(v.params.raw(), ";branch=z9hG4bK776asdhds");
}

TEST(Via, TransportIsKeptAsWritten) {
  for (std::string_view transport : {"UDP", "tcp", "TLS", "SCTP", "WS", "WSS", "UNKNOWN"}) {
    const std::string text = "SIP/2.0/" + std::string(transport) + " h.example.com";
    const Via v = via_ok(text);  // views into `text`
    EXPECT_EQ(v.transport, transport);
  }
  EXPECT_EQ(via_ok("sip/2.0/udp h.example.com").protocol_name, "sip");
}

TEST(Via, WhitespaceAndFoldingAroundTheSeparators) {
  const Via v =
      via_ok("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2 : 5070 ;\r\n branch = z9hG4bK1 ; rport");
  EXPECT_EQ(v.transport, "UDP");
  EXPECT_EQ(v.sent_by.host, "192.0.2.2");
  EXPECT_EQ(v.sent_by.kind, HostKind::ipv4);
  EXPECT_EQ(v.sent_by.port, 5070);
  EXPECT_EQ(v.branch, "z9hG4bK1");
  EXPECT_TRUE(v.rport);
  EXPECT_EQ(v.params.get("branch"), "z9hG4bK1"sv);
}

TEST(Via, Ipv6SentBy) {
  const Via v = via_ok("SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111");
  EXPECT_EQ(v.sent_by.kind, HostKind::ipv6);
  EXPECT_EQ(v.sent_by.host, "2001:db8::9:1");
  EXPECT_EQ(v.sent_by.port, 6050);
  const Via no_port = via_ok("SIP/2.0/TCP [::ffff:192.0.2.2]");
  EXPECT_EQ(no_port.sent_by.host, "::ffff:192.0.2.2");
  EXPECT_FALSE(no_port.sent_by.port);
  EXPECT_FALSE(parse_via("SIP/2.0/UDP [2001:db8::1"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP 2001:db8::1"));
}

TEST(Via, BranchIsOptionalForRfc2543Peers) {
  const Via v = via_ok("SIP/2.0/UDP 192.0.2.15");
  EXPECT_TRUE(v.branch.empty());
  EXPECT_FALSE(v.rfc3261_branch());
  EXPECT_TRUE(v.params.empty());
  EXPECT_FALSE(via_ok("SIP/2.0/UDP h;branch=1234").rfc3261_branch());
  EXPECT_TRUE(via_ok("SIP/2.0/UDP h;branch=z9hG4bK").rfc3261_branch());
}

TEST(Via, BranchMustBeOneToken) {
  EXPECT_EQ(via_error("SIP/2.0/UDP h;branch").message, "Via: invalid branch");
  EXPECT_EQ(via_error("SIP/2.0/UDP h;branch=").message, "Via: missing parameter value");
  EXPECT_EQ(via_error("SIP/2.0/UDP h;branch=\"z9hG4bK1\"").message, "Via: invalid branch");
  EXPECT_EQ(via_error("SIP/2.0/UDP h;branch=z9:1").message, "Via: invalid branch");
  EXPECT_EQ(via_error("SIP/2.0/UDP h;branch=a;BRANCH=b").message,
            "Via: duplicate branch parameter");
  EXPECT_EQ(via_ok("SIP/2.0/UDP h;Branch=z9hG4bK.x-y_z!%*+`'~").branch, "z9hG4bK.x-y_z!%*+`'~");
  const std::string long_branch = "z9hG4bK" + std::string(4000, 'a');
  const std::string text = "SIP/2.0/UDP h;branch=" + long_branch;
  EXPECT_EQ(via_ok(text).branch, long_branch);
}

TEST(Via, Received) {
  EXPECT_EQ(via_ok("SIP/2.0/UDP h;received=192.0.2.1").received, "192.0.2.1"sv);
  // RFC 5118 §4.5: without brackets as RFC 3261 defines it, and with them.
  EXPECT_EQ(via_ok("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255").received,
            "2001:db8::9:255"sv);
  EXPECT_EQ(via_ok("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]").received,
            "[2001:db8::9:255]"sv);
  for (const char* bad : {"received", "received=host.example.com", "received=192.0.2.256",
                          "received=[192.0.2.1]", "received=2001:db8::1:5060:1:2:3:4:5",
                          "received=1.2.3.4;received=1.2.3.4", "received=\"192.0.2.1\""}) {
    auto e = via_error(std::string("SIP/2.0/UDP h;") + bad);
    EXPECT_EQ(e.code, Errc::malformed) << bad;
  }
}

TEST(Via, Rport) {
  const Via flag = via_ok("SIP/2.0/UDP h;rport;branch=z9hG4bK1");
  EXPECT_TRUE(flag.rport);
  EXPECT_FALSE(flag.rport_value);
  const Via value = via_ok("SIP/2.0/UDP h;rport=61000;received=192.0.2.9");
  EXPECT_TRUE(value.rport);
  EXPECT_EQ(value.rport_value, 61000);
  EXPECT_FALSE(via_ok("SIP/2.0/UDP h").rport);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;rport=0").code, Errc::out_of_range);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;rport=65536").message, "Via: rport out of range");
  EXPECT_EQ(via_error("SIP/2.0/UDP h;rport=99999999999999999999999").code, Errc::out_of_range);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;rport=5o60").message, "Via: rport is not a number");
}

TEST(Via, MaddrAndTtl) {
  const Via v = via_ok("SIP/2.0/UDP h;maddr=239.255.255.1;ttl=16");
  EXPECT_EQ(v.maddr, "239.255.255.1"sv);
  EXPECT_EQ(v.ttl, 16);
  EXPECT_EQ(via_ok("SIP/2.0/UDP h;maddr=proxy.example.com").maddr, "proxy.example.com"sv);
  EXPECT_EQ(via_ok("SIP/2.0/UDP h;maddr=[2001:db8::1]").maddr, "[2001:db8::1]"sv);
  EXPECT_EQ(via_ok("SIP/2.0/UDP h;ttl=0").ttl, 0);
  EXPECT_EQ(via_ok("SIP/2.0/UDP h;ttl=255").ttl, 255);
  EXPECT_FALSE(parse_via("SIP/2.0/UDP h;maddr=h.example.com:5060"));
  EXPECT_FALSE(parse_via("SIP/2.0/UDP h;maddr"));
  EXPECT_EQ(via_error("SIP/2.0/UDP h;ttl=256").code, Errc::out_of_range);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;ttl=0016").code, Errc::malformed);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;ttl").code, Errc::malformed);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;ttl=1a").code, Errc::malformed);
}

TEST(Via, KeepRfc6223) {
  const Via offer = via_ok("SIP/2.0/UDP h;branch=z9hG4bK1;keep");
  EXPECT_TRUE(offer.keep);
  EXPECT_FALSE(offer.keep_value);
  const Via answer = via_ok("SIP/2.0/UDP h;branch=z9hG4bK1;keep=30");
  EXPECT_TRUE(answer.keep);
  EXPECT_EQ(answer.keep_value, 30u);
  EXPECT_FALSE(via_ok("SIP/2.0/UDP h").keep);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;keep=4294967296").code, Errc::out_of_range);
  EXPECT_EQ(via_error("SIP/2.0/UDP h;keep=soon").code, Errc::malformed);
}

TEST(Via, ExtensionParametersAreKept) {
  const Via v = via_ok("SIP/2.0/UDP h;branch=z9hG4bK1;alias;x-token=\"a;b,c\";y=[::1]");
  EXPECT_TRUE(v.params.has("alias"));
  EXPECT_EQ(v.params.get("x-token"), "\"a;b,c\""sv);
  EXPECT_EQ(v.params.get("y"), "[::1]"sv);
  EXPECT_EQ(v.params.size(), 4u);
}

TEST(Via, SentByPort) {
  EXPECT_EQ(via_ok("SIP/2.0/UDP h:1").sent_by.port, 1);
  EXPECT_EQ(via_ok("SIP/2.0/UDP h:65535").sent_by.port, 65535);
  EXPECT_EQ(via_error("SIP/2.0/UDP h:0").code, Errc::out_of_range);
  EXPECT_EQ(via_error("SIP/2.0/UDP h:65536").code, Errc::out_of_range);
  EXPECT_EQ(via_error("SIP/2.0/UDP h:").code, Errc::malformed);
  EXPECT_EQ(via_error("SIP/2.0/UDP h:x").code, Errc::malformed);
}

TEST(Via, MalformedValues) {
  for (const char* bad :
       {"", "   ", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/2.0 UDP h", "SIP/2.0/ h",
        "SIP/2.0/UDPh.example.com", "SIP/2.0/UDP h;", "SIP/2.0/UDP h;;branch=1", "SIP/2.0/UDP h;=1",
        "SIP/2.0/UDP h (comment)", "SIP/2.0/UDP h extra", "SIP/2.0/UDP exa_mple.com",
        "SIP/2.0/UDP h;x=\"open", "SIP/2.0/UDP h, SIP/2.0/UDP g", "SIP/2.0/UDP h,"}) {
    EXPECT_FALSE(parse_via(bad)) << bad;
  }
  EXPECT_EQ(via_error("SIP/2.0/UDP 192.0.2.15;;,;,,").code, Errc::malformed);
}

TEST(Via, ErrorsFromTheMessageNameTheHeader) {
  const std::string tail =
      "\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 OPTIONS\r\n\r\n";
  auto m = Message::parse("OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;rport=0" + tail);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "Via: rport out of range");
}

TEST(MessageVias, EveryValueOfEveryFieldInOrder) {
  auto m = Message::parse(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa;received=192.0.2.1, "
      "SIP/2.0/TCP b.example.com:5061;branch=z9hG4bKb\r\n"
      "v: SIP/2.0/UDP [2001:db8::1];branch=z9hG4bKc\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: c\r\n"
      "Via: SIP/2.0/TLS d.example.com\r\n"
      "CSeq: 1 OPTIONS\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 4u);
  EXPECT_EQ((*vias)[0].received, "192.0.2.1"sv);
  EXPECT_EQ((*vias)[0].raw, "SIP/2.0/UDP a.example.com;branch=z9hG4bKa;received=192.0.2.1");
  EXPECT_EQ((*vias)[1].sent_by.port, 5061);
  EXPECT_EQ((*vias)[1].raw, "SIP/2.0/TCP b.example.com:5061;branch=z9hG4bKb");
  EXPECT_EQ((*vias)[2].sent_by.kind, HostKind::ipv6);
  EXPECT_EQ((*vias)[3].transport, "TLS");
  EXPECT_EQ(m->top_via().branch, (*vias)[0].branch);
  EXPECT_EQ(m->top_via().raw, (*vias)[0].raw);
}

TEST(MessageVias, AnEmptyListElementIsAnError) {
  auto m = Message::parse(
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa,\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c\r\n"
      "CSeq: 1 OPTIONS\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;  // the top via-parm is fine
  auto vias = m->vias();
  ASSERT_FALSE(vias);
  EXPECT_EQ(vias.error().message, "Via: empty value");
}

}  // namespace
}  // namespace sipline::sip

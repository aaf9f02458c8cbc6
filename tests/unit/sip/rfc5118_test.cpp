// The RFC 5118 IPv6 torture messages (tests/data/rfc5118). <name>.dat is the
// wire form of each message, archive/<name> the RFC's archived bytes (bare LF
// line ends); see the MANIFEST there for how one derives from the other.
// Every file gets the verdict of its MANIFEST line, the valid ones serialize
// back to their own bytes, and each section's IPv6 references come out as
// the RFC reads them.

#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/builder.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_view_literals;

const std::string kDir = std::string(SIPLINE_TEST_DATA_DIR) + "/rfc5118/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string wire(std::string_view name) {
  return read_file(kDir + std::string(name) + ".dat");
}
std::string archived(std::string_view name) {
  return read_file(kDir + "archive/" + std::string(name));
}

struct Case {
  std::string name;
  bool valid = false;
  std::string kind;   // "request", "response" or "-"
  std::string start;  // the method or status code; empty for "-"
  std::string section;
  std::string expectation;
};

std::vector<Case> manifest() {
  std::vector<Case> cases;
  std::istringstream lines(read_file(kDir + "MANIFEST"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Case c;
    std::string verdict;
    fields >> c.name >> verdict >> c.kind;
    if (c.kind != "-") fields >> c.start;
    fields >> c.section >> std::ws;
    std::getline(fields, c.expectation);
    c.valid = verdict == "valid";
    cases.push_back(std::move(c));
  }
  return cases;
}

// Test failures name the file, not the bytes of the Case.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name << " (RFC 5118 " << c.section << ")";
}

std::string test_name(const testing::TestParamInfo<Case>& info) {
  std::string out;
  for (const char ch : info.param.name) {
    out += std::isalnum(static_cast<unsigned char>(ch)) != 0 ? ch : '_';
  }
  return out;
}

std::optional<Message> load(std::string_view name) {
  Result<Message> message = Message::parse(wire(name));
  if (!message) {
    ADD_FAILURE() << name << ": " << message.error().message;
    return std::nullopt;
  }
  return std::move(*message);
}

// Line ends as LF and the Content-Length line dropped: what the wire form
// and the archive must agree on (Content-Length is the one value the wire
// form corrects).
std::string normalized(std::string_view bytes) {
  std::string out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find('\n', pos);
    end = end == std::string_view::npos ? bytes.size() : end + 1;
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end;
    if (line.starts_with("Content-Length:")) continue;
    if (line.ends_with("\r\n")) {
      line.remove_suffix(2);
      out += line;
      out += '\n';
    } else {
      out += line;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The corpus as a whole

TEST(Rfc5118Corpus, ManifestListsTheRfcsTwelveMessages) {
  const std::vector<Case> cases = manifest();
  ASSERT_EQ(cases.size(), 12u);
  int invalid = 0;
  for (const Case& c : cases) {
    EXPECT_FALSE(wire(c.name).empty()) << c.name << ".dat is missing or empty";
    EXPECT_FALSE(archived(c.name).empty()) << "archive/" << c.name << " is missing or empty";
    EXPECT_FALSE(c.expectation.empty()) << c.name;
    invalid += c.valid ? 0 : 1;
  }
  EXPECT_EQ(invalid, 1);  // only §4.2
}

class Rfc5118Message : public testing::TestWithParam<Case> {};

TEST_P(Rfc5118Message, GetsTheManifestVerdict) {
  const Case& c = GetParam();
  const std::string bytes = wire(c.name);
  ASSERT_FALSE(bytes.empty()) << c.name;
  Result<Message> message = Message::parse(bytes);
  if (!c.valid) {
    EXPECT_FALSE(message) << c.name << " (RFC 5118 " << c.section
                          << ") was accepted; expected: " << c.expectation;
    return;
  }
  ASSERT_TRUE(message) << c.name << " (RFC 5118 " << c.section
                       << ") was rejected: " << message.error().message;
  ASSERT_EQ(c.kind, "request");  // section 4 has no responses
  EXPECT_EQ(message->method_text(), c.start);
  // Every wire-form message is exactly one datagram.
  EXPECT_EQ(message->bytes(), bytes);
  EXPECT_EQ(message->content_length(), message->body().size());
  (void)message->vias();
  (void)message->contacts();
}

TEST_P(Rfc5118Message, ValidOnesSerializeToTheirOwnBytes) {
  const Case& c = GetParam();
  if (!c.valid) GTEST_SKIP() << "invalid per RFC 5118 " << c.section;
  Result<Message> message = Message::parse(wire(c.name));
  ASSERT_TRUE(message) << message.error().message;
  const std::string written = serialize(*message);
  EXPECT_EQ(written, message->bytes());
  Result<Message> again = Message::parse(written);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->bytes(), message->bytes());
}

TEST_P(Rfc5118Message, WireFormIsTheArchiveWithCrlf) {
  const Case& c = GetParam();
  const std::string archive = archived(c.name);
  ASSERT_EQ(archive.find('\r'), std::string::npos) << "the archive has no CR octets";
  const std::string bytes = wire(c.name);
  for (std::size_t at = bytes.find('\n'); at != std::string::npos; at = bytes.find('\n', at + 1)) {
    ASSERT_TRUE(at > 0 && bytes[at - 1] == '\r') << "bare LF at offset " << at;
  }
  std::string expected = normalized(archive);
  // The two section 4.10 files stop after their last header line.
  if (archive.find("\n\n") == std::string::npos) expected += '\n';
  EXPECT_EQ(normalized(bytes), expected);
}

TEST_P(Rfc5118Message, ArchivedBareLfBytesAreRejected) {
  // Every line of the start line and headers ends in CRLF (RFC 3261 §7); the
  // parser treats a bare LF there as an error rather than guess where the
  // header section ends, so the archived bytes are refused, cleanly.
  const Case& c = GetParam();
  Result<Message> archive = Message::parse(archived(c.name));
  EXPECT_FALSE(archive) << "archive/" << c.name << " accepted with bare LF line ends";
}

INSTANTIATE_TEST_SUITE_P(Corpus, Rfc5118Message, testing::ValuesIn(manifest()), test_name);

// ---------------------------------------------------------------------------
// The fields each section is about

TEST(Rfc5118Section, Ipv6GoodReferences) {  // §4.1
  auto m = load("ipv6-good");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().host(), "2001:db8::10");
  EXPECT_EQ(m->request_uri().host_port.kind, HostKind::ipv6);
  EXPECT_FALSE(m->request_uri().port());
  EXPECT_EQ(m->top_via().sent_by.host, "2001:db8::9:1");
  EXPECT_EQ(m->top_via().sent_by.kind, HostKind::ipv6);
  EXPECT_FALSE(m->top_via().sent_by.port);
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].address.display_name, "Caller");
  EXPECT_EQ((*contacts)[0].address.uri.user, "caller");
  EXPECT_EQ((*contacts)[0].address.uri.host(), "2001:db8::1");
  EXPECT_EQ((*contacts)[0].address.uri.host_port.kind, HostKind::ipv6);
}

TEST(Rfc5118Section, Ipv6BadNeedsBrackets) {  // §4.2
  EXPECT_FALSE(Message::parse(wire("ipv6-bad")));
  // The same message with the brackets is ipv6-good.
  std::string bracketed = wire("ipv6-bad");
  bracketed.replace(bracketed.find("sip:2001:db8::10 "), 17, "sip:[2001:db8::10] ");
  EXPECT_EQ(bracketed, wire("ipv6-good"));
}

TEST(Rfc5118Section, PortAmbiguousIsPartOfTheAddress) {  // §4.3
  auto m = load("port-ambiguous");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().host(), "2001:db8::10:5070");
  EXPECT_EQ(m->request_uri().host_port.kind, HostKind::ipv6);
  EXPECT_FALSE(m->request_uri().port());
}

TEST(Rfc5118Section, PortUnambiguousAfterTheBracket) {  // §4.4
  auto m = load("port-unambiguous");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().host(), "2001:db8::10");
  EXPECT_EQ(m->request_uri().host_port.kind, HostKind::ipv6);
  EXPECT_EQ(m->request_uri().port(), 5070);
  auto ambiguous = load("port-ambiguous");
  ASSERT_TRUE(ambiguous);
  EXPECT_FALSE(
      host_port_equivalent(m->request_uri().host_port, ambiguous->request_uri().host_port));
}

std::string_view without_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

TEST(Rfc5118Section, ViaReceivedWithBrackets) {  // §4.5
  auto m = load("via-received-param-with-delim");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::bye);
  EXPECT_EQ(m->top_via().sent_by.host, "2001:db8::9:1");
  ASSERT_TRUE(m->top_via().received);
  EXPECT_EQ(without_brackets(*m->top_via().received), "2001:db8::9:255");
  EXPECT_EQ(m->top_via().branch, "z9hG4bKas3-111");
  EXPECT_EQ(m->to_tag(), "bd76ya");
}

TEST(Rfc5118Section, ViaReceivedWithoutBrackets) {  // §4.5
  auto m = load("via-received-param-no-delim");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::options);
  EXPECT_EQ(m->top_via().received, "2001:db8::9:255"sv);
  EXPECT_EQ(m->top_via().branch, "z9hG4bKas3");
  EXPECT_EQ(m->call_id(), "SSG95523997077@hlau_4100");
}

TEST(Rfc5118Section, Ipv6InSdpIsBodyData) {  // §4.6
  auto m = load("ipv6-in-sdp");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().user, "user");
  EXPECT_EQ(m->request_uri().host(), "2001:db8::10");
  EXPECT_EQ(m->to().uri.host(), "2001:db8::10");
  EXPECT_EQ(m->top_via().sent_by.host, "2001:db8::20");
  EXPECT_EQ(m->content_type(), "application/sdp");
  EXPECT_EQ(m->body().size(), 251u);
  EXPECT_NE(m->body().find("\r\nc=IN IP6 2001:db8::20\r\n"), std::string_view::npos);
  EXPECT_TRUE(m->body().ends_with("a=rtpmap:107 H263-1998/90000\r\n"));
}

TEST(Rfc5118Section, MultipleAddressesInVias) {  // §4.7
  auto m = load("mult-ip-in-header");
  ASSERT_TRUE(m);
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[0].sent_by.host, "2001:db8::9:1");
  EXPECT_EQ((*vias)[0].sent_by.kind, HostKind::ipv6);
  EXPECT_EQ((*vias)[0].sent_by.port, 6050);
  EXPECT_EQ((*vias)[1].sent_by.host, "192.0.2.1");
  EXPECT_EQ((*vias)[1].sent_by.kind, HostKind::ipv4);
  EXPECT_FALSE((*vias)[1].sent_by.port);
  EXPECT_EQ((*vias)[2].transport, "TCP");
  EXPECT_EQ((*vias)[2].sent_by.host, "2001:db8::9:255");
  EXPECT_EQ((*vias)[2].sent_by.kind, HostKind::ipv6);
  EXPECT_EQ((*vias)[2].received, "192.0.2.200"sv);
  EXPECT_EQ((*vias)[2].branch, "z9hG4bK451jj");
  EXPECT_EQ(m->to_tag(), "9817--94");
}

TEST(Rfc5118Section, MultipleAddressesInSdp) {  // §4.8
  auto m = load("mult-ip-in-sdp");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body().size(), 189u);
  EXPECT_NE(m->body().find("\r\nc=IN IP4 192.0.2.1\r\n"), std::string_view::npos);
  EXPECT_NE(m->body().find("\r\nc=IN IP6 2001:db8::1\r\n"), std::string_view::npos);
}

TEST(Rfc5118Section, Ipv4MappedAddresses) {  // §4.9
  auto m = load("ipv4-mapped-ipv6");
  ASSERT_TRUE(m);
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 2u);
  EXPECT_EQ((*vias)[0].sent_by.host, "::ffff:192.0.2.10");
  EXPECT_EQ((*vias)[0].sent_by.kind, HostKind::ipv6);
  EXPECT_EQ((*vias)[0].sent_by.port, 19823);
  EXPECT_EQ((*vias)[0].branch, "z9hG4bKbh19");
  EXPECT_EQ((*vias)[1].sent_by.host, "::ffff:192.0.2.2");
  EXPECT_FALSE((*vias)[1].sent_by.port);
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].address.display_name, "T. desk phone");
  EXPECT_EQ((*contacts)[0].address.uri.host(), "::ffff:192.0.2.2");
  EXPECT_EQ((*contacts)[0].address.uri.host_port.kind, HostKind::ipv6);
  EXPECT_EQ(m->body().size(), 245u);
}

TEST(Rfc5118Section, ThreeColonReferenceIsTolerated) {  // §4.10
  auto m = load("ipv6-bug-abnf-3-colons");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().host(), "2001:db8:::192.0.2.1");
  EXPECT_EQ(m->request_uri().host_port.kind, HostKind::ipv6);
  EXPECT_EQ(m->to().uri.host(), "2001:db8:::192.0.2.1");
}

TEST(Rfc5118Section, TwoColonReferenceWithEmbeddedIpv4) {  // §4.10
  auto m = load("ipv6-correct-abnf-2-colons");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().user, "user");
  EXPECT_EQ(m->request_uri().host(), "2001:db8::192.0.2.1");
  EXPECT_EQ(m->request_uri().host_port.kind, HostKind::ipv6);
  EXPECT_EQ(m->to().uri.host(), "2001:db8::192.0.2.1");
  EXPECT_EQ(m->top_via().sent_by.host, "lab1.east.example.com");
}

}  // namespace
}  // namespace sipline::sip

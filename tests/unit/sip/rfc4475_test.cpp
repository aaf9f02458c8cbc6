// The RFC 4475 torture messages (tests/data/rfc4475, bytes from the RFC's
// Appendix A archive). Every file gets the verdict of its MANIFEST line; the
// valid ones must yield the fields the RFC calls out and serialize back to
// their own bytes; the invalid ones must be rejected for the defect the RFC
// names, which is checked by repairing exactly that defect.

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

const std::string kDir = std::string(SIPLINE_TEST_DATA_DIR) + "/rfc4475/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string corpus(std::string_view name) {
  return read_file(kDir + std::string(name) + ".dat");
}

// One MANIFEST line: name verdict (request METHOD | response CODE | -)
// section expectation.
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
  *os << c.name << " (RFC 4475 " << c.section << ")";
}

std::string test_name(const testing::TestParamInfo<Case>& info) {
  std::string out;
  for (const char ch : info.param.name) {
    out += std::isalnum(static_cast<unsigned char>(ch)) != 0 ? ch : '_';
  }
  return out;
}

std::optional<Message> load(std::string_view name) {
  Result<Message> message = Message::parse(corpus(name));
  if (!message) {
    ADD_FAILURE() << name << ": " << message.error().message;
    return std::nullopt;
  }
  return std::move(*message);
}

// The RFC renders non-ASCII octets as <hex>...</hex>; so do these tests.
std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// The RFC's <repeat count=N>text</repeat>.
std::string repeat(std::string_view text, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += text;
  return out;
}

// Reads every typed accessor once, so that each decoder sees the message
// under the sanitizers. Failures are allowed: these fields are decoded on
// demand and the RFC lets a receiver ignore malformed ones.
void touch_everything(const Message& m) {
  (void)m.vias();
  (void)m.contacts();
  for (const HeaderId id :
       {HeaderId::route, HeaderId::record_route, HeaderId::path, HeaderId::service_route}) {
    (void)m.name_addrs(id);
  }
  for (const HeaderId id :
       {HeaderId::allow, HeaderId::supported, HeaderId::require, HeaderId::unsupported,
        HeaderId::proxy_require, HeaderId::allow_events}) {
    (void)m.tokens(id);
  }
  (void)m.expires();
  (void)m.min_expires();
  (void)m.retry_after();
}

// ---------------------------------------------------------------------------
// The corpus as a whole

TEST(Rfc4475Corpus, ManifestListsTheRfcsFortyNineMessages) {
  const std::vector<Case> cases = manifest();
  ASSERT_EQ(cases.size(), 49u);
  int valid = 0;
  for (const Case& c : cases) {
    EXPECT_FALSE(corpus(c.name).empty()) << c.name << ".dat is missing or empty";
    EXPECT_TRUE(c.kind == "request" || c.kind == "response" || c.kind == "-") << c.name;
    EXPECT_FALSE(c.expectation.empty()) << c.name;
    valid += c.valid ? 1 : 0;
  }
  // All of 3.1.1 (13), 3.2.1, twelve of the fifteen in 3.3, and 3.4.1.
  EXPECT_EQ(valid, 13 + 1 + 12 + 1);
}

class Rfc4475Message : public testing::TestWithParam<Case> {};

TEST_P(Rfc4475Message, GetsTheManifestVerdict) {
  const Case& c = GetParam();
  const std::string bytes = corpus(c.name);
  ASSERT_FALSE(bytes.empty()) << c.name;
  Result<Message> message = Message::parse(bytes);
  if (!c.valid) {
    EXPECT_FALSE(message) << c.name << " (RFC 4475 " << c.section
                          << ") was accepted; expected: " << c.expectation;
    return;
  }
  ASSERT_TRUE(message) << c.name << " (RFC 4475 " << c.section
                       << ") was rejected: " << message.error().message;
  if (c.kind == "request") {
    EXPECT_TRUE(message->is_request());
    EXPECT_EQ(message->method_text(), c.start);
  } else {
    EXPECT_TRUE(message->is_response());
    EXPECT_EQ(std::to_string(message->status_code()), c.start);
  }
  // What the message was parsed from: the datagram, less anything beyond
  // Content-Length (RFC 3261 §18.3).
  EXPECT_EQ(bytes.substr(0, message->bytes().size()), message->bytes());
  EXPECT_TRUE(message->bytes().ends_with(message->body()));
  touch_everything(*message);
}

TEST_P(Rfc4475Message, ValidOnesSerializeToTheirOwnBytes) {
  const Case& c = GetParam();
  if (!c.valid) GTEST_SKIP() << "invalid per RFC 4475 " << c.section;
  Result<Message> message = Message::parse(corpus(c.name));
  ASSERT_TRUE(message) << message.error().message;
  const std::string written = serialize(*message);
  EXPECT_EQ(written, message->bytes());
  Result<Message> again = Message::parse(written);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->bytes(), message->bytes());
  // A copy re-parses its own bytes; its views must not point into the original.
  const Message copy = *message;
  EXPECT_EQ(serialize(copy), message->bytes());
  EXPECT_NE(copy.bytes().data(), message->bytes().data());
}

INSTANTIATE_TEST_SUITE_P(Corpus, Rfc4475Message, testing::ValuesIn(manifest()), test_name);

// ---------------------------------------------------------------------------
// Invalid messages fail for the defect the RFC names: with that defect (and
// only it) repaired, each parses. A parser that rejected them for some other
// reason, say their SDP body, fails here.

struct Repair {
  std::string_view name;
  std::vector<std::pair<std::string, std::string>> edits;  // find, replace
};

std::string repaired(const Repair& r) {
  std::string bytes = corpus(r.name);
  for (const auto& [find, replace] : r.edits) {
    const std::size_t at = bytes.find(find);
    if (at == std::string::npos || bytes.find(find, at + 1) != std::string::npos) {
      ADD_FAILURE() << r.name << ": '" << find << "' does not occur exactly once";
      continue;
    }
    bytes.replace(at, find.size(), replace);
  }
  return bytes;
}

void PrintTo(const Repair& r, std::ostream* os) {
  *os << r.name;
}

class Rfc4475Repair : public testing::TestWithParam<Repair> {};

TEST_P(Rfc4475Repair, ParsesOnceTheNamedDefectIsFixed) {
  const Repair& r = GetParam();
  ASSERT_FALSE(Message::parse(corpus(r.name))) << r.name << " must be rejected as archived";
  Result<Message> message = Message::parse(repaired(r));
  EXPECT_TRUE(message) << r.name << " repaired: " << message.error().message;
}

const Repair kRepairs[] = {
    {"badinv01", {{"192.0.2.15;;,;,,", "192.0.2.15"}, {"org>;;;;", "org>"}}},
    {"clerr", {{"Content-Length: 9999", "Content-Length: 154"}}},
    {"ncl", {{"Content-Length: -999", "Content-Length: 152"}}},
    {"scalar02",
     {{"36893488147419103232", "36"},
      {"Max-Forwards: 300", "Max-Forwards: 70"},
      {"Expires: 1" + std::string(100, '0'), "Expires: 3600"},
      {"expires=280297596632815", "expires=3600"}}},
    {"scalarlg",
     {{"9292394834772304023312", "9292"},
      {"949302838503028349304023988", "3600"},
      {"Warning: 1812", "Warning: 399"}}},
    {"quotbal", {{R"("Mr. J. User <sip)", R"("Mr. J. User" <sip)"}}},
    {"ltgtruri", {{"INVITE <sip:user@example.com> SIP", "INVITE sip:user@example.com SIP"}}},
    {"lwsruri", {{"example.com; lr SIP", "example.com;lr SIP"}}},
    {"lwsstart", {{"INVITE  sip:user@example.com  SIP", "INVITE sip:user@example.com SIP"}}},
    {"trws", {{"SIP/2.0  \r\n", "SIP/2.0\r\n"}}},
    {"escruri", {{"?Route=%3Csip:example.com%3E SIP", " SIP"}}},
    {"baddate", {{"16:00:00 EST", "16:00:00 GMT"}}},
    {"regbadct",
     {{"Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E",
       "Contact: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>"}}},
    {"badaspec", {{"< sip:t.watson@example.org >", "<sip:t.watson@example.org>"}}},
    // The archived file also lacks the empty line that ends the headers.
    {"baddn",
     {{"Bell, Alexander <", "\"Bell, Alexander\" <"},
      {"Watson, Thomas <", "\"Watson, Thomas\" <"},
      {"l: 0\r\n", "l: 0\r\n\r\n"}}},
    {"badvers", {{"SIP/7.0\r\n", "SIP/2.0\r\n"}, {"SIP/7.0/UDP", "SIP/2.0/UDP"}}},
    {"mismatch01", {{"CSeq: 8 INVITE", "CSeq: 8 OPTIONS"}}},
    {"mismatch02", {{"CSeq: 8 INVITE", "CSeq: 8 NEWMETHOD"}}},
    {"bigcode", {{"SIP/2.0 4294967301 ", "SIP/2.0 499 "}}},
    {"insuf",
     {{"CSeq: 193942 INVITE\r\n",
       "Call-ID: insuf.1@192.0.2.95\r\nFrom: <sip:caller@example.net>;tag=9\r\n"
       "To: <sip:user@example.com>\r\nCSeq: 193942 INVITE\r\n"}}},
    {"multi01",
     {{"CSeq: 59 INVITE\r\n", ""},
      {"Call-ID: multi01.98asdh@192.0.2.2\r\n", ""},
      {"To: sip:other@example.net\r\n", ""},
      {"From: sip:caller@example.net;tag=2923420123\r\n", ""},
      {"Max-Forwards: 5\r\n", ""}}},
    {"mcl01", {{"Content-Length: 5\r\n", ""}}},
};

std::string repair_name(const testing::TestParamInfo<Repair>& info) {
  return std::string(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(Corpus, Rfc4475Repair, testing::ValuesIn(kRepairs), repair_name);

TEST(Rfc4475Corpus, EveryInvalidMessageHasARepair) {
  for (const Case& c : manifest()) {
    if (c.valid) continue;
    bool found = false;
    for (const Repair& r : kRepairs) found = found || r.name == c.name;
    EXPECT_TRUE(found) << c.name << " has no repair";
  }
}

TEST(Rfc4475Invalid, BaddnStaysInvalidWithItsEmptyLineRestored) {
  // The archive's baddn has no empty line after the headers; the unquoted
  // display names alone must still make it invalid (§3.1.2.15).
  std::string bytes = corpus("baddn");
  ASSERT_TRUE(bytes.ends_with("l: 0\r\n"));
  bytes += "\r\n";
  EXPECT_FALSE(Message::parse(bytes));
}

TEST(Rfc4475Invalid, ScalarOverflowAloneIsEnough) {
  // §3.1.2.4: the CSeq error by itself calls for a 400, whatever the other
  // overlarge fields do.
  std::string bytes = corpus("scalar02");
  for (const auto& [find, replace] : {std::pair{"Max-Forwards: 300"sv, "Max-Forwards: 70"sv},
                                      std::pair{"expires=280297596632815"sv, "expires=3600"sv}}) {
    bytes.replace(bytes.find(find), find.size(), replace);
  }
  const std::size_t expires = bytes.find("Expires: 1");
  bytes.replace(expires, bytes.find("\r\n", expires) - expires, "Expires: 3600");
  EXPECT_FALSE(Message::parse(bytes));
}

// ---------------------------------------------------------------------------
// 3.1.1 Valid messages: the fields the RFC calls out

TEST(Rfc4475Valid, WsinvShortTortuousInvite) {
  auto m = load("wsinv");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::invite);
  EXPECT_EQ(m->version(), "SIP/2.0");
  EXPECT_EQ(m->request_uri().user, "vivekg");
  EXPECT_EQ(m->request_uri().host(), "chair-dnrc.example.com");
  EXPECT_EQ(m->request_uri().param("unknownparam"), ""sv);  // no value

  EXPECT_EQ(m->to().uri.user, "vivekg");
  EXPECT_EQ(m->to().display_name, "");
  EXPECT_EQ(m->to_tag(), "1918181833n");
  EXPECT_TRUE(m->from().display_quoted);
  EXPECT_EQ(m->from().display_name, R"(J Rosenberg \\\")");
  EXPECT_EQ(m->from().uri.user, "jdrosen");
  EXPECT_EQ(m->from_tag(), "98asjd8");
  EXPECT_EQ(m->max_forwards(), 68u);
  EXPECT_EQ(m->call_id(), "wsinv.ndaksdj@192.0.2.1");
  EXPECT_EQ(m->cseq().number, 9u);
  EXPECT_EQ(m->cseq().method, Method::invite);
  EXPECT_EQ(m->content_length(), 150u);
  EXPECT_EQ(m->body().size(), 150u);
  EXPECT_EQ(m->content_type(), "application/sdp");

  // The empty Subject (compact "s") is present with an empty value.
  EXPECT_EQ(m->header(HeaderId::subject), ""sv);
  EXPECT_EQ(m->header("Subject"), ""sv);
  // Unknown headers are kept as written, folding included.
  EXPECT_EQ(m->header("NewFangledHeader"), "newfangled value\r\n continued newfangled value"sv);
  EXPECT_EQ(m->header("unknownheaderwithunusualvalue"), ";;,,;;,;"sv);
  EXPECT_EQ(m->headers().size(), 14u);

  // Three Via values: one "Via" field, then two values in a compact "v".
  EXPECT_EQ(m->count(HeaderId::via), 2u);
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[0].protocol_name, "SIP");
  EXPECT_EQ((*vias)[0].version, "2.0");
  EXPECT_EQ((*vias)[0].transport, "UDP");
  EXPECT_EQ((*vias)[0].sent_by.host, "192.0.2.2");
  EXPECT_EQ((*vias)[0].sent_by.kind, HostKind::ipv4);
  EXPECT_EQ((*vias)[0].branch, "390skdjuw");
  EXPECT_FALSE((*vias)[0].rfc3261_branch());
  EXPECT_EQ((*vias)[1].transport, "TCP");
  EXPECT_EQ((*vias)[1].sent_by.host, "spindle.example.com");
  EXPECT_EQ((*vias)[1].branch, "z9hG4bK9ikj8");
  EXPECT_EQ((*vias)[2].transport, "UDP");
  EXPECT_EQ((*vias)[2].sent_by.host, "192.168.255.111");
  EXPECT_EQ((*vias)[2].branch, "z9hG4bK30239");
  EXPECT_EQ(m->top_via().branch, "390skdjuw");

  auto route = m->name_addrs(HeaderId::route);
  ASSERT_TRUE(route) << route.error().message;
  ASSERT_EQ(route->size(), 1u);
  EXPECT_EQ((*route)[0].uri.host(), "services.example.com");
  EXPECT_TRUE((*route)[0].uri.loose_route());
  EXPECT_EQ((*route)[0].uri.param("unknownwith"), "value"sv);
  EXPECT_EQ((*route)[0].uri.param("unknown-no-value"), ""sv);

  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  const NameAddr& contact = (*contacts)[0].address;
  EXPECT_EQ(contact.display_name, R"(Quoted string \"\")");
  EXPECT_EQ(contact.uri.user, "jdrosen");
  EXPECT_EQ(contact.uri.host(), "example.com");
  EXPECT_TRUE(contact.uri.params.empty());
  EXPECT_EQ(contact.params.get("newparam"), "newvalue"sv);
  EXPECT_EQ(contact.params.get("secondparam"), ""sv);
  ASSERT_TRUE((*contacts)[0].q());
  EXPECT_DOUBLE_EQ(*(*contacts)[0].q(), 0.33);
}

TEST(Rfc4475Valid, IntmethWideRangeOfCharacters) {
  auto m = load("intmeth");
  ASSERT_TRUE(m);
  // An extension method: '%' is not an escape there.
  EXPECT_EQ(m->method(), Method::unknown);
  EXPECT_EQ(m->method_text(), "!interesting-Method0123456789_*+`.%indeed'~");
  EXPECT_EQ(m->cseq().method_text, m->method_text());
  EXPECT_EQ(m->cseq().number, 139122385u);
  EXPECT_EQ(m->request_uri().user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(m->request_uri().password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"sv);
  EXPECT_EQ(m->request_uri().host(), "example.com");
  EXPECT_EQ(m->top_via().branch, "z9hG4bK-.!%66*_+`'~");
  EXPECT_EQ(m->top_via().transport, "TCP");

  // Quoted-pairs of BEL, NUL and DEL, still escaped.
  EXPECT_TRUE(m->to().display_quoted);
  EXPECT_EQ(m->to().display_name, "BEL:\\\x07 NUL:\\\0 DEL:\\\x7f"sv);
  EXPECT_EQ(m->to().uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  // A display name of several tokens, unquoted.
  EXPECT_FALSE(m->from().display_quoted);
  EXPECT_EQ(m->from().display_name, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(m->from().uri.user, "mundane");
  EXPECT_EQ(m->from_tag(), "_token~1'+`*%!-.");
  EXPECT_EQ(m->from().params.get("fromParam''~+*_!.-%"),
            "\"" + from_hex("D180D0B0D0B1D0BED182D0B0D18ED189D0B8D0B9") + "\"");
  EXPECT_EQ(m->call_id(), R"x(intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{)x");
  EXPECT_EQ(m->max_forwards(), 255u);
  EXPECT_EQ(m->header("extensionHeader-!.%*+_`'~"), from_hex("EFBBBFE5A4A7E5819CE99BBB"));
  EXPECT_EQ(m->content_length(), 0u);
}

TEST(Rfc4475Valid, Esc01EscapesDecodeOnce) {
  auto m = load("esc01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().user, "sips%3Auser%40example.com");
  EXPECT_EQ(unescape(m->request_uri().user), "sips:user@example.com");
  EXPECT_EQ(m->request_uri().host(), "example.net");
  EXPECT_EQ(unescape(m->to().uri.user), "user");
  EXPECT_EQ(unescape(m->from().uri.user), "I have spaces");
  EXPECT_EQ(m->from_tag(), "938");
  EXPECT_EQ(m->call_id(), "esc01.239409asdfakjkn23onasd0-3234");  // compact "i"
  EXPECT_EQ(m->content_type(), "application/sdp");                // compact "C"
  EXPECT_EQ(m->body().size(), 150u);

  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  const Uri& uri = (*contacts)[0].address.uri;
  EXPECT_EQ(unescape(uri.user), "caller");
  EXPECT_TRUE(uri.loose_route());  // ";%6C%72" names "lr"
  ASSERT_TRUE(uri.param("name"));
  EXPECT_EQ(*uri.param("name"), "v%61lue%25%34%31");
  // value%41, not valueA: unescaping is never recursive (RFC 3986).
  EXPECT_EQ(unescape(*uri.param("name")), "value%41");
}

TEST(Rfc4475Valid, EscnullKeepsNulsInUserParts) {
  auto m = load("escnull");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::register_);
  EXPECT_EQ(m->to().uri.user, "null-%00-null");
  EXPECT_EQ(unescape(m->to().uri.user), "null-\0-null"sv);
  EXPECT_EQ(unescape(m->from().uri.user).size(), 11u);
  EXPECT_EQ(m->content_length(), 0u);  // "L:0"

  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ(unescape((*contacts)[0].address.uri.user), "\0"sv);
  EXPECT_EQ(unescape((*contacts)[1].address.uri.user), "\0\0"sv);
  // Two distinct bindings.
  EXPECT_FALSE(uri_equivalent((*contacts)[0].address.uri, (*contacts)[1].address.uri));
}

TEST(Rfc4475Valid, Esc02PercentIsNotAnEscapeOutsideUris) {
  auto m = load("esc02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::unknown);  // not REGISTER
  EXPECT_EQ(m->method_text(), "RE%47IST%45R");
  EXPECT_EQ(m->cseq().method_text, "RE%47IST%45R");
  EXPECT_EQ(m->cseq().method, Method::unknown);
  EXPECT_TRUE(m->to().display_quoted);
  EXPECT_EQ(m->to().display_name, "%Z%45");
  EXPECT_EQ(m->from().display_name, "%Z%45");
  EXPECT_EQ(m->top_via().branch, "z9hG4bK209%fzsnel234");

  // Two Contact values; "C%6Fntact" is an unknown header of its own.
  EXPECT_EQ(m->count(HeaderId::contact), 2u);
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].address.uri.user, "alias1");
  EXPECT_EQ((*contacts)[1].address.uri.user, "alias3");
  EXPECT_EQ(m->header("C%6Fntact"), "<sip:alias2@host2.example.com>"sv);
  bool unknown_found = false;
  for (const HeaderField& field : m->headers()) {
    if (field.name == "C%6Fntact") {
      unknown_found = true;
      EXPECT_EQ(field.id, HeaderId::unknown);
    }
  }
  EXPECT_TRUE(unknown_found);
}

TEST(Rfc4475Valid, LwsdispNoSpaceBeforeAngleBracket) {
  auto m = load("lwsdisp");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::options);
  EXPECT_FALSE(m->from().display_quoted);
  EXPECT_EQ(m->from().display_name, "caller");
  EXPECT_TRUE(m->from().bracketed);
  EXPECT_EQ(m->from().uri.user, "caller");
  EXPECT_EQ(m->from_tag(), "323");
}

TEST(Rfc4475Valid, LongreqLongValues) {
  auto m = load("longreq");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to().display_name, "I have a user name of " + repeat("extreme", 10) + " proportion");
  EXPECT_EQ(m->to().uri.port(), 6000);
  EXPECT_EQ(m->to().uri.param("unknownparam1"), "very" + repeat("long", 20) + "value");
  EXPECT_EQ(m->to().uri.param("longparam" + repeat("name", 25)), "shortvalue"sv);
  EXPECT_EQ(m->to().uri.param("very" + repeat("long", 25) + "ParameterNameWithNoValue"), ""sv);

  EXPECT_FALSE(m->from().bracketed);  // compact "F", addr-spec form
  EXPECT_EQ(m->from().uri.user, repeat("amazinglylongcallername", 5));
  EXPECT_EQ(m->from().uri.host(), "example.net");
  EXPECT_EQ(m->from_tag(), "12" + repeat("982", 50) + "424");
  EXPECT_EQ(m->from().params.get("unknownheaderparam" + repeat("name", 20)),
            "unknowheaderparam" + repeat("value", 15));
  EXPECT_EQ(m->from().params.get("unknownValueless" + repeat("paramname", 10)), ""sv);
  EXPECT_EQ(m->call_id(), "longreq.one" + repeat("really", 20) + "longcallid");
  EXPECT_EQ(m->cseq().number, 3882340u);
  const std::string long20 = repeat("long", 20);
  EXPECT_EQ(m->header("Unknown-" + repeat("Long", 20) + "-Name"),
            "unknown-" + long20 + "-value; unknown-" + long20 + "-parameter-name = unknown-" +
                long20 + "-parameter-value");

  // 34 Via fields under every spelling of the name.
  EXPECT_EQ(m->count(HeaderId::via), 34u);
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 34u);
  for (std::size_t i = 0; i < 33; ++i) {
    EXPECT_EQ((*vias)[i].sent_by.host, "sip" + std::to_string(33 - i) + ".example.com");
  }
  EXPECT_EQ(vias->back().sent_by.host, "host.example.com");
  EXPECT_EQ(vias->back().received, "192.0.2.5"sv);
  EXPECT_EQ(vias->back().branch, "very" + repeat("long", 50) + "branchvalue");

  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].address.uri.user, repeat("amazinglylongcallername", 5));
  EXPECT_EQ(m->content_length(), 150u);
  EXPECT_EQ(m->body().size(), 150u);
}

TEST(Rfc4475Valid, DblreqKeepsOnlyTheFirstMessage) {
  const std::string datagram = corpus("dblreq");
  auto m = load("dblreq");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::register_);
  EXPECT_EQ(m->call_id(), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
  EXPECT_EQ(m->content_length(), 0u);
  EXPECT_TRUE(m->body().empty());
  // The INVITE-looking octets after the body are discarded (RFC 3261 §18.3).
  const std::size_t end = datagram.find("\r\n\r\n") + 4;
  EXPECT_EQ(m->bytes(), datagram.substr(0, end));
  EXPECT_EQ(m->bytes().find("INVITE"), std::string_view::npos);
  EXPECT_EQ(serialize(*m).find("INVITE"), std::string::npos);
}

TEST(Rfc4475Valid, SemiuriUserPartHoldsASemicolon) {
  auto m = load("semiuri");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->request_uri().user, "user;par=u%40example.net");
  EXPECT_EQ(unescape(m->request_uri().user), "user;par=u@example.net");
  EXPECT_EQ(m->request_uri().host(), "example.com");
  EXPECT_TRUE(m->request_uri().params.empty());
  // The folded Accept list has six media ranges.
  ASSERT_TRUE(m->header(HeaderId::accept));
  auto accept = split_comma_list(*m->header(HeaderId::accept));
  ASSERT_TRUE(accept) << accept.error().message;
  ASSERT_EQ(accept->size(), 6u);
  EXPECT_EQ((*accept)[0], "application/sdp");
  EXPECT_EQ((*accept)[5], "message/sipfrag");
}

TEST(Rfc4475Valid, TransportsKnownAndUnknown) {
  auto m = load("transports");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->call_id(), "transports.kijh4akdnaqjkwendsasfdj");
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 5u);
  const std::string_view transports[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*vias)[i].transport, transports[i]);
    EXPECT_EQ((*vias)[i].sent_by.host, "t" + std::to_string(i + 1) + ".example.com");
  }
}

TEST(Rfc4475Valid, Mpart01BinaryMultipartBody) {
  auto m = load("mpart01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::message);
  EXPECT_TRUE(m->content_type().starts_with("multipart/mixed"));
  EXPECT_EQ(m->content_length(), 553u);
  ASSERT_EQ(m->body().size(), 553u);
  EXPECT_NE(m->body().find('\0'), std::string_view::npos);
  EXPECT_TRUE(m->body().starts_with("--7a9cbec02ceef655\r\n"));
  EXPECT_TRUE(m->body().ends_with("--7a9cbec02ceef655--\r\n"));
  EXPECT_EQ(m->top_via().sent_by.host, "127.0.0.1");
  EXPECT_EQ(m->top_via().sent_by.port, 5070);
  EXPECT_TRUE(m->top_via().rport);
  EXPECT_FALSE(m->top_via().rport_value);
  EXPECT_EQ(m->top_via().branch, "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-");
  EXPECT_EQ(m->call_id(), "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..");
  auto route = m->name_addrs(HeaderId::route);
  ASSERT_TRUE(route) << route.error().message;
  ASSERT_EQ(route->size(), 1u);
  EXPECT_EQ((*route)[0].uri.port(), 5080);
  ASSERT_TRUE(m->header(HeaderId::identity));
  EXPECT_TRUE(m->header(HeaderId::identity)->ends_with("teeivUhkMWYUA="));
}

TEST(Rfc4475Valid, UnreasonUtf8ReasonPhrase) {
  auto m = load("unreason");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status_code(), 200);
  EXPECT_EQ(m->reason_phrase(),
            "= 2**3 * 5**2 " +
                from_hex("D0BDD0BE20D181D182D0BE20D0B4D0B5D0B2D18FD0BDD0BED181D182D0BE20D0B4"
                         "D0B5D0B2D18FD182D18C202D20D0BFD180D0BED181D182D0BED0B5"));
  EXPECT_EQ(m->cseq().method, Method::invite);
  EXPECT_EQ(m->cseq().number, 35u);
  EXPECT_EQ(m->from_tag(), "11141343");
  EXPECT_EQ(m->to_tag(), "2229");
  EXPECT_EQ(m->body().size(), 154u);
}

TEST(Rfc4475Valid, NoreasonEmptyReasonPhrase) {
  auto m = load("noreason");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status_code(), 100);
  EXPECT_EQ(m->reason_phrase(), "");
  EXPECT_EQ(m->version(), "SIP/2.0");
  EXPECT_EQ(m->to_tag(), "902jndnke3");
}

// ---------------------------------------------------------------------------
// 3.2-3.4: syntactically valid; the answer is the upper layers' business, but
// the parser must hand them the right fields.

TEST(Rfc4475Semantics, BadbranchBareMagicCookie) {
  auto m = load("badbranch");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->top_via().branch, "z9hG4bK");  // no transaction identifier after it
}

TEST(Rfc4475Semantics, UnkscmAndNovelscKeepTheirRequestUri) {
  auto unknown = load("unkscm");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->request_uri().raw, "nobodyKnowsThisScheme:totallyopaquecontent");
  auto novel = load("novelsc");
  ASSERT_TRUE(novel);
  EXPECT_EQ(novel->request_uri().raw, "soap.beep://192.0.2.103:3002");
}

TEST(Rfc4475Semantics, Unksm2OtherSchemesInHeaders) {
  auto m = load("unksm2");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to().uri.raw, "isbn:2983792873");
  EXPECT_EQ(m->from().uri.raw, "http://www.example.com");
  EXPECT_EQ(m->from_tag(), "3234233");
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].address.uri.raw, "name:John_Smith");
}

TEST(Rfc4475Semantics, Bext01RequireAndProxyRequireTokens) {
  auto m = load("bext01");
  ASSERT_TRUE(m);
  auto require = m->tokens(HeaderId::require);
  ASSERT_TRUE(require) << require.error().message;
  EXPECT_EQ(*require, (TokenList{"nothingSupportsThis", "nothingSupportsThisEither"}));
  auto proxy_require = m->tokens(HeaderId::proxy_require);
  ASSERT_TRUE(proxy_require) << proxy_require.error().message;
  EXPECT_EQ(*proxy_require, (TokenList{"noProxiesSupportThis", "norDoAnyProxiesSupportThis"}));
  EXPECT_EQ(m->top_via().transport, "TLS");
}

TEST(Rfc4475Semantics, InvutUnknownBodyType) {
  auto m = load("invut");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->content_type(), "application/unknownformat");
  EXPECT_EQ(m->body(), "<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n");
}

TEST(Rfc4475Semantics, Regaut01UnknownAuthorizationScheme) {
  auto m = load("regaut01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header(HeaderId::authorization), "NoOneKnowsThisScheme opaque-data=here"sv);
  EXPECT_EQ(m->content_length(), 0u);  // "Content-Length:0"
}

TEST(Rfc4475Semantics, BcastSecondViaIsBroadcast) {
  auto m = load("bcast");
  ASSERT_TRUE(m);
  auto vias = m->vias();
  ASSERT_TRUE(vias) << vias.error().message;
  ASSERT_EQ(vias->size(), 2u);
  EXPECT_EQ((*vias)[1].sent_by.host, "255.255.255.255");
  EXPECT_EQ((*vias)[1].sent_by.kind, HostKind::ipv4);
}

TEST(Rfc4475Semantics, ZeromfMaxForwardsZero) {
  auto m = load("zeromf");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->max_forwards(), 0u);
}

TEST(Rfc4475Semantics, Cparam01ParameterBelongsToTheContact) {
  auto m = load("cparam01");
  ASSERT_TRUE(m);
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  const NameAddr& contact = (*contacts)[0].address;
  EXPECT_FALSE(contact.bracketed);
  EXPECT_EQ(contact.uri.user, "+19725552222");
  EXPECT_TRUE(contact.uri.params.empty());
  EXPECT_TRUE(contact.params.has("unknownparam"));
}

TEST(Rfc4475Semantics, Cparam02ParameterBelongsToTheUri) {
  auto m = load("cparam02");
  ASSERT_TRUE(m);
  auto contacts = m->contacts();
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  const NameAddr& contact = (*contacts)[0].address;
  EXPECT_TRUE(contact.bracketed);
  EXPECT_TRUE(contact.uri.params.has("unknownparam"));
  EXPECT_TRUE(contact.params.empty());
}

TEST(Rfc4475Semantics, RegescrtContactUriKeepsItsEscapedHeader) {
  auto m = load("regescrt");
  ASSERT_TRUE(m);
  auto contacts = m->contacts();  // compact "M"
  ASSERT_TRUE(contacts) << contacts.error().message;
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].address.uri.headers, "Route=%3Csip:sip.example.com%3E");
}

TEST(Rfc4475Semantics, Sdp01UnacceptableAccept) {
  auto m = load("sdp01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header(HeaderId::accept), "text/nobodyKnowsThis"sv);
  EXPECT_EQ(m->content_type(), "application/sdp");
}

TEST(Rfc4475Semantics, Inv2543Rfc2543Request) {
  const std::string datagram = corpus("inv2543");
  auto m = load("inv2543");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->top_via().branch.empty());
  EXPECT_FALSE(m->top_via().rfc3261_branch());
  EXPECT_TRUE(m->from_tag().empty());
  EXPECT_FALSE(m->max_forwards());
  EXPECT_FALSE(m->content_length());
  // Without Content-Length the body is the rest of the datagram.
  EXPECT_EQ(m->body(), datagram.substr(datagram.find("\r\n\r\n") + 4));
  EXPECT_EQ(m->body().size(), 105u);
  // In the addr-spec form of To, ";user=phone" is a header parameter; inside
  // the <> of From it belongs to the URI (RFC 3261 §20.10).
  EXPECT_EQ(m->to().params.get("user"), "phone"sv);
  EXPECT_TRUE(m->to().uri.params.empty());
  EXPECT_EQ(m->from().uri.param("user"), "phone"sv);
  auto record_route = m->name_addrs(HeaderId::record_route);
  ASSERT_TRUE(record_route) << record_route.error().message;
  ASSERT_EQ(record_route->size(), 1u);
  EXPECT_EQ((*record_route)[0].uri.param("maddr"), "ss1.example.com"sv);
}

}  // namespace
}  // namespace sipline::sip

// The header-field loop's fast paths (parser.cpp: the first ':' found a word
// at a time, the word-wise name lookup of header_lookup.hpp, the one-SP value
// trim) against the general rules they stand in front of (RFC 3261 §7.3.1,
// §25.1: field-name HCOLON field-value, the name an exact token), on seeds
// and on every single-byte mutation of them.

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mutations.hpp"
#include "sip/grammar.hpp"
#include "sip/header_id.hpp"
#include "sip/header_lookup.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {
namespace {

using namespace std::string_literals;

// No CR or LF: those would change where the field ends, which the line
// search decides before the field is parsed.
const std::string kAlphabet = "::- \t!.aAzZ0~_"s + '\0' + "\x01\x0b\x7f\xff";

// The general rule: name = token, then *(SP / HTAB) ":", the value trimmed
// of LWS; the id is the exact case-insensitive lookup of the name.
struct Reference {
  bool ok = false;
  HeaderId id = HeaderId::unknown;
  std::string_view name, value;
};
Reference reference_field(std::string_view raw) {
  Reference r;
  const std::size_t name_end = scan::scan_token(raw, 0);
  const std::size_t colon = scan::skip_wsp(raw, name_end);
  if (name_end == 0 || colon >= raw.size() || raw[colon] != ':') return r;
  r.ok = true;
  r.name = raw.substr(0, name_end);
  r.id = lookup_header(r.name);
  r.value = scan::trim_lws(raw.substr(colon + 1, raw.size() - 2 - (colon + 1)));
  return r;
}

const std::string kHead =
    "OPTIONS sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK776asdhds\r\n"
    "From: <sip:alice@example.com>;tag=1928301774\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 1 OPTIONS\r\n";

TEST(FieldLoop, FieldsAgreeWithTheGeneralRule) {
  const std::vector<std::string> seeds = {
      "Subject: hello",
      "X-Custom-Header: v",
      "Content-Disposition: session",
      "Authentication-Info: nextnonce=\"1\"",
      "Request-Disposition:proxy",
      "Subscription-State : active",
      "Proxy-Authorization: Digest a=b",
      "User-Agent:\tsipline 1 ",
      "Accept-Language:  en",
      "Record-Route: <sip:p.example.com;lr>",
      "Max-Forwards: 70",
      "Expires: 60",
      "Route:<sip:p>",
      "s: x",
      "X:y",
      "Ab: c",
      "Date: Sat, 13 Nov 2010 23:29:00 GMT",
      "Contact: <sip:a@b>",
      "Warning: 370 x \"y\"",
      "Very-Long-Extension-Header-Name: 1",
      "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK1",
      "Subject:",
      "Subject: ",
  };
  std::size_t accepted = 0;
  for (const std::string& text : mutations(seeds, kAlphabet)) {
    // A line that starts with SP / HTAB continues the field before it.
    if (!text.empty() && scan::is_wsp(text[0])) continue;
    const std::string field = text + "\r\n";
    const std::string bytes = kHead + field + "\r\n";
    const Reference ref = reference_field(field);
    auto parsed = Message::parse(bytes);
    if (!ref.ok) {
      // A field that does not start with a token and HCOLON is malformed,
      // and worded by the general path whichever way the loop went.
      ASSERT_FALSE(parsed) << testing::PrintToString(text);
      const std::size_t colon = scan::skip_wsp(field, scan::scan_token(field, 0));
      std::string excerpt;
      for (char c : field.substr(0, std::min<std::size_t>(colon + 1, 32))) {
        const auto byte = static_cast<unsigned char>(c);
        excerpt += (byte >= 0x20 && byte < 0x7f) ? c : '?';
      }
      if (colon + 1 > 32) excerpt += "...";
      EXPECT_EQ(parsed.error().message, "malformed header field name '" + excerpt + "'")
          << testing::PrintToString(text);
      continue;
    }
    if (!parsed) {
      // Only the value of a field the parser decodes can fail it.
      EXPECT_NE(ref.id, HeaderId::unknown) << testing::PrintToString(text);
      EXPECT_EQ(parsed.error().message.find("malformed header field name"), std::string::npos)
          << testing::PrintToString(text);
      continue;
    }
    ++accepted;
    const auto fields = parsed->headers();
    ASSERT_EQ(fields.size(), 6U) << testing::PrintToString(text);
    const HeaderField& got = fields.back();
    EXPECT_EQ(got.id, ref.id) << testing::PrintToString(text);
    EXPECT_EQ(got.name, ref.name) << testing::PrintToString(text);
    EXPECT_EQ(got.value, ref.value) << testing::PrintToString(text);
    EXPECT_EQ(got.raw, field) << testing::PrintToString(text);
    EXPECT_EQ(parsed->count(ref.id), ref.id == HeaderId::via ? 2U : 1U);
  }
  EXPECT_GT(accepted, 1000U);
  // Folded values go through the general trim.
  for (const std::string& field :
       {"Subject: a\r\n folded \r\n"s, "Subject:\r\n b\r\n"s, "Subject: \r\n\tc \r\n"s}) {
    auto parsed = Message::parse(kHead + field + "\r\n");
    ASSERT_TRUE(parsed) << testing::PrintToString(field);
    EXPECT_EQ(parsed->headers().back().value, reference_field(field).value)
        << testing::PrintToString(field);
  }
}

// The field vector is reserved from the message size and grows past that
// like any vector: every field stays in order, found by id and by name.
TEST(FieldLoop, ManyFieldsOutgrowTheFirstReservation) {
  std::string bytes = kHead;
  for (int i = 0; i < 200; ++i)
    bytes += "X-F" + std::to_string(i) + ": v" + std::to_string(i) + "\r\n";
  bytes += "Expires: 60\r\n\r\n";
  auto parsed = Message::parse(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->headers().size(), 206U);
  EXPECT_EQ(parsed->headers()[5].value, "v0");
  EXPECT_EQ(parsed->headers()[204].value, "v199");
  EXPECT_EQ(parsed->header("x-f150"), "v150");
  EXPECT_EQ(parsed->header(HeaderId::expires), "60");
  EXPECT_EQ(parsed->count(HeaderId::unknown), 200U);
  EXPECT_EQ(parsed->call_id(), "a84b4c76e66710");
}

// lookup_field_name reads whole words of the field around the name; it must
// give lookup_known_header's answer for every name, whatever follows it.
TEST(FieldLoop, WordLookupAgreesWithTheExactLookup) {
  std::vector<std::string> seeds;
  for (std::size_t id = 1; id < static_cast<std::size_t>(HeaderId::count_); ++id) {
    seeds.emplace_back(canonical_name(static_cast<HeaderId>(id)));
  }
  for (char c = 'a'; c <= 'z'; ++c) seeds.emplace_back(1, c);
  seeds.emplace_back("X-Unknown");
  std::size_t known = 0;
  for (const std::string& name : mutations(seeds, "-aAzZ@`{\x7f\xe1\x01"s + '\0')) {
    for (const std::string& tail : {":"s, ": value\r\n"s, ":sip:alice@example.com\r\n"s,
                                    " : Content-Length-Content-Type\r\n"s}) {
      const std::string field = name + tail;
      const HeaderId want = grammar::lookup_known_header(name);
      known += want != HeaderId::unknown ? 1 : 0;
      EXPECT_EQ(grammar::lookup_field_name(field.data(), name.size(), field.size()), want)
          << testing::PrintToString(field);
    }
  }
  EXPECT_GT(known, 400U);
}

}  // namespace
}  // namespace sipline::sip

// The table-driven shortcuts of the scanners (scanner.hpp, the auth-param
// splitter) against the grammar they implement, byte by byte, and the
// boundaries of the digit-by-digit overflow check.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "auth/auth_params.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {
namespace {

// qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII (RFC 3261 §25.1);
// a lone CR or LF is no LWS, DQUOTE and '\' are no qdtext.
bool qdtext_byte(int b) {
  return b == '\t' || b == ' ' || (b >= 0x21 && b <= 0x7e && b != '"' && b != '\\') || b >= 0x80;
}

TEST(ScanTables, QuotedStringAcceptsExactlyTheQdtextBytes) {
  for (int b = 0; b < 256; ++b) {
    if (b == '"' || b == '\\') continue;
    std::string text = "\"ab";
    text += static_cast<char>(b);
    text += "cdefgh\"";
    const bool expected = qdtext_byte(b);
    EXPECT_EQ(scan::scan_quoted_string(text, 0) == text.size(), expected) << "byte " << b;
    if (!expected) {
      EXPECT_EQ(scan::scan_quoted_string(text, 0), scan::npos) << "byte " << b;
    }
    auto split = auth::split_auth_fields("Digest realm=" + text);
    EXPECT_EQ(split.has_value(), expected) << "byte " << b;
  }
  // Folding inside the string is LWS; quoted-pairs escape '"' and '\'.
  EXPECT_EQ(scan::scan_quoted_string("\"a\r\n b\"", 0), 7U);
  EXPECT_EQ(scan::scan_quoted_string("\"a\\\"b\\\\\"x", 0), 8U);
  EXPECT_TRUE(auth::split_auth_fields("Digest realm=\"a\r\n\tb\\\"\""));
}

TEST(ScanTables, SkipLwsStopsAtTheFirstOtherByte) {
  EXPECT_EQ(scan::skip_lws("x", 0), 0U);
  EXPECT_EQ(scan::skip_lws(" \t x", 0), 3U);
  EXPECT_EQ(scan::skip_lws(" \r\n x", 0), 4U);
  EXPECT_EQ(scan::skip_lws("\r\nx", 0), 0U);  // a line break, not a fold
  EXPECT_EQ(scan::skip_lws("a ", 1), 2U);
  EXPECT_EQ(scan::skip_lws("", 0), 0U);
}

TEST(ScanTables, DecimalOverflowIsCheckedAtTheExactBoundary) {
  struct Case {
    const char* text;
    std::uint64_t max;
    scan::NumberStatus status;
    std::uint64_t value;
  };
  using S = scan::NumberStatus;
  const Case cases[] = {
      {"65535", 65535, S::ok, 65535},
      {"065535", 65535, S::ok, 65535},
      {"65536", 65535, S::too_large, 0},
      {"65540", 65535, S::too_large, 0},
      {"655350", 65535, S::too_large, 0},
      {"255", 255, S::ok, 255},
      {"256", 255, S::too_large, 0},
      {"0", 0, S::ok, 0},
      {"1", 0, S::too_large, 0},
      {"4294967295", UINT32_MAX, S::ok, UINT32_MAX},
      {"4294967296", UINT32_MAX, S::too_large, 0},
      {"18446744073709551615", UINT64_MAX, S::ok, UINT64_MAX},
      {"18446744073709551616", UINT64_MAX, S::too_large, 0},
      {"99999999999999999999999", UINT64_MAX, S::too_large, 0},
      {"99999999999999999999999x", UINT64_MAX, S::malformed, 0},
      {"", 10, S::malformed, 0},
      {"1 ", 10, S::malformed, 0},
  };
  for (const Case& c : cases) {
    std::uint64_t value = 0;
    EXPECT_EQ(scan::parse_decimal(c.text, c.max, value), c.status) << c.text;
    if (c.status == S::ok) {
      EXPECT_EQ(value, c.value) << c.text;
    }
  }
}

}  // namespace
}  // namespace sipline::sip

#include "config/diagnostics.hpp"

#include <gtest/gtest.h>

#include "config/validation.hpp"

namespace sipline::config {
namespace {

TEST(Diagnostics, ErrorsReadFileLineKeyReason) {
  const Error e = config_error("a.toml", 7, "sip.listen_port", "value 1 is outside 2-3");
  EXPECT_EQ(e.code, Errc::invalid_argument);
  EXPECT_EQ(e.message, "a.toml:7: sip.listen_port: value 1 is outside 2-3");
  EXPECT_EQ(ignored_warning("p.cfg", 3, "x.y", "why"), "p.cfg:3: x.y: ignored (why)");
}

TEST(Diagnostics, ClosestMatchSuggestsOnlyLikelyTypos) {
  const std::vector<std::string_view> keys = {"address", "port", "transport"};
  EXPECT_EQ(closest_match("adress", keys), "address");
  EXPECT_EQ(closest_match("trasnport", keys), "transport");
  EXPECT_EQ(closest_match("codec", keys), std::nullopt);
  EXPECT_EQ(closest_match("prt", keys), "port");
  EXPECT_EQ(closest_match("", keys), std::nullopt);
}

TEST(Diagnostics, IntegersAreStrictlyDecimal) {
  EXPECT_EQ(parse_integer("-1"), -1);
  EXPECT_EQ(parse_integer("5060"), 5060);
  EXPECT_EQ(parse_integer("+5"), std::nullopt);
  EXPECT_EQ(parse_integer("5 "), std::nullopt);
  EXPECT_EQ(parse_integer("0x10"), std::nullopt);
  EXPECT_EQ(parse_integer(""), std::nullopt);
  EXPECT_EQ(parse_integer("99999999999999999999"), std::nullopt);
}

TEST(Diagnostics, SecondsWithDecimalsBecomeMilliseconds) {
  EXPECT_EQ(parse_seconds_as_ms("0.5"), 500);
  EXPECT_EQ(parse_seconds_as_ms("4"), 4000);
  EXPECT_EQ(parse_seconds_as_ms("2.125"), 2125);
  EXPECT_EQ(parse_seconds_as_ms("2.1255"), std::nullopt);
  EXPECT_EQ(parse_seconds_as_ms("2."), std::nullopt);
  EXPECT_EQ(parse_seconds_as_ms(".5"), std::nullopt);
  EXPECT_EQ(parse_seconds_as_ms("-1"), std::nullopt);
  EXPECT_EQ(parse_seconds_as_ms("1e3"), std::nullopt);
  EXPECT_EQ(parse_seconds_as_ms("9999999999"), std::nullopt);
}

TEST(Diagnostics, QuotedValuesAreEscapedAndCut) {
  EXPECT_EQ(quote("a\"b\n"), "\"a\\\"b\\x0a\"");
  EXPECT_EQ(quote(std::string(100, 'x')), "\"" + std::string(64, 'x') + "...\"");
}

TEST(Validation, HostsAndHostPorts) {
  EXPECT_EQ(host_problem("pbx1.example.com"), std::nullopt);
  EXPECT_EQ(host_problem("2001:db8::1"), std::nullopt);
  EXPECT_NE(host_problem(""), std::nullopt);
  EXPECT_NE(host_problem("pbx;lr"), std::nullopt);
  EXPECT_EQ(host_port_problem("127.0.0.1:5353"), std::nullopt);
  EXPECT_EQ(host_port_problem("[::1]:53"), std::nullopt);
  EXPECT_EQ(host_port_problem("::1"), std::nullopt);
  EXPECT_EQ(host_port_problem("[::1"), "unterminated [IPv6] address");
  EXPECT_EQ(host_port_problem("dns:"), "empty port");
  EXPECT_EQ(host_port_problem("dns:65536"), "port must be 1-65535");
}

TEST(Validation, TextMustBeUtf8WithoutControlBytes) {
  EXPECT_EQ(text_problem("J\xc3\xbcrgen\tx"), std::nullopt);
  EXPECT_EQ(text_problem("a\rb"), "contains a control character");
  EXPECT_EQ(text_problem("\xc3"), "is not valid UTF-8");
  EXPECT_EQ(text_problem("\xc3("), "is not valid UTF-8");
  EXPECT_EQ(text_problem("\xc0\x80"), "is not valid UTF-8");  // overlong NUL
}

}  // namespace
}  // namespace sipline::config

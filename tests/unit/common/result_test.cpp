#include "common/result.hpp"

#include <gtest/gtest.h>

namespace sipline {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return fail(Errc::malformed, "not a digit");
  return c - '0';
}

Result<int> sum_two(char a, char b) {
  auto x = parse_digit(a);
  SIPLINE_TRY(x);
  auto y = parse_digit(b);
  SIPLINE_TRY(y);
  return *x + *y;
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*sum_two('3', '4'), 7);
  auto bad = sum_two('3', 'x');
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::malformed);
  EXPECT_EQ(bad.error().message, "not a digit");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, VoidResult) {
  Result<void> good = ok();
  EXPECT_TRUE(good);
  Result<void> bad = fail(Errc::io, "gone");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::io);
  EXPECT_STREQ(to_string(Errc::limit_exceeded), "limit exceeded");
}

}  // namespace
}  // namespace sipline

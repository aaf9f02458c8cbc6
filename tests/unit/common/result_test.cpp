#include "common/result.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

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

// A type that can be neither copied nor moved: only in-place construction
// can put it in a Result.
struct Pinned {
  explicit Pinned(int a, int b) : sum(a + b) {}
  Pinned(const Pinned&) = delete;
  Pinned& operator=(const Pinned&) = delete;
  int sum;
};

TEST(Result, BuildsTheValueInPlace) {
  Result<Pinned> pinned(std::in_place, 2, 3);
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->sum, 5);
}

TEST(Result, AssigningAnErrorReplacesTheValue) {
  Result<std::string> text(std::in_place, "kept");
  ASSERT_TRUE(text);
  text = fail(Errc::limit_exceeded, "too long");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::limit_exceeded);
  EXPECT_EQ(text.error().message, "too long");
  text = Error{Errc::io, "gone"};
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, Errc::io);
  EXPECT_EQ(text.error().message, "gone");
}

TEST(Result, VoidErrorCanBeMovedOut) {
  Result<void> bad = fail(Errc::io, "gone");
  const Error taken = std::move(bad).error();
  EXPECT_EQ(taken.code, Errc::io);
  EXPECT_EQ(taken.message, "gone");
}

}  // namespace
}  // namespace sipline

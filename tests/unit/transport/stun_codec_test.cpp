#include "transport/stun_codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace sipline::transport::stun {
namespace {

const TransactionId kId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<std::uint8_t> header(std::uint16_t type, std::uint16_t length) {
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(type >> 8),
                                static_cast<std::uint8_t>(type & 0xFF),
                                static_cast<std::uint8_t>(length >> 8),
                                static_cast<std::uint8_t>(length & 0xFF),
                                0x21,
                                0x12,
                                0xA4,
                                0x42};
  out.insert(out.end(), kId.begin(), kId.end());
  return out;
}

// A success response with XOR-MAPPED-ADDRESS 198.51.100.7:40000 (RFC 5389 §15.2).
std::vector<std::uint8_t> success_v4() {
  auto out = header(0x0101, 12);
  const std::uint16_t port = 40000 ^ 0x2112;
  const std::uint8_t address[4] = {198 ^ 0x21, 51 ^ 0x12, 100 ^ 0xA4, 7 ^ 0x42};
  const std::uint8_t attr[] = {0x00,
                               0x20,
                               0x00,
                               0x08,
                               0x00,
                               0x01,
                               static_cast<std::uint8_t>(port >> 8),
                               static_cast<std::uint8_t>(port & 0xFF)};
  out.insert(out.end(), std::begin(attr), std::end(attr));
  out.insert(out.end(), std::begin(address), std::end(address));
  return out;
}

TEST(StunCodec, BindingRequestIsAHeaderWithCookieAndTransaction) {
  const auto request = binding_request(kId);
  ASSERT_EQ(request.size(), 20U);
  EXPECT_EQ(request[0], 0x00);
  EXPECT_EQ(request[1], 0x01);
  EXPECT_EQ(request[2], 0x00);
  EXPECT_EQ(request[3], 0x00);
  EXPECT_EQ(request[4], 0x21);
  EXPECT_EQ(request[7], 0x42);
  auto decoded = decode(request);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->message_class, Class::request);
  EXPECT_EQ(decoded->method, binding_method);
  EXPECT_EQ(decoded->transaction, kId);
  EXPECT_FALSE(decoded->mapped);
}

TEST(StunCodec, SuccessResponseGivesTheXorMappedAddress) {
  auto decoded = decode(success_v4());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->message_class, Class::success);
  EXPECT_EQ(decoded->method, binding_method);
  ASSERT_TRUE(decoded->mapped);
  EXPECT_EQ(decoded->mapped->address, "198.51.100.7");
  EXPECT_EQ(decoded->mapped->port, 40000);
}

TEST(StunCodec, PlainMappedAddressIsTheFallback) {
  auto out = header(0x0101, 12);
  const std::uint8_t attr[] = {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x13, 0xC4, 192, 0, 2, 9};
  out.insert(out.end(), std::begin(attr), std::end(attr));
  auto decoded = decode(out);
  ASSERT_TRUE(decoded);
  ASSERT_TRUE(decoded->mapped);
  EXPECT_EQ(decoded->mapped->address, "192.0.2.9");
  EXPECT_EQ(decoded->mapped->port, 5060);
}

TEST(StunCodec, ErrorResponseClassIsRecognised) {
  auto out = header(0x0111, 0);
  auto decoded = decode(out);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->message_class, Class::error);
}

TEST(StunCodec, MalformedInputIsRejected) {
  EXPECT_FALSE(decode({}));
  auto good = success_v4();
  auto short_one = good;
  short_one.pop_back();
  EXPECT_FALSE(decode(short_one));  // length no longer adds up
  auto no_cookie = good;
  no_cookie[4] = 0;
  EXPECT_FALSE(decode(no_cookie));  // RFC 3489 classic STUN
  auto long_attr = good;
  long_attr[23] = 0x40;  // attribute claims 64 bytes
  EXPECT_FALSE(decode(long_attr));
  auto sip_like = good;
  sip_like[0] = 'S';
  EXPECT_FALSE(decode(sip_like));
}

TEST(StunCodec, BadAddressFamilyLeavesNoMappedAddress) {
  auto out = success_v4();
  out[25] = 0x07;  // family
  auto decoded = decode(out);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->mapped);
}

}  // namespace
}  // namespace sipline::transport::stun

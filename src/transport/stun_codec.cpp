#include "transport/stun_codec.hpp"

#include <cstdio>

namespace sipline::transport::stun {
namespace {

constexpr std::uint16_t attr_mapped_address = 0x0001;
constexpr std::uint16_t attr_xor_mapped_address = 0x0020;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

std::string ipv4_text(const std::uint8_t* a) {
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
  return text;
}

std::string ipv6_text(const std::uint8_t* a) {
  // Full form, lower-case hex groups: the value is only compared with
  // itself, never parsed back.
  std::string text;
  for (std::size_t i = 0; i < 8; ++i) {
    char group[6];
    std::snprintf(group, sizeof group, "%x", (a[2 * i] << 8) | a[2 * i + 1]);
    if (i > 0) text += ':';
    text += group;
  }
  return text;
}

// RFC 5389 §15.1 / §15.2: family, port and address, XORed with the cookie
// (and for IPv6 the transaction id) in XOR-MAPPED-ADDRESS.
std::optional<MappedAddress> read_address(std::span<const std::uint8_t> value, bool xored,
                                          const TransactionId& transaction) {
  if (value.size() < 4) return std::nullopt;
  const std::uint8_t family = value[1];
  std::uint16_t port = read16(value, 2);
  std::array<std::uint8_t, 16> mask{};
  for (std::size_t i = 0; i < 4; ++i) {
    mask[i] = static_cast<std::uint8_t>(magic_cookie >> (24 - 8 * i));
  }
  for (std::size_t i = 0; i < 12; ++i) mask[4 + i] = transaction[i];
  if (xored) port ^= static_cast<std::uint16_t>(magic_cookie >> 16);
  std::array<std::uint8_t, 16> address{};
  std::size_t size = 0;
  if (family == 0x01) {
    size = 4;
  } else if (family == 0x02) {
    size = 16;
  } else {
    return std::nullopt;
  }
  if (value.size() != 4 + size) return std::nullopt;
  for (std::size_t i = 0; i < size; ++i) {
    address[i] = static_cast<std::uint8_t>(value[4 + i] ^ (xored ? mask[i] : 0));
  }
  return MappedAddress{size == 4 ? ipv4_text(address.data()) : ipv6_text(address.data()), port};
}

}  // namespace

std::vector<std::uint8_t> binding_request(const TransactionId& transaction) {
  std::vector<std::uint8_t> out(header_size, 0);
  out[0] = 0x00;
  out[1] = 0x01;  // Binding request: class bits 00, method 0x001
  // out[2..3]: message length 0, no attributes
  for (std::size_t i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<std::uint8_t>(magic_cookie >> (24 - 8 * i));
  }
  for (std::size_t i = 0; i < transaction.size(); ++i) out[8 + i] = transaction[i];
  return out;
}

Result<Message> decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < header_size) return fail(Errc::malformed, "STUN: shorter than a header");
  const std::uint16_t type = read16(bytes, 0);
  if ((type & 0xC000) != 0) return fail(Errc::malformed, "STUN: top bits of the type set");
  const std::uint16_t length = read16(bytes, 2);
  if (length % 4 != 0 || header_size + length != bytes.size()) {
    return fail(Errc::malformed, "STUN: length does not match the datagram");
  }
  if (read32(bytes, 4) != magic_cookie) return fail(Errc::malformed, "STUN: no magic cookie");
  Message message;
  // §6: class bits C1 (bit 8) and C0 (bit 4); method in the other 12 bits.
  const unsigned c = ((type >> 7) & 0x2U) | ((type >> 4) & 0x1U);
  message.message_class = static_cast<Class>(c);
  message.method =
      static_cast<std::uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
  for (std::size_t i = 0; i < message.transaction.size(); ++i) {
    message.transaction[i] = bytes[8 + i];
  }
  std::optional<MappedAddress> plain;
  std::size_t at = header_size;
  while (at < bytes.size()) {
    if (bytes.size() - at < 4) return fail(Errc::malformed, "STUN: truncated attribute");
    const std::uint16_t attr = read16(bytes, at);
    const std::size_t attr_length = read16(bytes, at + 2);
    const std::size_t padded = (attr_length + 3) & ~std::size_t{3};
    if (bytes.size() - at - 4 < padded) {
      return fail(Errc::malformed, "STUN: attribute longer than the message");
    }
    const auto value = bytes.subspan(at + 4, attr_length);
    if (attr == attr_xor_mapped_address && !message.mapped) {
      message.mapped = read_address(value, true, message.transaction);
    } else if (attr == attr_mapped_address && !plain) {
      plain = read_address(value, false, message.transaction);
    }
    at += 4 + padded;
  }
  if (!message.mapped) message.mapped = plain;
  return message;
}

}  // namespace sipline::transport::stun

#pragma once
// The part of STUN (RFC 5389) a keep-alive needs: encode a Binding request
// and decode the answer (its class, transaction id and the mapped address).
// Decoding reads untrusted network input: every length is checked, nothing
// is trusted, malformed input is an error, never a crash.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace sipline::transport::stun {

inline constexpr std::uint32_t magic_cookie = 0x2112A442;  // RFC 5389 §6
inline constexpr std::size_t header_size = 20;

using TransactionId = std::array<std::uint8_t, 12>;

enum class Class : std::uint8_t { request, indication, success, error };

struct MappedAddress {
  std::string address;  // numeric, IPv4 dotted or IPv6 text
  std::uint16_t port = 0;
  bool operator==(const MappedAddress&) const = default;
};

struct Message {
  Class message_class = Class::request;
  std::uint16_t method = 0;  // 0x001 = Binding
  TransactionId transaction{};
  // XOR-MAPPED-ADDRESS (§15.2), else MAPPED-ADDRESS (§15.1), when present.
  std::optional<MappedAddress> mapped;
};

inline constexpr std::uint16_t binding_method = 0x001;

// A Binding request with no attributes (RFC 5389 §7.1; RFC 5626 §4.4.2).
std::vector<std::uint8_t> binding_request(const TransactionId& transaction);

// Parses one STUN message (RFC 5389 §6, §15). Unknown attributes are
// skipped; a message without the magic cookie (classic RFC 3489 STUN) or
// with lengths that do not add up is rejected.
Result<Message> decode(std::span<const std::uint8_t> bytes);

}  // namespace sipline::transport::stun

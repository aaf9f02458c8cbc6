#pragma once
// Numeric host addresses: recognising an IP literal in a SIP host (RFC 3263
// §4.1 skips DNS for one) and printing addresses in one canonical spelling,
// so that the same address from a URI, a static record or an AAAA answer
// compares equal.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dns/records.hpp"

namespace sipline::dns {

struct IpAddress {
  Family family = Family::ipv4;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four

  bool operator==(const IpAddress&) const = default;
};

// Dotted-quad IPv4 (four decimal octets, no leading zeros) or IPv6 text
// (RFC 4291 §2.2, with an optional embedded IPv4 tail), optionally in
// brackets as in a SIP URI (RFC 3261 §25.1). Zone indices are not accepted.
std::optional<IpAddress> parse_ip_literal(std::string_view text) noexcept;

// IPv4 as a dotted quad; IPv6 in the RFC 5952 §4 form (lower case, longest
// run of two or more zero groups as "::", IPv4-mapped with a dotted tail),
// without brackets.
std::string to_string(const IpAddress& address);

IpAddress ipv4_from_bytes(const std::uint8_t (&bytes)[4]) noexcept;
IpAddress ipv6_from_bytes(const std::uint8_t (&bytes)[16]) noexcept;

}  // namespace sipline::dns

#include "dns/ip_literal.hpp"

#include <cstddef>

namespace sipline::dns {
namespace {

std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text) noexcept {
  std::array<std::uint8_t, 4> out{};
  std::size_t pos = 0;
  for (std::size_t octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    const std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    const std::size_t digits = pos - start;
    // "01" is refused: some stacks read a leading zero as octal.
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    out[octet] = static_cast<std::uint8_t>(value);
  }
  if (pos != text.size()) return std::nullopt;
  return out;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) noexcept {
  std::array<std::uint16_t, 8> groups{};
  std::size_t count = 0;
  std::optional<std::size_t> gap;  // index in `groups` where "::" stands
  std::size_t pos = 0;

  if (text.substr(0, 2) == "::") {
    gap = 0;
    pos = 2;
    if (pos == text.size()) return std::array<std::uint8_t, 16>{};
  } else if (!text.empty() && text[0] == ':') {
    return std::nullopt;
  }

  while (pos < text.size()) {
    if (count == 8) return std::nullopt;
    // An IPv4 tail takes the last two groups.
    const std::size_t next_colon = text.find(':', pos);
    const std::string_view piece = text.substr(
        pos, next_colon == std::string_view::npos ? std::string_view::npos : next_colon - pos);
    if (next_colon == std::string_view::npos && piece.find('.') != std::string_view::npos) {
      if (count > 6) return std::nullopt;
      const auto v4 = parse_ipv4(piece);
      if (!v4) return std::nullopt;
      groups[count++] = static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]);
      groups[count++] = static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]);
      pos = text.size();
      break;
    }
    if (piece.empty() || piece.size() > 4) return std::nullopt;
    unsigned value = 0;
    for (const char c : piece) {
      const int h = hex_value(c);
      if (h < 0) return std::nullopt;
      value = (value << 4) | static_cast<unsigned>(h);
    }
    groups[count++] = static_cast<std::uint16_t>(value);
    pos += piece.size();
    if (pos == text.size()) break;
    // pos is at a ':'.
    ++pos;
    if (pos < text.size() && text[pos] == ':') {
      if (gap) return std::nullopt;  // a second "::"
      gap = count;
      ++pos;
      if (pos == text.size()) break;
    } else if (pos == text.size()) {
      return std::nullopt;  // a trailing single ':'
    }
  }

  if (gap) {
    if (count >= 8) return std::nullopt;  // "::" must stand for at least one group
    const std::size_t tail = count - *gap;
    for (std::size_t i = 0; i < tail; ++i) groups[7 - i] = groups[count - 1 - i];
    for (std::size_t i = *gap; i < 8 - tail; ++i) groups[i] = 0;
  } else if (count != 8) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
  }
  return out;
}

void append_decimal(std::string& out, unsigned value) {
  if (value >= 100) out.push_back(static_cast<char>('0' + value / 100));
  if (value >= 10) out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

void append_dotted(std::string& out, const std::uint8_t* b) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out.push_back('.');
    append_decimal(out, b[i]);
  }
}

}  // namespace

std::optional<IpAddress> parse_ip_literal(std::string_view text) noexcept {
  if (!text.empty() && text.front() == '[') {
    if (text.size() < 2 || text.back() != ']') return std::nullopt;
    const auto v6 = parse_ipv6(text.substr(1, text.size() - 2));
    if (!v6) return std::nullopt;
    return IpAddress{Family::ipv6, *v6};
  }
  if (const auto v4 = parse_ipv4(text)) {
    IpAddress out{Family::ipv4, {}};
    for (std::size_t i = 0; i < 4; ++i) out.bytes[i] = (*v4)[i];
    return out;
  }
  if (const auto v6 = parse_ipv6(text)) return IpAddress{Family::ipv6, *v6};
  return std::nullopt;
}

std::string to_string(const IpAddress& address) {
  std::string out;
  if (address.family == Family::ipv4) {
    append_dotted(out, address.bytes.data());
    return out;
  }
  const auto& b = address.bytes;
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) groups[i] = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];

  // RFC 5952 §5: an IPv4-mapped address keeps its dotted tail.
  const bool mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
                      groups[4] == 0 && groups[5] == 0xffff;
  if (mapped) {
    out = "::ffff:";
    append_dotted(out, b.data() + 12);
    return out;
  }

  // The longest run of zero groups (two or more; the first on a tie).
  std::size_t best_start = 8, best_len = 0;
  for (std::size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = 8;

  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (groups[i] >> shift) & 0xf;
      if (nibble != 0 || started || shift == 0) {
        out.push_back(digits[nibble]);
        started = true;
      }
    }
  }
  return out;
}

IpAddress ipv4_from_bytes(const std::uint8_t (&bytes)[4]) noexcept {
  IpAddress out{Family::ipv4, {}};
  for (std::size_t i = 0; i < 4; ++i) out.bytes[i] = bytes[i];
  return out;
}

IpAddress ipv6_from_bytes(const std::uint8_t (&bytes)[16]) noexcept {
  IpAddress out{Family::ipv6, {}};
  for (std::size_t i = 0; i < 16; ++i) out.bytes[i] = bytes[i];
  return out;
}

}  // namespace sipline::dns

// host[:port] grammar (RFC 3261 §25.1 hostport) with IPv6 references per
// RFC 5118 and the RFC 4291 §2.2 text forms, and host comparison.

#include <array>
#include <cstdint>
#include <string>

#include "sip/escape.hpp"
#include "sip/uri.hpp"

namespace sipline::sip {
namespace {

using Address6 = std::array<std::uint8_t, 16>;

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0-255.
// Leading zeros are decimal, as the RFC 3261 grammar allows them.
bool parse_ipv4(std::string_view s, std::array<std::uint8_t, 4>& out) {
  std::size_t pos = 0;
  for (std::size_t octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= s.size() || s[pos] != '.') return false;
      ++pos;
    }
    unsigned value = 0;
    std::size_t digits = 0;
    while (pos < s.size() && is_digit(s[pos]) && digits < 3) {
      value = value * 10 + static_cast<unsigned>(s[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || value > 255) return false;
    out[octet] = static_cast<std::uint8_t>(value);
  }
  return pos == s.size();
}

// RFC 4291 §2.2: up to eight 1-4 digit hex groups, at most one "::" standing
// for one or more zero groups, optionally ending in a dotted IPv4 address
// worth two groups. Zone identifiers are not allowed in SIP (RFC 5118).
// RFC 5118 §4.10: the RFC 3261 ABNF produced "::" ":" IPv4address, so a third
// colon between "::" and an embedded IPv4 address is tolerated (RFC 5954 §3
// corrects the grammar; the tolerated form means the same address).
// 1 when s[pos] is the extra colon of the RFC 3261 form "::" ":" IPv4address.
std::size_t legacy_colon(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != ':') return 0;
  const std::string_view rest = s.substr(pos + 1);
  const bool ipv4_follows =
      rest.find('.') != std::string_view::npos && rest.find(':') == std::string_view::npos;
  return ipv4_follows ? 1 : 0;
}

bool parse_ipv6(std::string_view s, Address6& out) {
  std::array<std::uint16_t, 8> words{};
  std::size_t count = 0;
  std::size_t gap = 0;  // index of the group "::" stands before
  bool has_gap = false;
  std::size_t pos = 0;
  if (s.starts_with("::")) {
    has_gap = true;
    pos = 2;
    pos += legacy_colon(s, pos);
  }
  while (pos < s.size()) {
    // A group containing '.' is the embedded IPv4 address; it must be last.
    std::size_t end = s.find(':', pos);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view piece = s.substr(pos, end - pos);
    if (piece.find('.') != std::string_view::npos) {
      std::array<std::uint8_t, 4> v4{};
      if (end != s.size() || count + 2 > words.size() || !parse_ipv4(piece, v4)) return false;
      words[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
      words[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
      pos = end;
      break;
    }
    if (piece.empty() || piece.size() > 4 || count == words.size()) return false;
    unsigned word = 0;
    for (char c : piece) {
      const int v = detail::hex_value(c);
      if (v < 0) return false;
      word = word * 16 + static_cast<unsigned>(v);
    }
    words[count++] = static_cast<std::uint16_t>(word);
    pos = end;
    if (pos == s.size()) break;
    ++pos;  // ':'
    if (pos < s.size() && s[pos] == ':') {
      if (has_gap) return false;
      has_gap = true;
      gap = count;
      ++pos;
      pos += legacy_colon(s, pos);
    } else if (pos == s.size()) {
      return false;  // trailing single ':'
    }
  }
  if (pos != s.size()) return false;
  if (!has_gap) {
    if (count != words.size()) return false;
  } else {
    if (count >= words.size()) return false;  // "::" must stand for a group
    const std::size_t tail = count - gap;
    for (std::size_t i = 0; i < tail; ++i) {
      words[words.size() - 1 - i] = words[count - 1 - i];
    }
    for (std::size_t i = gap; i < words.size() - tail; ++i) words[i] = 0;
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    out[2 * i] = static_cast<std::uint8_t>(words[i] >> 8);
    out[2 * i + 1] = static_cast<std::uint8_t>(words[i] & 0xff);
  }
  return true;
}

// hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanumeric
// with inner '-', and the top label starts with a letter (which is what
// keeps a mistyped IPv4 address from passing as a name).
bool valid_hostname(std::string_view s) {
  if (s.ends_with('.')) s.remove_suffix(1);
  if (s.empty()) return false;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '.') {
      if (!is_alnum(s[i]) && s[i] != '-') return false;
      continue;
    }
    const std::string_view label = s.substr(label_start, i - label_start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    if (i == s.size() && !is_alpha(label.front())) return false;
    label_start = i + 1;
  }
  return true;
}

bool only_digits_and_dots(std::string_view s) {
  for (char c : s) {
    if (!is_digit(c) && c != '.') return false;
  }
  return true;
}

// port = 1*DIGIT, accepted in 1-65535 without overflowing on long input.
Result<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty()) return fail(Errc::malformed, "empty port");
  std::uint32_t value = 0;
  for (char c : s) {
    if (!is_digit(c)) return fail(Errc::malformed, "port is not a number");
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535) return fail(Errc::out_of_range, "port above 65535");
  }
  if (value == 0) return fail(Errc::out_of_range, "port 0");
  return static_cast<std::uint16_t>(value);
}

Result<HostPort> with_port(HostPort hp, std::string_view rest) {
  if (rest.empty()) return hp;
  if (rest.front() != ':') return fail(Errc::malformed, "unexpected text after host");
  auto port = parse_port(rest.substr(1));
  SIPLINE_TRY(port);
  hp.port = *port;
  return hp;
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text) {
  if (text.empty()) return fail(Errc::missing, "missing host");
  HostPort hp;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return fail(Errc::malformed, "unterminated IPv6 reference");
    }
    const std::string_view address = text.substr(1, close - 1);
    Address6 bytes{};
    if (!parse_ipv6(address, bytes)) return fail(Errc::malformed, "invalid IPv6 address");
    hp.host = address;
    hp.kind = HostKind::ipv6;
    return with_port(hp, text.substr(close + 1));
  }
  const std::size_t colon = text.find(':');
  const std::string_view host = text.substr(0, colon);
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    // RFC 5118 §4.2: an IPv6 address must be enclosed in brackets.
    return fail(Errc::malformed, "IPv6 address without brackets");
  }
  if (host.empty()) return fail(Errc::missing, "missing host");
  if (only_digits_and_dots(host)) {
    std::array<std::uint8_t, 4> v4{};
    if (!parse_ipv4(host, v4)) return fail(Errc::malformed, "invalid IPv4 address");
    hp.kind = HostKind::ipv4;
  } else if (!valid_hostname(host)) {
    return fail(Errc::malformed, "invalid host name");
  } else {
    hp.kind = HostKind::hostname;
  }
  hp.host = host;
  return with_port(hp, colon == std::string_view::npos ? std::string_view{} : text.substr(colon));
}

bool host_port_equivalent(const HostPort& a, const HostPort& b) {
  if (a.port != b.port || a.kind != b.kind) return false;
  switch (a.kind) {
    case HostKind::ipv6: {
      Address6 x{};
      Address6 y{};
      // Hosts not produced by the parser fall back to text comparison.
      if (!parse_ipv6(a.host, x) || !parse_ipv6(b.host, y)) return detail::iequals(a.host, b.host);
      return x == y;
    }
    case HostKind::ipv4: {
      std::array<std::uint8_t, 4> x{};
      std::array<std::uint8_t, 4> y{};
      if (!parse_ipv4(a.host, x) || !parse_ipv4(b.host, y)) return detail::iequals(a.host, b.host);
      return x == y;
    }
    case HostKind::hostname:
      return detail::iequals(a.host, b.host);
  }
  return false;
}

}  // namespace sipline::sip

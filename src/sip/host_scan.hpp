#pragma once
// One-pass recognition of host and port (RFC 3261 §25.1 hostport) for the
// parser's fast paths. Internal to the sip layer.
//
// The fast paths accept only what the general grammar accepts, with the same
// result, and answer "undecided" (npos) for anything else: an IPv6
// reference, an invalid host, any irregularity. The caller then runs the
// general parser, which accepts the rare valid forms and words the exact
// error for the invalid ones. So validation is as strict as before while
// the common case walks each byte once.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/uri.hpp"

namespace sipline::sip::fast {

inline constexpr std::size_t npos = std::string_view::npos;

namespace detail {
// Characters of a domain label, one bit each; '.' and everything else are 0.
enum LabelChar : std::uint8_t { kDigit = 1, kAlpha = 2, kDash = 4 };

constexpr std::array<std::uint8_t, 256> make_label_chars() {
  std::array<std::uint8_t, 256> t{};
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = kDigit;
  for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] = kAlpha;
  for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] = kAlpha;
  t['-'] = kDash;
  return t;
}
inline constexpr std::array<std::uint8_t, 256> label_chars = make_label_chars();
}  // namespace detail

// A dotted quad of 1-3 digit octets <= 255 from s[pos] that ends at a byte
// which cannot continue a host; its end, or npos (then the label walk
// decides, e.g. "1.2.3.4.5" or "1.2.3.4a").
inline std::size_t scan_dotted_quad(std::string_view s, std::size_t pos) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  std::size_t i = pos;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= n || d[i] != '.') return npos;
      ++i;
    }
    // 1 to 3 digits, unrolled: the loop bookkeeping cost more than the
    // digits.
    auto digit = [d, n](std::size_t k) {
      return k < n ? static_cast<unsigned>(static_cast<unsigned char>(d[k])) - '0' : 10U;
    };
    unsigned value = digit(i);
    if (value > 9) return npos;
    ++i;
    if (const unsigned second = digit(i); second <= 9) {
      value = value * 10 + second;
      ++i;
      if (const unsigned third = digit(i); third <= 9) {
        value = value * 10 + third;
        ++i;
      }
    }
    if (value > 255) return npos;
  }
  if (i < n && (detail::label_chars[static_cast<unsigned char>(d[i])] != 0 || d[i] == '.')) {
    return npos;
  }
  return i;
}

// Scans host = hostname / IPv4address from s[pos], stopping at the first byte
// that is neither alphanumeric, '-' nor '.'. Returns that position with
// `out.host` and `out.kind` set, or npos when the bytes are not a valid host
// of those two forms (host.cpp's rules: labels of alphanumerics with inner
// '-', a top label starting with a letter, one optional trailing '.'; a host
// of digits and dots only must be exactly four octets of 1-3 digits, each at
// most 255). A dotted quad takes the shorter lane above; otherwise each
// label is one run of table lookups, and the classes seen are OR-ed
// together, which is all the checks need.
inline std::size_t scan_host(std::string_view s, std::size_t pos, HostPort& out) noexcept {
  using namespace detail;
  const char* const d = s.data();
  const std::size_t n = s.size();
  if (pos < n && d[pos] >= '0' && d[pos] <= '9') {
    if (const std::size_t end = scan_dotted_quad(s, pos); end != npos) {
      out.kind = HostKind::ipv4;
      out.host = s.substr(pos, end - pos);
      return end;
    }
  }
  std::size_t i = pos;
  std::uint8_t seen = 0;       // classes of every label character
  std::uint8_t top_first = 0;  // class of the last label's first character
  unsigned labels = 0;
  bool octets_ok = true;  // every all-digit label is 1-3 digits and <= 255
  bool trailing_dot = false;
  while (true) {
    const std::size_t start = i;
    std::uint8_t label = 0;
    while (i < n) {
      const std::uint8_t k = label_chars[static_cast<unsigned char>(d[i])];
      if (k == 0) break;
      label = static_cast<std::uint8_t>(label | k);
      ++i;
    }
    if (i == start) {
      // No label: the host is empty or has an empty label, unless this is
      // the end after one trailing '.'.
      if (labels == 0 || (i < n && d[i] == '.')) return npos;
      trailing_dot = true;
      break;
    }
    const std::uint8_t first = label_chars[static_cast<unsigned char>(d[start])];
    if (((first | label_chars[static_cast<unsigned char>(d[i - 1])]) & kDash) != 0) return npos;
    if (label == kDigit) {
      const std::size_t digits = i - start;
      unsigned value = 0;
      for (std::size_t j = start; j < i && j < start + 3; ++j) {
        value = value * 10 + static_cast<unsigned>(d[j] - '0');
      }
      octets_ok = octets_ok && digits <= 3 && value <= 255;
    }
    seen = static_cast<std::uint8_t>(seen | label);
    top_first = first;
    ++labels;
    if (i < n && d[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  if (seen == kDigit) {  // digits and dots only: must be an IPv4 address
    if (trailing_dot || labels != 4 || !octets_ok) return npos;
    out.kind = HostKind::ipv4;
  } else {
    if (top_first != kAlpha) return npos;
    out.kind = HostKind::hostname;
  }
  out.host = s.substr(pos, i - pos);
  return i;
}

// IPv6reference = "[" IPv6address "]" from s[pos] == '[' (RFC 5118), in the
// plain RFC 4291 §2.2 text form only: 1-4 hex digit groups separated by
// ':', at most one "::" standing for at least one group. Returns the
// position after the ']' with `out.host` (without the brackets) and
// `out.kind` set, or npos for anything else (an embedded IPv4 address, the
// RFC 5118 §4.10 extra colon, an invalid address), which host.cpp decides.
inline std::size_t scan_ipv6_reference(std::string_view s, std::size_t pos,
                                       HostPort& out) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  auto hex = [d](std::size_t k) {
    const char c = d[k];
    const char lower = static_cast<char>(c | 0x20);
    return (c >= '0' && c <= '9') || (lower >= 'a' && lower <= 'f');
  };
  if (pos >= n || d[pos] != '[') return npos;
  const std::size_t start = pos + 1;
  std::size_t i = start;
  unsigned groups = 0;
  bool gap = false;
  if (n - i >= 2 && d[i] == ':' && d[i + 1] == ':') {
    gap = true;
    i += 2;
  }
  while (i < n && d[i] != ']') {
    const std::size_t group = i;
    while (i < n && i - group < 4 && hex(i)) ++i;
    if (i == group) return npos;
    ++groups;
    if (i < n && d[i] == ']') break;
    if (i >= n || d[i] != ':') return npos;
    ++i;
    if (i < n && d[i] == ':') {
      if (gap) return npos;
      gap = true;
      ++i;
    } else if (i < n && d[i] == ']') {
      return npos;  // a trailing single ':'
    }
  }
  if (i >= n) return npos;  // no ']'
  // Eight groups, or fewer with the "::" standing for the rest.
  if (gap ? groups > 7 : groups != 8) return npos;
  out.host = s.substr(start, i - start);
  out.kind = HostKind::ipv6;
  return i + 1;
}

// port = 1*DIGIT in 1-65535 (leading zeros allowed), from s[pos]. Returns
// the position after the digits, or npos when there is none or the value is
// 0 or too large.
inline std::size_t scan_port(std::string_view s, std::size_t pos, std::uint16_t& out) noexcept {
  std::uint32_t value = 0;
  std::size_t i = pos;
  // Up to five digits and the byte after them without bounds checks when
  // they are there; the value only grows, so checking it at the end is the
  // same. A sixth digit takes the loop below.
  if (s.size() - pos >= 6) {
    const char* const d = s.data();
    for (int k = 0; k < 5; ++k) {
      const unsigned digit = static_cast<unsigned>(static_cast<unsigned char>(d[i])) - '0';
      if (digit > 9) break;
      value = value * 10 + digit;
      ++i;
    }
    if (static_cast<unsigned>(static_cast<unsigned char>(d[i])) - '0' > 9) {
      if (i == pos || value == 0 || value > 65535) return npos;
      out = static_cast<std::uint16_t>(value);
      return i;
    }
  }
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    value = value * 10 + static_cast<std::uint32_t>(s[i] - '0');
    if (value > 65535) return npos;
    ++i;
  }
  if (i == pos || value == 0) return npos;
  out = static_cast<std::uint16_t>(value);
  return i;
}

}  // namespace sipline::sip::fast

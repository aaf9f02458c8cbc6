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
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/uri.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace detail {
// For each set of dot positions among the first 12 bytes of an IPv4
// address, the start of its fourth octet when the dots end three octets of
// 1-3 digits each, else 0.
constexpr std::array<std::uint8_t, 4096> make_fourth_octet() {
  std::array<std::uint8_t, 4096> t{};
  for (unsigned a = 1; a <= 3; ++a) {
    for (unsigned b = 1; b <= 3; ++b) {
      for (unsigned c = 1; c <= 3; ++c) {
        const unsigned first = a;
        const unsigned second = first + 1 + b;
        const unsigned third = second + 1 + c;
        t[(1U << first) | (1U << second) | (1U << third)] = static_cast<std::uint8_t>(third + 1);
      }
    }
  }
  return t;
}
inline constexpr std::array<std::uint8_t, 4096> fourth_octet = make_fourth_octet();

// scan_dotted_quad byte by byte: for short texts and other platforms.
inline std::size_t scan_dotted_quad_bytes(std::string_view s, std::size_t pos) noexcept {
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
  if (i < n && (label_chars[static_cast<unsigned char>(d[i])] != 0 || d[i] == '.')) {
    return npos;
  }
  return i;
}
}  // namespace detail

#if defined(__SSE2__)
namespace detail {
// The 16 bytes from d, of which avail >= 8 are in the text; those past its
// end read as zeros (two overlapping 8-byte loads then, no byte outside
// the text is touched). A zero byte continues no host, URI or token, so
// the scans below stop there as they stop at the end of the text.
inline __m128i load16(const char* d, std::size_t avail) noexcept {
  if (avail >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::memcpy(&lo, d, 8);
  if (avail > 8) {
    std::memcpy(&hi, d + avail - 8, 8);
    hi >>= 8 * (16 - avail);  // the bytes from d[8] on, zeros after the end
  }
  return _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));
}
}  // namespace detail
#endif

// A dotted quad of 1-3 digit octets <= 255 from s[pos] that ends at a byte
// which cannot continue a host; its end, or npos (then the label walk
// decides, e.g. "1.2.3.4.5" or "1.2.3.4a").
//
// With SSE2 the (at most 15) bytes of the quad and the one after it are
// classified at once: a mask of digits and one of dots, whose shape alone
// decides the form (four runs of 1-3 digits between three single dots).
// Only octets of three digits starting with '2' or more need a look at
// their value. Fewer than 8 bytes left take the byte walk.
inline std::size_t scan_dotted_quad(std::string_view s, std::size_t pos) noexcept {
#if defined(__SSE2__)
  const char* const d = s.data() + pos;
  const std::size_t avail = s.size() - pos;
  if (avail < 8) return detail::scan_dotted_quad_bytes(s, pos);
  const __m128i x = detail::load16(d, avail);
  // Signed byte compares: bytes >= 0x80 are negative, so neither digits nor
  // above '1'.
  const __m128i above_slash = _mm_cmpgt_epi8(x, _mm_set1_epi8('/'));
  const __m128i below_colon = _mm_cmplt_epi8(x, _mm_set1_epi8(':'));
  const auto digits =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(above_slash, below_colon)));
  const auto dots = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))));
  // The quad is the whole run of digits and dots. Its first three octets
  // and their dots lie in the first 12 bytes, and the dots alone tell
  // where the fourth octet starts; it must then be 1-3 digits.
  const auto end = static_cast<unsigned>(std::countr_one(digits | dots));  // <= 16
  const unsigned quad = (1U << end) - 1;
  const unsigned p = dots & quad;
  const unsigned fourth = detail::fourth_octet[p & 0xfff];
  if (fourth == 0 || (p >> fourth) != 0 || end - fourth - 1 >= 3) return npos;
  // The byte after the quad (neither a digit nor a dot).
  if (end < avail && (detail::label_chars[static_cast<unsigned char>(d[end])] &
                      (detail::kAlpha | detail::kDash)) != 0) {
    return npos;
  }
  // Three-digit octets from "200" on: at most "255", compared as text. No
  // octet has four digits, so three in a row start one.
  const auto above_one =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpgt_epi8(x, _mm_set1_epi8('1'))));
  for (unsigned big = digits & (digits >> 1) & (digits >> 2) & above_one & quad; big != 0;
       big &= big - 1) {
    const auto i = static_cast<unsigned>(std::countr_zero(big));
    const unsigned text = static_cast<unsigned>(static_cast<unsigned char>(d[i])) << 16 |
                          static_cast<unsigned>(static_cast<unsigned char>(d[i + 1])) << 8 |
                          static_cast<unsigned char>(d[i + 2]);
    if (text > ('2' << 16 | '5' << 8 | '5')) return npos;
  }
  return pos + end;
#else
  return detail::scan_dotted_quad_bytes(s, pos);
#endif
}

namespace detail {
// scan_host past the dotted-quad lane: one run of table lookups per label,
// the classes seen OR-ed together, which is all the checks need. Out of
// line, so that the quad lane inlines into its callers.
[[gnu::noinline]] inline std::size_t scan_host_labels(std::string_view s, std::size_t pos,
                                                      HostPort& out) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
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
}  // namespace detail

// Scans host = hostname / IPv4address from s[pos], stopping at the first byte
// that is neither alphanumeric, '-' nor '.'. Returns that position with
// `out.host` and `out.kind` set, or npos when the bytes are not a valid host
// of those two forms (host.cpp's rules: labels of alphanumerics with inner
// '-', a top label starting with a letter, one optional trailing '.'; a host
// of digits and dots only must be exactly four octets of 1-3 digits, each at
// most 255). A dotted quad takes the shorter lane above.
inline std::size_t scan_host(std::string_view s, std::size_t pos, HostPort& out) noexcept {
  if (pos < s.size() && static_cast<unsigned>(static_cast<unsigned char>(s[pos])) - '0' <= 9) {
    if (const std::size_t end = scan_dotted_quad(s, pos); end != npos) {
      out.kind = HostKind::ipv4;
      out.host = std::string_view(s.data() + pos, end - pos);
      return end;
    }
  }
  return detail::scan_host_labels(s, pos, out);
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

#pragma once
// One-pass recognition of a SIP/SIPS URI inside a longer text (RFC 3261
// §19.1.1, §25.1), for the fast paths of the Request-URI, the name-addr of
// From / To and the name-addr lists. Internal to the sip layer.
//
// Like host_scan.hpp it decides only the common forms, and only when they
// are valid: it answers "undecided" (npos) for anything else, and the caller
// then runs the general parser, which accepts the rare valid forms and words
// the exact error. So the verdicts and the fields are the general parser's.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/host_scan.hpp"
#include "sip/uri.hpp"

namespace sipline::sip::fast {

namespace detail {
// RFC 3261 §25.1, one bit per set, for the URI and for the name-addr around
// it. '%' is in no URI set (escapes are checked apart); the URI sets are
// those uri.cpp validates with.
enum UriChar : std::uint16_t {
  kUser = 1 << 0,      // unreserved / user-unreserved (& = + $ , ; ? /)
  kPassword = 1 << 1,  // unreserved / & = + $ ,
  kParam = 1 << 2,     // unreserved / param-unreserved ([ ] / : & + $)
  kHex = 1 << 3,
  kQdPlain = 1 << 4,    // qdtext needing no thought: as scan::detail::plain_qdtext
  kDisplay = 1 << 5,    // unquoted display-name: token / SP / HTAB / bytes >= %x80
  kTokenChar = 1 << 6,  // token (header parameter names and values)
  kLabel = 1 << 7,      // domainlabel characters: alphanum / "-"
  kLetter = 1 << 8      // ALPHA
};

constexpr std::array<std::uint16_t, 256> make_uri_chars() {
  std::array<std::uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  constexpr std::string_view alnum =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  constexpr std::string_view marks = "-_.!~*'()";
  add(alnum, kUser | kPassword | kParam);
  add(marks, kUser | kPassword | kParam);
  add("&=+$,;?/", kUser);
  add("&=+$,", kPassword);
  add("[]/:&+$", kParam);
  add("0123456789abcdefABCDEF", kHex);
  // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  add(alnum, kTokenChar | kDisplay);
  add("-.!%*_+`'~", kTokenChar | kDisplay);
  add(" \t", kDisplay | kQdPlain);
  add(alnum, kLabel);
  add("-", kLabel);
  add("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", kLetter);
  for (int c = 0x21; c < 0x100; ++c) {
    if (c != '"' && c != '\\' && c != 0x7f) t[static_cast<std::size_t>(c)] |= kQdPlain;
    if (c >= 0x80) t[static_cast<std::size_t>(c)] |= kDisplay;
  }
  return t;
}
inline constexpr std::array<std::uint16_t, 256> uri_chars = make_uri_chars();

inline std::uint16_t uri_class(char c) noexcept {
  return uri_chars[static_cast<unsigned char>(c)];
}

// End of the run of `cls` characters in d[pos, n). Eight bytes per bound
// check while eight remain: the runs here (users, labels, tags) are short,
// so each byte is still tested on its own, without the bound.
inline std::size_t scan_run(const char* d, std::size_t pos, std::size_t n,
                            std::uint16_t cls) noexcept {
  while (n - pos >= 8) {
    for (int k = 0; k < 8; ++k, ++pos) {
      if ((uri_class(d[pos]) & cls) == 0) return pos;
    }
  }
  if (n - pos >= 4) {  // the ends of short texts (a Request-URI)
    for (int k = 0; k < 4; ++k, ++pos) {
      if ((uri_class(d[pos]) & cls) == 0) return pos;
    }
  }
  while (pos < n && (uri_class(d[pos]) & cls) != 0) ++pos;
  return pos;
}

// End of the run of `cls` characters and complete "%" HEXDIG HEXDIG escapes
// in d[pos, n).
inline std::size_t scan_escaped(const char* d, std::size_t pos, std::size_t n,
                                std::uint16_t cls) noexcept {
  while (true) {
    pos = scan_run(d, pos, n, cls);
    if (pos < n && d[pos] == '%' && n - pos >= 3 && (uri_class(d[pos + 1]) & kHex) != 0 &&
        (uri_class(d[pos + 2]) & kHex) != 0) {
      pos += 3;
      continue;
    }
    return pos;
  }
}

#if defined(__SSE2__)
// A host name of at most 15 bytes from d[0], a letter, with avail >= 8
// bytes of text from there: its length, or npos when undecided (a longer
// name, or any irregularity, which the label walk decides). Four masks of
// the 16 bytes (letters, host bytes, dots, dashes) decide the §25.1 rules
// at once: no empty label, no '-' at either end of a label, the top label
// (before one trailing '.') starting with a letter.
inline std::size_t scan_short_hostname(const char* d, std::size_t avail) noexcept {
  const __m128i x = load16(d, avail);
  auto in = [](__m128i v, char low, char high) {  // signed: bytes >= 0x80 are not
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(low - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(high + 1))));
  };
  const __m128i letter = in(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z');
  const __m128i dot = _mm_cmpeq_epi8(x, _mm_set1_epi8('.'));
  const __m128i dash = _mm_cmpeq_epi8(x, _mm_set1_epi8('-'));
  const __m128i host = _mm_or_si128(_mm_or_si128(letter, in(x, '0', '9')), _mm_or_si128(dot, dash));
  const auto end = static_cast<unsigned>(
      std::countr_one(static_cast<unsigned>(_mm_movemask_epi8(host))));  // >= 1: d[0] is a letter
  if (end >= 16) return npos;
  const unsigned within = (1U << end) - 1;
  const unsigned dots = static_cast<unsigned>(_mm_movemask_epi8(dot)) & within;
  const unsigned dashes = static_cast<unsigned>(_mm_movemask_epi8(dash)) & within;
  // Label ends: each dot and the end. A dash may neither end a label nor
  // start one (d[0] is a letter); two dots in a row are an empty label.
  const unsigned ends = dots | (1U << end);
  if ((dots & (dots >> 1)) != 0 || (dashes & ((ends >> 1) | (dots << 1))) != 0) return npos;
  const unsigned inner = dots & ~(1U << (end - 1));  // without a trailing dot
  const unsigned top = inner == 0 ? 0 : 32 - static_cast<unsigned>(std::countl_zero(inner));
  if (((static_cast<unsigned>(_mm_movemask_epi8(letter)) >> top) & 1) == 0) return npos;
  return end;
}
#endif
}  // namespace detail

// host from s[pos] when it is a host name whose first byte is a letter
// (§25.1: hostname = *( domainlabel "." ) toplabel [ "." ], domainlabel =
// alphanum / alphanum *( alphanum / "-" ) alphanum, toplabel = ALPHA /
// ALPHA *( alphanum / "-" ) alphanum): one run per label, no per-byte
// bookkeeping. A host starting with a digit, or whose top label does not
// start with a letter (an IPv4 address or no valid host), is left to
// scan_host, which decides every form; so is an irregular one. Returns what
// scan_host returns: the position after the host with `out` set, or npos.
inline std::size_t scan_uri_host(std::string_view s, std::size_t pos, HostPort& out) noexcept {
  using namespace detail;
  const char* const d = s.data();
  const std::size_t n = s.size();
  if (pos >= n || (uri_class(d[pos]) & kLetter) == 0) return scan_host(s, pos, out);
#if defined(__SSE2__)
  if (n - pos >= 8) {
    if (const std::size_t length = scan_short_hostname(d + pos, n - pos); length != npos) {
      out.kind = HostKind::hostname;
      out.host = std::string_view(d + pos, length);
      return pos + length;
    }
  }
#endif
  std::size_t i = pos;
  std::size_t top = pos;  // the first byte of the last label
  while (true) {
    const std::size_t start = i;
    i = scan_run(d, i, n, kLabel);
    if (i == start) {
      // No label after a '.': the host ends with its one trailing '.',
      // unless a second '.' follows.
      if (i < n && d[i] == '.') return scan_host(s, pos, out);
      break;
    }
    if (d[start] == '-' || d[i - 1] == '-') return scan_host(s, pos, out);
    top = start;
    if (i < n && d[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  if ((uri_class(d[top]) & kLetter) == 0) return scan_host(s, pos, out);
  out.kind = HostKind::hostname;
  out.host = s.substr(pos, i - pos);
  return i;
}

// A SIP or SIPS URI from s[pos]: "sip:" / "sips:" (case-insensitive,
// §19.1.4), [ userinfo "@" ], hostport, *( ";" uri-parameter ). Returns the
// position of the first byte that cannot continue it (the caller decides
// whether the URI may end there) with `uri` filled but for `raw`, or npos
// when undecided: an invalid byte, URI headers ('?') and IPv6 forms other
// than the plain one stop the URI where the caller will not accept its end.
// At most max_params uri-parameters. `uri` is partly written on npos.
//
// No '@' is searched for: a SIP URI has no '@' but the one ending the
// userinfo (as in uri.cpp), the user and password sets hold no '@', and
// neither the host, the port nor the parameters can hold one. So a user run
// that stops at '@' has found the first '@'; one that does not means that no
// '@' is in the URI, or that a part scanned after it will stop before it.
inline std::size_t scan_sip_uri(std::string_view s, std::size_t pos, std::size_t max_params,
                                Uri& uri) noexcept {
  using namespace detail;
  const char* const d = s.data();
  const std::size_t n = s.size();
  if (n - pos < 5) return npos;  // "sip:" and at least one byte of host
  // Only 'S' and 's' give 's' with the case bit set, and so on; the ':' is
  // compared exactly.
  unsigned char head[5];
  std::memcpy(head, d + pos, 5);
  if ((head[0] | 0x20) != 's' || (head[1] | 0x20) != 'i' || (head[2] | 0x20) != 'p') return npos;
  if (head[3] == ':') {
    uri.scheme = UriScheme::sip;
    pos += 4;
  } else if ((head[3] | 0x20) == 's' && head[4] == ':') {
    uri.scheme = UriScheme::sips;
    pos += 5;
  } else {
    return npos;
  }

  // userinfo = user [ ":" password ] "@", user non-empty.
  const std::size_t user_end = scan_escaped(d, pos, n, kUser);
  if (user_end < n) {
    if (d[user_end] == '@') {
      if (user_end == pos) return npos;
      uri.user = s.substr(pos, user_end - pos);
      pos = user_end + 1;
    } else if (d[user_end] == ':') {
      const std::size_t at = scan_escaped(d, user_end + 1, n, kPassword);
      if (at < n && d[at] == '@') {
        if (user_end == pos) return npos;
        uri.user = s.substr(pos, user_end - pos);
        uri.password = s.substr(user_end + 1, at - user_end - 1);
        pos = at + 1;
      }
    }
  }

  pos = pos < n && d[pos] == '[' ? scan_ipv6_reference(s, pos, uri.host_port)
                                 : scan_uri_host(s, pos, uri.host_port);
  if (pos == npos) return npos;
  if (pos < n && d[pos] == ':') {
    std::uint16_t port = 0;
    pos = scan_port(s, pos + 1, port);
    if (pos == npos) return npos;
    uri.host_port.port = port;
  }
  if (pos >= n || d[pos] != ';') return pos;

  // uri-parameters = *( ";" pname [ "=" pvalue ] ), pname / pvalue = 1*paramchar.
  const std::size_t params_start = pos;
  std::size_t count = 0;
  do {
    const std::size_t name = pos + 1;
    pos = scan_escaped(d, name, n, kParam);
    if (pos == name) return npos;
    if (pos < n && d[pos] == '=') {
      const std::size_t value = pos + 1;
      pos = scan_escaped(d, value, n, kParam);
      if (pos == value) return npos;
    }
    if (++count > max_params) return npos;
  } while (pos < n && d[pos] == ';');
  uri.params = ParamList(s.substr(params_start, pos - params_start));
  return pos;
}

// Request-Line = Method SP Request-URI SP SIP-Version (§25.1) in its usual
// form, given the position of its first SP: a token method, a SIP or SIPS
// Request-URI that scan_sip_uri decides, within `limits`, and "SIP/2.0"
// spelled so. The URI is walked in place in the line, so its end is the
// second SP (no part of a SIP URI holds one). Returns that position with
// `uri` filled, raw included, or npos when undecided: `uri` is then partly
// written, and the general reading decides (and words the error).
// `known_method`: the caller has recognised the method as one of the
// methods it knows, all of them tokens, so it needs no scan.
inline std::size_t scan_request_line(std::string_view line, std::size_t first_space,
                                     const UriLimits& limits, Uri& uri,
                                     bool known_method = false) noexcept {
  using namespace detail;
  const char* const d = line.data();
  const std::size_t n = line.size();
  if (first_space == 0 || first_space >= n ||
      (!known_method && scan_run(d, 0, first_space, kTokenChar) != first_space)) {
    return npos;
  }
  const std::size_t uri_start = first_space + 1;
  const std::size_t close = scan_sip_uri(line, uri_start, limits.max_params, uri);
  if (close == npos || n - close != 8 || std::memcmp(d + close, " SIP/2.0", 8) != 0 ||
      close - uri_start > limits.max_length) {
    return npos;
  }
  uri.raw = std::string_view(d + uri_start, close - uri_start);
  return close;
}

}  // namespace sipline::sip::fast

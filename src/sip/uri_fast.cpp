// The one-pass SIP/SIPS URI recogniser behind parse_uri (RFC 3261 §19.1.1,
// §25.1): scheme, userinfo, host, port and uri-parameters validated and
// split in a single left-to-right walk with table-driven character classes.
// It decides only the common forms (no URI headers, IPv6 references only in
// their plain form) and only when they are valid; anything else goes to the general parser in
// uri.cpp, which gives the same verdict and the exact error (see
// host_scan.hpp for why that keeps validation as strict).

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/grammar.hpp"
#include "sip/host_scan.hpp"
#include "sip/uri.hpp"

namespace sipline::sip::grammar {
namespace {

// RFC 3261 §25.1, one bit per set; '%' is in none (escapes are checked
// apart), and the sets are those uri.cpp validates with.
enum UriChar : std::uint8_t {
  kUser = 1 << 0,      // unreserved / user-unreserved (& = + $ , ; ? /)
  kPassword = 1 << 1,  // unreserved / & = + $ ,
  kParam = 1 << 2,     // unreserved / param-unreserved ([ ] / : & + $)
  kHex = 1 << 3,
};

constexpr std::array<std::uint8_t, 256> make_uri_chars() {
  std::array<std::uint8_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint8_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  constexpr std::string_view unreserved =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.!~*'()";
  add(unreserved, kUser | kPassword | kParam);
  add("&=+$,;?/", kUser);
  add("&=+$,", kPassword);
  add("[]/:&+$", kParam);
  add("0123456789abcdefABCDEF", kHex);
  return t;
}
constexpr std::array<std::uint8_t, 256> kUriChars = make_uri_chars();

// End of the run of `cls` characters and complete "%" HEXDIG HEXDIG escapes
// in d[pos, end).
std::size_t scan_escaped(const char* d, std::size_t pos, std::size_t end,
                         std::uint8_t cls) noexcept {
  while (pos < end) {
    const std::uint8_t k = kUriChars[static_cast<unsigned char>(d[pos])];
    if ((k & cls) != 0) {
      ++pos;
    } else if (d[pos] == '%' && end - pos >= 3 &&
               (kUriChars[static_cast<unsigned char>(d[pos + 1])] & kHex) != 0 &&
               (kUriChars[static_cast<unsigned char>(d[pos + 2])] & kHex) != 0) {
      pos += 3;
    } else {
      break;
    }
  }
  return pos;
}

constexpr bool letter_is(char c, char lower) noexcept {
  return static_cast<char>(c | 0x20) == lower;  // only `lower` and its capital map there
}

}  // namespace

bool parse_sip_uri_fast(std::string_view text, const UriLimits& limits, Uri& uri) noexcept {
  if (text.size() > limits.max_length) return false;
  const char* const d = text.data();
  const std::size_t n = text.size();
  // "sip:" / "sips:" (the scheme is case-insensitive, §19.1.4).
  if (n < 5 || !letter_is(d[0], 's') || !letter_is(d[1], 'i') || !letter_is(d[2], 'p')) {
    return false;
  }
  std::size_t pos = 0;
  if (d[3] == ':') {
    uri.scheme = UriScheme::sip;
    pos = 4;
  } else if (letter_is(d[3], 's') && d[4] == ':') {
    uri.scheme = UriScheme::sips;
    pos = 5;
  } else {
    return false;
  }

  // userinfo = user [ ":" password ] "@": '@' occurs in no other part of a
  // SIP URI, so the first one ends the userinfo (as in uri.cpp).
  if (const void* found = std::memchr(d + pos, '@', n - pos)) {
    const auto at = static_cast<std::size_t>(static_cast<const char*>(found) - d);
    const std::size_t user_end = scan_escaped(d, pos, at, kUser);
    if (user_end == pos) return false;
    uri.user = text.substr(pos, user_end - pos);
    if (user_end < at) {
      if (d[user_end] != ':') return false;
      if (scan_escaped(d, user_end + 1, at, kPassword) != at) return false;
      uri.password = text.substr(user_end + 1, at - user_end - 1);
    }
    pos = at + 1;
  }

  // hostport, then only ';' parameters or the end.
  pos = pos < n && d[pos] == '[' ? fast::scan_ipv6_reference(text, pos, uri.host_port)
                                 : fast::scan_host(text, pos, uri.host_port);
  if (pos == fast::npos) return false;
  if (pos < n && d[pos] == ':') {
    std::uint16_t port = 0;
    pos = fast::scan_port(text, pos + 1, port);
    if (pos == fast::npos) return false;
    uri.host_port.port = port;
  }
  if (pos == n) {
    uri.raw = text;
    return true;
  }
  if (d[pos] != ';') return false;

  // uri-parameters = *( ";" pname [ "=" pvalue ] ), pname/pvalue = 1*paramchar.
  const std::size_t params_start = pos;
  std::size_t count = 0;
  while (pos < n) {
    if (d[pos] != ';') return false;  // '?' (URI headers) or an invalid byte
    const std::size_t name = pos + 1;
    pos = scan_escaped(d, name, n, kParam);
    if (pos == name) return false;
    if (pos < n && d[pos] == '=') {
      const std::size_t value = pos + 1;
      pos = scan_escaped(d, value, n, kParam);
      if (pos == value) return false;
    }
    if (++count > limits.max_params) return false;
  }
  uri.params = ParamList(text.substr(params_start));
  uri.raw = text;
  return true;
}

}  // namespace sipline::sip::grammar

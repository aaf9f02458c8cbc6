// The one-pass Via recogniser in front of the general via-parm parser
// (RFC 3261 §20.42, §25.1 via-parm, with rport from RFC 3581 and keep from
// RFC 6223). It decides only the form nearly every Via takes,
//
//   SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK776asdhds;rport
//
// and only when it is valid; LWS anywhere but before a ',' or at the end,
// quoted values, IPv4-in-IPv6 addresses, limits reached and invalid bytes
// are left to via.cpp, which gives the same verdict and the exact error (see
// host_scan.hpp for why that keeps validation as strict). The general
// parser's per-parameter callbacks and repeated LWS skips are what this
// saves.

#include "sip/via_fast.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/host_scan.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip::grammar {
namespace {

// s.substr(begin, end - begin) for positions known to be inside s, without
// substr's range check.
std::string_view slice(std::string_view s, std::size_t begin, std::size_t end) noexcept {
  return {s.data() + begin, end - begin};
}

constexpr bool letter_is(char c, char lower) noexcept {
  return static_cast<char>(c | 0x20) == lower;  // only `lower` and its capital map there
}

// True when the bytes at d are `word` (lower-case letters only, at most 8)
// in any case: one load and compare instead of a loop. OR-ing 0x20 into each
// byte maps a letter onto its lower case and no other byte onto a letter;
// the zero bytes past the word become 0x20 on both sides.
template <std::size_t N>
bool name_is(const char* d, const char (&word)[N]) noexcept {
  static_assert(N >= 2 && N <= 9);
  constexpr std::uint64_t kCaseBits = 0x2020202020202020ULL;
  std::uint64_t got = 0;
  std::uint64_t want = 0;
  std::memcpy(&got, d, N - 1);
  std::memcpy(&want, word, N - 1);
  return (got | kCaseBits) == (want | kCaseBits);
}

// True when the eight bytes in w (as loaded from memory) begin with
// `word`: lower-case letters in any case, then one delimiter byte exactly.
template <std::size_t N>
bool word_at(std::uint64_t w, const char (&word)[N]) noexcept {
  static_assert(N >= 3 && N <= 9);
  std::array<char, 8> want{};
  std::array<char, 8> case_bits{};
  std::array<char, 8> keep{};
  for (std::size_t k = 0; k + 1 < N; ++k) {
    want[k] = word[k];
    keep[k] = static_cast<char>(0xFF);
    if (k + 2 < N) case_bits[k] = 0x20;
  }
  std::uint64_t want_bits = 0;
  std::uint64_t case_mask = 0;
  std::uint64_t keep_mask = 0;
  std::memcpy(&want_bits, want.data(), 8);
  std::memcpy(&case_mask, case_bits.data(), 8);
  std::memcpy(&keep_mask, keep.data(), 8);
  return ((w | case_mask) & keep_mask) == want_bits;
}

// The via-params this layer interprets.
enum class Known : std::uint8_t { other, branch, received, rport, maddr, ttl, keep };

// The end of the parameter name at d[name] when it is one of the usual
// ones followed by its usual delimiter (then the token ends there, as none
// of '=' and ';' is a token character), with `known` set; npos otherwise.
std::size_t usual_name_end(const char* d, std::size_t name, std::size_t n, Known& known) noexcept {
  if (n - name < 9) {
    // ";rport" often ends the field.
    if (n - name == 5 && name_is(d + name, "rport")) {
      known = Known::rport;
      return n;
    }
    return std::string_view::npos;
  }
  std::uint64_t w = 0;
  std::memcpy(&w, d + name, 8);
  if (word_at(w, "branch=")) {
    known = Known::branch;
    return name + 6;
  }
  if (word_at(w, "rport;") || word_at(w, "rport=")) {
    known = Known::rport;
    return name + 5;
  }
  if (name_is(d + name, "received") && d[name + 8] == '=') {
    known = Known::received;
    return name + 8;
  }
  return std::string_view::npos;
}

// Which of them the name d[name, name_end) is, in any case.
Known classify(const char* d, std::size_t name, std::size_t name_end) noexcept {
  switch (name_end - name) {
    case 6:
      return name_is(d + name, "branch") ? Known::branch : Known::other;
    case 8:
      return name_is(d + name, "received") ? Known::received : Known::other;
    case 5:
      return name_is(d + name, "rport")   ? Known::rport
             : name_is(d + name, "maddr") ? Known::maddr
                                          : Known::other;
    case 3:
      return name_is(d + name, "ttl") ? Known::ttl : Known::other;
    case 4:
      return name_is(d + name, "keep") ? Known::keep : Known::other;
    default:
      return Known::other;
  }
}

// 1*DIGIT of at most `max_digits` digits at [begin, end): its value, or -1.
std::int64_t small_number(const char* d, std::size_t begin, std::size_t end,
                          std::size_t max_digits) noexcept {
  if (end == begin || end - begin > max_digits) return -1;
  std::int64_t value = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const unsigned digit = static_cast<unsigned>(static_cast<unsigned char>(d[i])) - '0';
    if (digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

enum Seen : std::uint8_t {
  kBranch = 1,
  kReceived = 2,
  kRport = 4,
  kMaddr = 8,
  kTtl = 16,
  kKeep = 32,
};

// First sight of a parameter the Via interprets; a repeated one is an error
// the general path words.
bool first(std::uint8_t& seen, std::uint8_t bit) noexcept {
  const bool fresh = (seen & bit) == 0;
  seen = static_cast<std::uint8_t>(seen | bit);
  return fresh;
}

// The via-params this layer interprets (via.cpp's apply_param), for values
// that are valid in their usual form; false when the general path must
// decide. `value` is empty, and `token_value` false, without "=value".
bool apply_param(std::string_view s, Known known, std::size_t value, std::size_t value_end,
                 bool token_value, Via& via, std::uint8_t& seen) noexcept {
  const char* const d = s.data();
  const bool has_value = value_end > value;
  switch (known) {
    case Known::branch:
      // branch = token (§20.42).
      if (!first(seen, kBranch) || !token_value) return false;
      via.branch = slice(s, value, value_end);
      return true;
    case Known::received: {
      // received = IPv4address / IPv6address: the IPv4 address here, the
      // rest in via.cpp.
      if (!first(seen, kReceived) || !has_value) return false;
      HostPort address;
      if (fast::scan_host(s, value, address) != value_end || address.kind != HostKind::ipv4) {
        return false;
      }
      via.received = slice(s, value, value_end);
      return true;
    }
    case Known::rport:
      // response-port = "rport" [ EQUAL 1*DIGIT ] (RFC 3581 §4), 1-65535.
      if (!first(seen, kRport)) return false;
      via.rport = true;
      if (has_value) {
        std::uint16_t port = 0;
        if (fast::scan_port(s, value, port) != value_end) return false;
        via.rport_value = port;
      }
      return true;
    case Known::maddr: {
      // maddr = host (§20.42), without a port.
      if (!first(seen, kMaddr) || !has_value) return false;
      HostPort host;
      const std::size_t end = d[value] == '[' ? fast::scan_ipv6_reference(s, value, host)
                                              : fast::scan_host(s, value, host);
      if (end != value_end) return false;
      via.maddr = slice(s, value, value_end);
      return true;
    }
    case Known::ttl: {
      // ttl = 1*3DIGIT ; 0 to 255
      if (!first(seen, kTtl)) return false;
      const std::int64_t ttl = small_number(d, value, value_end, 3);
      if (ttl < 0 || ttl > 255) return false;
      via.ttl = static_cast<std::uint8_t>(ttl);
      return true;
    }
    case Known::keep:
      // keep = "keep" [ EQUAL 1*DIGIT ] (RFC 6223 §6); nine digits always
      // fit in 32 bits, longer values go to via.cpp.
      if (!first(seen, kKeep)) return false;
      via.keep = true;
      if (has_value) {
        const std::int64_t seconds = small_number(d, value, value_end, 9);
        if (seconds < 0) return false;
        via.keep_value = static_cast<std::uint32_t>(seconds);
      }
      return true;
    case Known::other:
      break;
  }
  return true;
}

// True when d[at] ends a parameter value: the end, ';', ',' or the LWS
// before a ','. None of them is a token or param-value character, so the
// general scan of the value stops there too.
bool ends_value(const char* d, std::size_t at, std::size_t n) noexcept {
  if (at == n) return true;
  const char c = d[at];
  return c == ';' || c == ',' || c == ' ' || c == '\t' || c == '\r';
}

// An rport port or a received IPv4 address from d[value], validated and
// stored in the one walk that also finds its end, when that end is one
// ends_value accepts: the result apply_param would give for the value the
// general scan cuts there. True with `end` set when it did; false when the
// general route must run (nothing is then written).
bool known_value(std::string_view s, Known known, std::size_t value, Via& via, std::uint8_t& seen,
                 std::size_t& end) noexcept {
  const char* const d = s.data();
  if (known == Known::rport) {
    std::uint16_t port = 0;
    const std::size_t e = fast::scan_port(s, value, port);
    if (e == fast::npos || !ends_value(d, e, s.size()) || (seen & kRport) != 0) return false;
    seen = static_cast<std::uint8_t>(seen | kRport);
    via.rport = true;
    via.rport_value = port;
    end = e;
    return true;
  }
  if (known == Known::received) {
    HostPort address;
    const std::size_t e = fast::scan_host(s, value, address);
    if (e == fast::npos || address.kind != HostKind::ipv4 || !ends_value(d, e, s.size()) ||
        (seen & kReceived) != 0) {
      return false;
    }
    seen = static_cast<std::uint8_t>(seen | kReceived);
    via.received = slice(s, value, e);
    end = e;
    return true;
  }
  return false;
}

}  // namespace

bool parse_via_fast(std::string_view s, std::size_t& pos, const UriLimits& limits,
                    Via& via) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  const std::size_t start = scan::skip_lws(s, pos);

  // sent-protocol: "SIP/2.0/" (case-insensitive, §7.1) and the transport
  // token, then the one SP before sent-by.
  if (n - start < 11 || !letter_is(d[start], 's') || !letter_is(d[start + 1], 'i') ||
      !letter_is(d[start + 2], 'p') || std::memcmp(d + start + 3, "/2.0/", 5) != 0) {
    return false;
  }
  // Three letters and the SP (UDP, TCP, TLS) end the token without a scan.
  auto letter = [d](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(d[k] | 0x20)) - 'a' < 26;
  };
  std::size_t transport_end = start + 11;
  if (n - start <= 12 || d[transport_end] != ' ' || !letter(start + 8) || !letter(start + 9) ||
      !letter(start + 10)) {
    transport_end = scan::scan_token(s, start + 8);
  }
  if (transport_end == start + 8 || transport_end >= n - 1 || d[transport_end] != ' ') {
    return false;
  }
  via.protocol_name = slice(s, start, start + 3);
  via.version = slice(s, start + 4, start + 7);
  via.transport = slice(s, start + 8, transport_end);

  // sent-by = host [ COLON port ]. The byte after it must be ';', ',', LWS
  // or the end: none of them continues a token, so the host is all of the
  // token the general path would cut.
  std::size_t i = transport_end + 1;
  i = d[i] == '[' ? fast::scan_ipv6_reference(s, i, via.sent_by)
                  : fast::scan_host(s, i, via.sent_by);
  if (i == fast::npos) return false;
  if (i < n && d[i] == ':') {
    std::uint16_t port = 0;
    i = fast::scan_port(s, i + 1, port);
    if (i == fast::npos) return false;
    via.sent_by.port = port;
  }

  // *( SEMI via-params ), each value a token or, for received and maddr,
  // a host (gen-value, §25.1), scanned as scan_header_params does.
  const std::size_t params_start = i;
  std::size_t count = 0;
  std::uint8_t seen = 0;
  while (i < n && d[i] == ';') {
    if (++count > limits.max_params) return false;
    const std::size_t name = i + 1;
    Known known = Known::other;
    std::size_t name_end = usual_name_end(d, name, n, known);
    if (name_end == std::string_view::npos) {
      name_end = scan::scan_token(s, name);
      if (name_end == name) return false;
      known = classify(d, name, name_end);
    }
    if (name_end < n && d[name_end] == '=' && known_value(s, known, name_end + 1, via, seen, i)) {
      continue;
    }
    std::size_t value = name_end;
    std::size_t value_end = name_end;
    bool token_value = false;
    if (name_end < n && d[name_end] == '=') {
      value = name_end + 1;
      value_end = scan::scan_token(s, value);
      token_value = value_end > value;
      if (value_end < n && scan::in_class(d[value_end], scan::kParamValue)) {
        value_end = scan::scan_class(s, value_end, scan::kParamValue);
        token_value = false;
      }
      if (value_end == value) return false;  // a quoted or missing value
    }
    if (!apply_param(s, known, value, value_end, token_value, via, seen)) return false;
    i = value_end;
  }

  // The end of the via-parm: the end of the value or a ',', possibly after
  // LWS, which `raw` leaves out.
  const std::size_t end = i;
  if (i < n && d[i] != ',') {
    if (!scan::is_wsp(d[i]) && d[i] != '\r') return false;
    i = scan::skip_lws(s, i);
    if (i < n && d[i] != ',') return false;
  }
  via.raw = slice(s, start, end);
  if (params_start < end) via.params = ParamList(slice(s, params_start, end));
  pos = i;
  return true;
}

}  // namespace sipline::sip::grammar

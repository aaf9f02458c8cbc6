// Via (RFC 3261 §20.42, §25.1 via-parm) with rport (RFC 3581), IPv6
// addresses (RFC 5118) and keep (RFC 6223).

#include <array>
#include <cstdint>
#include <string_view>

#include "sip/grammar.hpp"
#include "sip/host_scan.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"
#include "sip/via_fast.hpp"

namespace sipline::sip {
namespace grammar {
namespace {

using scan::npos;

// sent-protocol = protocol-name SLASH protocol-version SLASH transport, where
// SLASH = SWS "/" SWS. Leaves pos after the transport token.
Fault parse_sent_protocol(std::string_view s, std::size_t& pos, Via& via) {
  std::string_view* parts[] = {&via.protocol_name, &via.version, &via.transport};
  for (std::size_t i = 0; i < 3; ++i) {
    if (i > 0) {
      pos = scan::skip_lws(s, pos);
      if (pos >= s.size() || s[pos] != '/') return malformed("expected '/' in sent-protocol");
      pos = scan::skip_lws(s, pos + 1);
    }
    const std::size_t end = scan::scan_token(s, pos);
    if (end == pos) return malformed("invalid sent-protocol");
    *parts[i] = s.substr(pos, end - pos);
    pos = end;
  }
  return {};
}

// port = 1*DIGIT in 1-65535.
Fault parse_port(std::string_view digits, std::uint16_t& out) {
  std::uint64_t value = 0;
  switch (scan::parse_decimal(digits, 65535, value)) {
    case scan::NumberStatus::malformed:
      return malformed("port is not a number");
    case scan::NumberStatus::too_large:
      return {Errc::out_of_range, "port above 65535"};
    case scan::NumberStatus::ok:
      break;
  }
  if (value == 0) return {Errc::out_of_range, "port 0"};
  out = static_cast<std::uint16_t>(value);
  return {};
}

// received = IPv4address / IPv6address (§20.42; RFC 5118 §4.5 writes the
// IPv6 address bare). A bracketed IPv6 reference is accepted too.
bool valid_received(std::string_view value) {
  if (value.empty()) return false;
  HostPort fast_host;
  if (fast::scan_host(value, 0, fast_host) == value.size() && fast_host.kind == HostKind::ipv4) {
    return true;  // the usual IPv4 address, in one walk (host_scan.hpp)
  }
  if (value.front() == '[') {
    auto hp = parse_host_port(value);
    return hp && hp->kind == HostKind::ipv6 && !hp->port;
  }
  if (value.find(':') == npos) {
    auto hp = parse_host_port(value);
    return hp && hp->kind == HostKind::ipv4;
  }
  // parse_host_port wants IPv6 in brackets: add them on the stack.
  std::array<char, 64> buffer{};
  if (value.size() + 2 > buffer.size()) return false;
  buffer[0] = '[';
  value.copy(buffer.data() + 1, value.size());
  buffer[value.size() + 1] = ']';
  auto hp = parse_host_port(std::string_view(buffer.data(), value.size() + 2));
  return hp && hp->kind == HostKind::ipv6 && !hp->port;
}

// The via-params this layer interprets; others are only kept in `params`.
Fault apply_param(const ScannedParam& p, Via& via, std::uint8_t& seen) {
  enum : std::uint8_t { kBranch = 1, kReceived = 2, kRport = 4, kMaddr = 8, kTtl = 16, kKeep = 32 };
  auto once = [&seen](std::uint8_t bit) {
    const bool first = (seen & bit) == 0;
    seen = static_cast<std::uint8_t>(seen | bit);
    return first;
  };
  const std::string_view n = p.name;
  switch (n.size()) {
    case 6:
      if (!scan::iequals(n, "branch")) break;
      if (!once(kBranch)) return malformed("duplicate branch parameter");
      // branch = token (§20.42); RFC 2543 peers omit it altogether.
      if (!p.token_value) return malformed("invalid branch");
      via.branch = p.value;
      break;
    case 8:
      if (!scan::iequals(n, "received")) break;
      if (!once(kReceived)) return malformed("duplicate received parameter");
      if (!p.has_value || !valid_received(p.value)) return malformed("invalid received address");
      via.received = p.value;
      break;
    case 5:
      if (scan::iequals(n, "rport")) {
        // response-port = "rport" [ EQUAL 1*DIGIT ] (RFC 3581 §4).
        if (!once(kRport)) return malformed("duplicate rport parameter");
        via.rport = true;
        if (p.has_value) {
          std::uint16_t port = 0;
          // The usual valid port in one walk; parse_port words the errors.
          if (fast::scan_port(p.value, 0, port) != p.value.size()) {
            if (Fault f = parse_port(p.value, port)) {
              return {f.code,
                      f.code == Errc::malformed ? "rport is not a number" : "rport out of range"};
            }
          }
          via.rport_value = port;
        }
      } else if (scan::iequals(n, "maddr")) {
        if (!once(kMaddr)) return malformed("duplicate maddr parameter");
        if (!p.has_value || p.quoted) return malformed("invalid maddr");
        auto hp = parse_host_port(p.value);
        if (!hp || hp->port) return malformed("invalid maddr");
        via.maddr = p.value;
      }
      break;
    case 3:
      if (!scan::iequals(n, "ttl")) break;
      if (!once(kTtl)) return malformed("duplicate ttl parameter");
      {
        // ttl = 1*3DIGIT ; 0 to 255
        std::uint64_t ttl = 0;
        if (!p.has_value || p.value.size() > 3) return malformed("ttl is not 1 to 3 digits");
        switch (scan::parse_decimal(p.value, 255, ttl)) {
          case scan::NumberStatus::malformed:
            return malformed("ttl is not a number");
          case scan::NumberStatus::too_large:
            return {Errc::out_of_range, "ttl exceeds 255"};
          case scan::NumberStatus::ok:
            break;
        }
        via.ttl = static_cast<std::uint8_t>(ttl);
      }
      break;
    case 4:
      if (!scan::iequals(n, "keep")) break;
      // keep = "keep" [ EQUAL 1*DIGIT ] (RFC 6223 §6).
      if (!once(kKeep)) return malformed("duplicate keep parameter");
      via.keep = true;
      if (p.has_value) {
        std::uint64_t seconds = 0;
        switch (scan::parse_decimal(p.value, UINT32_MAX, seconds)) {
          case scan::NumberStatus::malformed:
            return malformed("keep is not a number");
          case scan::NumberStatus::too_large:
            return {Errc::out_of_range, "keep exceeds 2^32-1"};
          case scan::NumberStatus::ok:
            break;
        }
        via.keep_value = static_cast<std::uint32_t>(seconds);
      }
      break;
    default:
      break;
  }
  return {};
}

}  // namespace

Result<void> parse_via_into(std::string_view s, std::size_t& pos, const UriLimits& limits,
                            Via& via) {
  // The usual form in one walk (via_fast.cpp); everything else, and every
  // error, below.
  if (parse_via_fast(s, pos, limits, via)) return ok();
  via = Via{};
  return parse_via_general(s, pos, limits, via);
}

Result<void> parse_via_general(std::string_view s, std::size_t& pos, const UriLimits& limits,
                               Via& via) {
  pos = scan::skip_lws(s, pos);
  const std::size_t start = pos;
  if (pos >= s.size() || s[pos] == ',') return fail(Errc::missing, "empty value");
  // Nearly every Via starts "SIP/2.0/": take that without the general path.
  if (s.size() - pos > 8 && scan::iequals(s.substr(pos, 8), "SIP/2.0/") &&
      scan::is_token_char(s[pos + 8])) {
    via.protocol_name = s.substr(pos, 3);
    via.version = s.substr(pos + 4, 3);
    const std::size_t end = scan::scan_token(s, pos + 8);
    via.transport = s.substr(pos + 8, end - pos - 8);
    pos = end;
  } else if (Fault f = parse_sent_protocol(s, pos, via)) {
    return Error{f.code, f.reason};
  }

  // sent-by = host [ COLON port ], after at least one LWS.
  const std::size_t host_start = scan::skip_lws(s, pos);
  if (host_start == pos) return fail(Errc::malformed, "expected whitespace before sent-by");
  pos = host_start;
  // The common cases, a host name or IPv4 address that ends where the token
  // would, or a plain IPv6 reference, are validated in one walk
  // (host_scan.hpp); anything else goes to the general host parser.
  const bool reference = pos < s.size() && s[pos] == '[';
  const std::size_t host_end = reference ? fast::scan_ipv6_reference(s, pos, via.sent_by)
                                         : fast::scan_host(s, pos, via.sent_by);
  if (host_end != fast::npos &&
      (reference || host_end == s.size() || !scan::is_token_char(s[host_end]))) {
    pos = host_end;
  } else {
    if (pos < s.size() && s[pos] == '[') {
      const std::size_t close = s.find(']', pos);
      if (close == npos) return fail(Errc::malformed, "sent-by: unterminated IPv6 reference");
      pos = close + 1;
    } else {
      pos = scan::scan_token(s, pos);
    }
    auto host = parse_host_port(s.substr(host_start, pos - host_start));
    if (!host) return fail(host.error().code, "sent-by: " + host.error().message);
    via.sent_by = *host;
  }
  const std::size_t after = scan::skip_lws(s, pos);
  if (after < s.size() && s[after] == ':') {
    const std::size_t digits = scan::skip_lws(s, after + 1);
    std::uint16_t port = 0;
    pos = fast::scan_port(s, digits, port);
    if (pos == fast::npos) {  // not 1-65535: the general path words the error
      pos = scan::scan_digits(s, digits);
      if (Fault f = parse_port(s.substr(digits, pos - digits), port)) {
        return fail(f.code, std::string("sent-by: ") + f.reason);
      }
    }
    via.sent_by.port = port;
  }

  std::uint8_t seen = 0;
  const std::size_t params_start = scan::skip_lws(s, pos);
  pos = params_start;
  if (Fault f = scan_header_params(
          s, pos, true, limits.max_params,
          [&via, &seen](const ScannedParam& p) { return apply_param(p, via, seen); })) {
    return Error{f.code, f.reason};
  }
  std::size_t end = pos;
  while (end > start && (scan::is_wsp(s[end - 1]) || s[end - 1] == '\r' || s[end - 1] == '\n')) {
    --end;
  }
  via.raw = s.substr(start, end - start);
  if (params_start < end) via.params = ParamList(s.substr(params_start, end - params_start));
  return ok();
}

}  // namespace grammar

Result<Via> parse_via(std::string_view value) {
  std::size_t pos = 0;
  Via via;
  auto parsed = grammar::parse_via_into(value, pos, UriLimits{}, via);
  if (!parsed) return grammar::error_in("Via", parsed.error());
  if (pos < value.size()) return fail(Errc::malformed, "Via: more than one via-parm");
  return via;
}

}  // namespace sipline::sip

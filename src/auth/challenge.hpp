#pragma once
// Digest challenges: the value of one WWW-Authenticate or Proxy-Authenticate
// header field (RFC 3261 §20.44/§20.27 and §25.1, RFC 7616 §3.3, RFC 8760).
// SIP carries one challenge per header field value; several challenges come
// as several fields.

#include <cstdint>
#include <optional>
#include <string_view>

#include "auth/algorithm.hpp"
#include "auth/auth_params.hpp"
#include "common/result.hpp"

namespace sipline::auth {

enum class Qop : std::uint8_t {
  none,  // RFC 2069 compatibility: no qop, no cnonce, no nc
  auth,
  auth_int,  // HA2 covers H(entity-body)
};

std::string_view to_string(Qop qop) noexcept;

// The qop values a challenge offers (RFC 7616 §3.3 qop-options).
struct QopOffer {
  bool present = false;  // the challenge had a qop parameter
  bool auth = false;
  bool auth_int = false;
  bool others = false;  // tokens we do not know, ignored
};

// A parsed Digest challenge. String fields are raw views into the header
// value (quoted-pairs not yet removed; pass them through unquote()).
struct Challenge {
  std::string_view realm;
  std::string_view nonce;
  std::optional<std::string_view> opaque;
  std::optional<std::string_view> domain;
  std::optional<std::string_view> charset;

  // The algorithm token as written; empty when the parameter was absent,
  // which means MD5 (RFC 7616 §3.3).
  std::string_view algorithm_token;
  // nullopt when the token names an algorithm we do not implement.
  std::optional<Algorithm> algorithm = Algorithm::md5;

  QopOffer qop;
  bool stale = false;     // RFC 7616 §3.3: only "true" (any case) is true
  bool userhash = false;  // RFC 7616 §3.4.4
};

// Parses one challenge value. Errors:
//   unsupported     - a scheme other than Digest (Basic, Bearer, ...)
//   missing         - a Digest challenge without realm or nonce
//   malformed       - grammar, duplicate parameter
//   limit_exceeded  - AuthLimits
// Unknown parameters are ignored; an unknown algorithm is not an error here
// (Challenge::algorithm is nullopt) so the caller can pick another challenge.
Result<Challenge> parse_challenge(std::string_view value, const AuthLimits& limits = {});

// The qop the client answers with, from what the challenge offers: "auth"
// whenever offered (it survives intermediaries that rewrite bodies, and SIP
// registrars rarely need body integrity), "auth-int" when it is the only
// option, none when the challenge has no qop. nullopt when a qop parameter
// lists only values we do not support.
std::optional<Qop> choose_qop(const QopOffer& offer) noexcept;

}  // namespace sipline::auth

#pragma once
// The Digest computation (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 3261 §22.4):
//
//   HA1      = H(username ":" realm ":" password)
//   HA1-sess = H(HA1 ":" nonce ":" cnonce)                   (-sess algorithms)
//   HA2      = H(method ":" digest-uri)                      (qop auth / none)
//   HA2      = H(method ":" digest-uri ":" H(entity-body))   (qop auth-int)
//   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
//   response = H(HA1 ":" nonce ":" HA2)                      (no qop, RFC 2069)
//
// All inputs are unquoted values. Outputs are HexDigest (fixed size by
// algorithm).

#include <array>
#include <cstdint>
#include <string_view>

#include "auth/algorithm.hpp"
#include "auth/challenge.hpp"
#include "common/result.hpp"

namespace sipline::auth {

struct DigestInput {
  Algorithm algorithm = Algorithm::md5;
  Qop qop = Qop::auth;
  std::string_view username;  // the plain user name, also when userhash is used
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;  // unused with Qop::none
  std::uint32_t nc = 1;     // unused with Qop::none
  std::string_view method;
  std::string_view digest_uri;
  std::string_view body;  // hashed only with Qop::auth_int
};

// HA1, including the -sess step. A -sess algorithm needs a cnonce, which only
// exists with a qop, so a -sess algorithm with Qop::none is rejected
// (unsupported) rather than producing a response no server can check.
Result<HexDigest> compute_ha1(const DigestInput& in);

Result<HexDigest> compute_ha2(const DigestInput& in);

// The request-digest for the response parameter.
Result<HexDigest> compute_response(const DigestInput& in);

// RFC 7616 §3.4.4: the username sent when the challenge asks for userhash.
Result<HexDigest> hash_username(Algorithm a, std::string_view username, std::string_view realm);

// nc as exactly 8 lowercase hex digits (RFC 7616 §3.4: nc-value = 8LHEX).
std::array<char, 8> format_nc(std::uint32_t nc) noexcept;

}  // namespace sipline::auth

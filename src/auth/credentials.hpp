#pragma once
// Digest credentials: the value of an Authorization or Proxy-Authorization
// header field (RFC 3261 §20.7/§20.28 and §25.1 dig-resp, RFC 7616 §3.4).
// The client writes them with format_authorization(); the parser exists for
// round-trip tests, diagnostics and fuzzing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/algorithm.hpp"
#include "auth/auth_params.hpp"
#include "auth/challenge.hpp"
#include "common/result.hpp"

namespace sipline::auth {

// Parsed credentials; string fields are raw views (see unquote()).
struct Credentials {
  std::string_view username;                     // hashed when userhash is true
  std::optional<std::string_view> username_ext;  // RFC 7616 username* (ext-value), raw
  std::string_view realm;
  std::string_view nonce;
  std::string_view uri;
  std::string_view response;  // hex, length checked for known algorithms
  std::optional<std::string_view> cnonce;
  std::optional<std::string_view> opaque;
  std::string_view algorithm_token;  // empty when absent (MD5)
  std::optional<Algorithm> algorithm = Algorithm::md5;
  Qop qop = Qop::none;
  std::optional<std::uint32_t> nc;
  bool userhash = false;
};

// Errors: unsupported (scheme, qop value), missing (username, realm, nonce,
// uri, response; cnonce and nc when qop is present), malformed (grammar,
// duplicates, nc not 8 hex digits, response not hex of the algorithm's size,
// both username and username*), limit_exceeded.
Result<Credentials> parse_credentials(std::string_view value, const AuthLimits& limits = {});

// What the client sends; all strings unquoted (escaping happens here).
struct AuthorizationFields {
  std::string_view username;  // already hashed when userhash is true
  std::string_view realm;
  std::string_view nonce;
  std::string_view digest_uri;
  std::string_view response;
  std::optional<Algorithm> algorithm;  // written only when set
  std::optional<std::string_view> opaque;
  Qop qop = Qop::none;
  std::string_view cnonce;  // written with a qop
  std::uint32_t nc = 1;     // written with a qop
  bool userhash = false;
};

// "Digest username=..., realm=..., nonce=..., uri=..., response=...,
// algorithm=..., cnonce=..., opaque=..., qop=..., nc=..., userhash=true",
// the order of the RFC 3261 §22.4 example. qop, nc and algorithm are tokens
// (RFC 7616 §3.4 forbids quoting them). Fails (malformed) when a string holds
// CR or LF, which a quoted-string cannot carry: nothing the caller passes
// can inject a header line.
Result<std::string> format_authorization(const AuthorizationFields& fields);

}  // namespace sipline::auth

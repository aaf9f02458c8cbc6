#pragma once
// The client side of SIP Digest (RFC 3261 §22, RFC 7616, RFC 8760): turns the
// challenges of a 401/407 into Authorization / Proxy-Authorization values and
// keeps, per protection space (header kind + realm), the nonce, nonce count
// and cnonce needed to answer again or to authenticate the next request
// pre-emptively.
//
// One DigestClient serves one registration binding or one dialog: RFC 3261
// §22.3 limits re-use of a proxy's challenge to the Call-ID it came with.
//
// Choice among several challenges for one realm: the strongest algorithm
// (SHA-512-256 > SHA-256 > MD5, a -sess variant just below its plain form),
// then the better qop (auth > auth-int > none, see choose_qop()), then the
// topmost. RFC 8760 §2.4 asks for the topmost supported challenge "unless a
// local policy dictates otherwise"; ranking by strength is that policy,
// because challenges are not integrity-protected and an on-path attacker
// could otherwise move MD5 to the top (RFC 8760 §3).
//
// Loop protection, so that the registration layer can stop instead of
// re-sending forever:
//  - the same realm challenging again with a nonce we already answered, and
//    without stale=true, means the server refused our response: the password
//    is wrong (auth_rejected);
//  - stale=true (RFC 7616 §3.3) means only the nonce expired: answer again
//    with the new nonce, nc restarting at 1;
//  - every answer counts towards max_attempts per protection space until the
//    caller reports success with on_accepted(); beyond it, auth_rejected. This
//    catches servers that send a fresh nonce, or stale=true, every time.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/algorithm.hpp"
#include "auth/auth_params.hpp"
#include "auth/challenge.hpp"
#include "auth/credential_set.hpp"
#include "common/result.hpp"

namespace sipline::auth {

// How respond() and authorize() report outcomes through the common Errc.
inline constexpr Errc auth_rejected = Errc::invalid_state;  // the server refused our answer
inline constexpr Errc no_credentials = Errc::not_found;     // nothing configured for a realm
// Errc::unsupported: no challenge with a scheme, algorithm and qop we implement.
// Errc::malformed / missing / limit_exceeded: no challenge could be parsed.

enum class ChallengeOrigin : std::uint8_t {
  www_authenticate,    // from a 401; answered in Authorization
  proxy_authenticate,  // from a 407; answered in Proxy-Authorization
};

struct ChallengeValue {
  ChallengeOrigin origin = ChallengeOrigin::www_authenticate;
  std::string_view value;  // one header field value
};

// The request being (re)sent.
struct Request {
  std::string_view method;      // "REGISTER"
  std::string_view digest_uri;  // the Request-URI, as sent
  std::string_view body;        // hashed for qop=auth-int
};

struct AuthorizationHeader {
  ChallengeOrigin origin = ChallengeOrigin::www_authenticate;
  std::string realm;  // unquoted; peer text, render with printable() in logs
  std::string value;  // "Digest username=..."

  std::string_view header_name() const noexcept {
    return origin == ChallengeOrigin::www_authenticate ? "Authorization" : "Proxy-Authorization";
  }
};

// Returns a fresh client nonce; an empty string means the source failed.
using CnonceSource = std::function<std::string()>;

// A CnonceSource reading 16 bytes from OpenSSL's CSPRNG, as 32 hex digits.
CnonceSource openssl_cnonce_source();

struct DigestClientOptions {
  std::size_t max_attempts = 3;  // answers per protection space between successes
  AuthLimits limits;
};

class DigestClient {
 public:
  DigestClient(CredentialSet credentials, CnonceSource cnonce, DigestClientOptions options = {});

  // Answers the challenges of one 401/407: one header per realm challenged.
  // Unsupported schemes and unparseable values are skipped as long as every
  // realm has one usable challenge.
  Result<std::vector<AuthorizationHeader>> respond(std::span<const ChallengeValue> challenges,
                                                   const Request& request);

  // Pre-emptive credentials for a new request (RFC 3261 §22.2/§22.3), one per
  // known protection space, re-using its nonce with the next nc. Empty when
  // nothing has been challenged yet.
  Result<std::vector<AuthorizationHeader>> authorize(const Request& request);

  // The request that carried our credentials got a final response other than
  // 401/407: the attempt counters start again.
  void on_accepted() noexcept;

  // Forget every nonce and counter (e.g. after moving to another server).
  void reset() noexcept;

  const CredentialSet& credentials() const noexcept { return credentials_; }

 private:
  struct Space {
    ChallengeOrigin origin = ChallengeOrigin::www_authenticate;
    std::string realm;
    std::string nonce;
    std::optional<std::string> opaque;
    Algorithm algorithm = Algorithm::md5;
    bool echo_algorithm = false;  // the challenge named its algorithm
    Qop qop = Qop::auth;
    bool userhash = false;
    std::string cnonce;    // one per nonce, so -sess HA1 stays valid
    std::uint32_t nc = 0;  // the last nc sent with this nonce; 0 = not answered
    std::size_t attempts = 0;
  };

  Space* find_space(ChallengeOrigin origin, std::string_view realm) noexcept;
  Result<AuthorizationHeader> answer(Space& space, const Request& request);

  CredentialSet credentials_;
  CnonceSource cnonce_;
  DigestClientOptions options_;
  std::vector<Space> spaces_;
};

}  // namespace sipline::auth

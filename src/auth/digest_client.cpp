#include "auth/digest_client.hpp"

#include <openssl/rand.h>

#include <array>
#include <limits>
#include <utility>

#include "auth/credentials.hpp"
#include "auth/digest.hpp"

namespace sipline::auth {
namespace {

struct Candidate {
  ChallengeOrigin origin = ChallengeOrigin::www_authenticate;
  Challenge challenge;
  std::string realm;  // unquoted
  std::optional<Qop> qop;
};

bool usable(const Candidate& c) noexcept {
  if (!c.challenge.algorithm || !c.qop) {
    return false;
  }
  // A -sess HA1 needs a cnonce, and there is none without a qop.
  return !(is_session(*c.challenge.algorithm) && *c.qop == Qop::none);
}

int qop_rank(const std::optional<Qop>& qop) noexcept {
  if (!qop) {
    return -1;
  }
  switch (*qop) {
    case Qop::auth:
      return 2;
    case Qop::auth_int:
      return 1;
    case Qop::none:
      return 0;
  }
  return -1;
}

// Strictly better only, so that among equals the topmost stays.
bool better(const Candidate& a, const Candidate& b) noexcept {
  const bool ua = usable(a);
  const bool ub = usable(b);
  if (ua != ub) {
    return ua;
  }
  if (!ua) {
    return false;
  }
  const int sa = strength(*a.challenge.algorithm);
  const int sb = strength(*b.challenge.algorithm);
  if (sa != sb) {
    return sa > sb;
  }
  return qop_rank(a.qop) > qop_rank(b.qop);
}

std::string unusable_reason(const Candidate& c) {
  std::string out = "realm " + printable(c.realm) + ": ";
  if (!c.challenge.algorithm) {
    return out + "algorithm " + printable(c.challenge.algorithm_token) + " is not supported";
  }
  if (!c.qop) {
    return out + "no supported qop offered";
  }
  return out + std::string(to_string(*c.challenge.algorithm)) + " offered without qop";
}

}  // namespace

CnonceSource openssl_cnonce_source() {
  return [] {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      return std::string();
    }
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes.size());
    for (unsigned char b : bytes) {
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0fU]);
    }
    return out;
  };
}

DigestClient::DigestClient(CredentialSet credentials, CnonceSource cnonce,
                           DigestClientOptions options)
    : credentials_(std::move(credentials)), cnonce_(std::move(cnonce)), options_(options) {}

DigestClient::Space* DigestClient::find_space(ChallengeOrigin origin,
                                              std::string_view realm) noexcept {
  for (auto& s : spaces_) {
    if (s.origin == origin && s.realm == realm) {
      return &s;
    }
  }
  return nullptr;
}

Result<std::vector<AuthorizationHeader>> DigestClient::respond(
    std::span<const ChallengeValue> challenges, const Request& request) {
  // The best challenge per protection space, in order of first appearance.
  std::vector<Candidate> best;
  std::optional<Error> first_error;
  bool other_scheme = false;
  for (const ChallengeValue& cv : challenges) {
    auto parsed = parse_challenge(cv.value, options_.limits);
    if (!parsed) {
      if (parsed.error().code == Errc::unsupported) {
        other_scheme = true;
      } else if (!first_error) {
        first_error = parsed.error();
      }
      continue;
    }
    Candidate c{cv.origin, *parsed, unquote(parsed->realm), choose_qop(parsed->qop)};
    Candidate* same = nullptr;
    for (auto& b : best) {
      if (b.origin == c.origin && b.realm == c.realm) {
        same = &b;
      }
    }
    if (same == nullptr) {
      best.push_back(std::move(c));
    } else if (better(c, *same)) {
      *same = std::move(c);
    }
  }
  if (best.empty()) {
    if (first_error) {
      return fail(first_error->code, "no usable challenge: " + first_error->message);
    }
    if (other_scheme) {
      return fail(Errc::unsupported, "no Digest challenge");
    }
    return fail(Errc::missing, "no challenge");
  }

  // Check every space before touching state, so that a refusal leaves the
  // client as it was.
  for (const Candidate& c : best) {
    if (!usable(c)) {
      return fail(Errc::unsupported, unusable_reason(c));
    }
    if (credentials_.find(c.realm) == nullptr) {
      return fail(no_credentials, "no credentials for realm " + printable(c.realm));
    }
    if (const Space* s = find_space(c.origin, c.realm)) {
      if (s->nc > 0 && !c.challenge.stale && s->nonce == unquote(c.challenge.nonce)) {
        return fail(auth_rejected, "realm " + printable(c.realm) +
                                       " challenged an answered nonce again: credentials refused");
      }
      if (s->attempts >= options_.max_attempts) {
        return fail(auth_rejected, "realm " + printable(c.realm) + ": " +
                                       std::to_string(s->attempts) + " answers without success");
      }
    }
  }

  std::vector<AuthorizationHeader> out;
  out.reserve(best.size());
  for (Candidate& c : best) {
    Space* s = find_space(c.origin, c.realm);
    if (s == nullptr) {
      s = &spaces_.emplace_back();
      s->origin = c.origin;
      s->realm = c.realm;
    }
    std::string nonce = unquote(c.challenge.nonce);
    if (s->cnonce.empty() || s->nonce != nonce) {
      std::string cnonce = cnonce_ ? cnonce_() : std::string();
      if (cnonce.empty() || !is_quotable(cnonce)) {
        return fail(Errc::io, "the cnonce source failed");
      }
      s->nonce = std::move(nonce);
      s->cnonce = std::move(cnonce);
      s->nc = 0;
    }
    s->opaque.reset();
    if (c.challenge.opaque) {
      s->opaque = unquote(*c.challenge.opaque);
    }
    s->algorithm = *c.challenge.algorithm;
    s->echo_algorithm = !c.challenge.algorithm_token.empty();
    s->qop = *c.qop;
    s->userhash = c.challenge.userhash;
    ++s->attempts;
    auto header = answer(*s, request);
    SIPLINE_TRY(header);
    out.push_back(std::move(*header));
  }
  return out;
}

Result<std::vector<AuthorizationHeader>> DigestClient::authorize(const Request& request) {
  std::vector<AuthorizationHeader> out;
  out.reserve(spaces_.size());
  for (Space& s : spaces_) {
    auto header = answer(s, request);
    SIPLINE_TRY(header);
    out.push_back(std::move(*header));
  }
  return out;
}

Result<AuthorizationHeader> DigestClient::answer(Space& space, const Request& request) {
  const UserCredential* cred = credentials_.find(space.realm);
  if (cred == nullptr) {
    return fail(no_credentials, "no credentials for realm " + printable(space.realm));
  }
  if (space.nc == std::numeric_limits<std::uint32_t>::max()) {
    return fail(Errc::limit_exceeded, "nonce count exhausted for realm " + printable(space.realm));
  }
  ++space.nc;

  DigestInput in;
  in.algorithm = space.algorithm;
  in.qop = space.qop;
  in.username = cred->username;
  in.realm = space.realm;
  in.password = cred->password.reveal();
  in.nonce = space.nonce;
  in.cnonce = space.cnonce;
  in.nc = space.nc;
  in.method = request.method;
  in.digest_uri = request.digest_uri;
  in.body = request.body;
  auto response = compute_response(in);
  SIPLINE_TRY(response);

  std::optional<HexDigest> hashed_user;
  if (space.userhash) {
    auto h = hash_username(space.algorithm, cred->username, space.realm);
    SIPLINE_TRY(h);
    hashed_user = *h;
  }

  AuthorizationFields f;
  f.username = hashed_user ? hashed_user->view() : std::string_view(cred->username);
  f.realm = space.realm;
  f.nonce = space.nonce;
  f.digest_uri = request.digest_uri;
  f.response = response->view();
  if (space.echo_algorithm) {
    f.algorithm = space.algorithm;
  }
  if (space.opaque) {
    f.opaque = *space.opaque;
  }
  f.qop = space.qop;
  f.cnonce = space.cnonce;
  f.nc = space.nc;
  f.userhash = space.userhash;
  auto value = format_authorization(f);
  SIPLINE_TRY(value);
  return AuthorizationHeader{space.origin, space.realm, std::move(*value)};
}

void DigestClient::on_accepted() noexcept {
  for (auto& s : spaces_) {
    s.attempts = 0;
  }
}

void DigestClient::reset() noexcept {
  spaces_.clear();
}

}  // namespace sipline::auth

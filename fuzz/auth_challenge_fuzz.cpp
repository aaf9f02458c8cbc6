// Challenge parser and digest client on arbitrary bytes.
//
// Invariants beyond "no crash":
//  - every view the parser returns lies inside the input;
//  - a parsed challenge whose algorithm and qop we support is always answered,
//    the answer parses back as credentials carrying the challenge's realm and
//    nonce, and its response has exactly the algorithm's hex size;
//  - answering the same challenge twice without stale=true is auth_rejected.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/challenge.hpp"
#include "auth/credentials.hpp"
#include "auth/digest.hpp"
#include "auth/digest_client.hpp"

namespace {

using namespace sipline::auth;

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

bool inside(std::string_view outer, std::string_view inner) {
  if (inner.empty()) {
    return true;
  }
  const auto* begin = outer.data();
  return inner.data() >= begin && inner.data() + inner.size() <= begin + outer.size();
}

void exercise_computation(const Challenge& ch) {
  if (!ch.algorithm) {
    return;
  }
  const std::string realm = unquote(ch.realm);
  const std::string nonce = unquote(ch.nonce);
  for (Qop qop : {Qop::none, Qop::auth, Qop::auth_int}) {
    DigestInput in;
    in.algorithm = *ch.algorithm;
    in.qop = qop;
    in.username = "user";
    in.realm = realm;
    in.password = "secret";
    in.nonce = nonce;
    in.cnonce = "0a4f113b";
    in.nc = 1;
    in.method = "REGISTER";
    in.digest_uri = "sip:example.com";
    in.body = nonce;
    auto r = compute_response(in);
    if (is_session(*ch.algorithm) && qop == Qop::none) {
      check(!r);
    } else {
      check(r && r->size() == hex_size(*ch.algorithm));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ch = parse_challenge(text);
  if (!ch) {
    return 0;
  }
  check(inside(text, ch->realm) && inside(text, ch->nonce) && inside(text, ch->algorithm_token));
  check(!ch->opaque || inside(text, *ch->opaque));
  check(!ch->domain || inside(text, *ch->domain));
  check(!ch->charset || inside(text, *ch->charset));
  exercise_computation(*ch);

  CredentialSet set;
  set.set_default(UserCredential{"user", Secret("secret")});
  DigestClient client(std::move(set), [] { return std::string("0a4f113b"); });
  const ChallengeValue values[] = {{ChallengeOrigin::www_authenticate, text}};
  const Request request{"REGISTER", "sip:example.com", ""};
  auto answer = client.respond(values, request);

  const auto qop = choose_qop(ch->qop);
  const bool answerable =
      ch->algorithm && qop && !(is_session(*ch->algorithm) && *qop == Qop::none);
  check(answer.has_value() == answerable);
  if (!answer) {
    return 0;
  }
  check(answer->size() == 1);
  auto cr = parse_credentials((*answer)[0].value);
  check(cr.has_value());
  check(unquote(cr->realm) == unquote(ch->realm));
  check(unquote(cr->nonce) == unquote(ch->nonce));
  check(cr->algorithm == ch->algorithm);
  check(cr->response.size() == hex_size(*ch->algorithm));
  check(cr->qop == *qop);

  auto again = client.respond(values, request);
  if (!ch->stale) {
    check(!again && again.error().code == auth_rejected);
  }
  return 0;
}

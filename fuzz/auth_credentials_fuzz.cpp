// Credentials parser on arbitrary bytes, then a compute / format / parse
// round trip through the fields it found.
//
// Invariants beyond "no crash":
//  - every view the parser returns lies inside the input;
//  - for a supported algorithm, re-computing the response from the parsed
//    fields, formatting it and parsing the result gives back the same fields
//    and a response of exactly the algorithm's hex size.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/credentials.hpp"
#include "auth/digest.hpp"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cr = parse_credentials(text);
  if (!cr) {
    return 0;
  }
  for (std::string_view v :
       {cr->username, cr->realm, cr->nonce, cr->uri, cr->response, cr->algorithm_token}) {
    check(inside(text, v));
  }
  check(!cr->cnonce || inside(text, *cr->cnonce));
  check(!cr->opaque || inside(text, *cr->opaque));
  check(!cr->username_ext || inside(text, *cr->username_ext));
  check(cr->qop == Qop::none || (cr->cnonce && cr->nc));
  if (!cr->algorithm || cr->username_ext) {
    return 0;
  }
  check(cr->response.size() == hex_size(*cr->algorithm));

  const std::string username = unquote(cr->username);
  const std::string realm = unquote(cr->realm);
  const std::string nonce = unquote(cr->nonce);
  const std::string uri = unquote(cr->uri);
  const std::string cnonce = cr->cnonce ? unquote(*cr->cnonce) : std::string();
  const std::string opaque = cr->opaque ? unquote(*cr->opaque) : std::string();

  DigestInput in;
  in.algorithm = *cr->algorithm;
  in.qop = cr->qop;
  in.username = username;
  in.realm = realm;
  in.password = "secret";
  in.nonce = nonce;
  in.cnonce = cnonce;
  in.nc = cr->nc.value_or(1);
  in.method = "REGISTER";
  in.digest_uri = uri;
  in.body = text;
  auto response = compute_response(in);
  if (!response) {
    check(is_session(*cr->algorithm) && cr->qop == Qop::none);
    return 0;
  }
  check(response->size() == hex_size(*cr->algorithm));

  AuthorizationFields f;
  f.username = username;
  f.realm = realm;
  f.nonce = nonce;
  f.digest_uri = uri;
  f.response = response->view();
  if (!cr->algorithm_token.empty()) {
    f.algorithm = cr->algorithm;
  }
  if (cr->opaque) {
    f.opaque = opaque;
  }
  f.qop = cr->qop;
  f.cnonce = cnonce;
  f.nc = in.nc;
  f.userhash = cr->userhash;
  auto value = format_authorization(f);
  check(value.has_value());  // unquoted values never hold CR or LF

  auto back = parse_credentials(*value);
  check(back.has_value());
  check(unquote(back->username) == username);
  check(unquote(back->realm) == realm);
  check(unquote(back->nonce) == nonce);
  check(unquote(back->uri) == uri);
  check(back->response == response->view());
  check(back->algorithm == cr->algorithm);
  check(back->qop == cr->qop);
  check(back->userhash == cr->userhash);
  check(back->opaque.has_value() == cr->opaque.has_value());
  if (back->opaque) {
    check(unquote(*back->opaque) == opaque);
  }
  if (cr->qop != Qop::none) {
    check(back->nc == cr->nc);
    check(back->cnonce && unquote(*back->cnonce) == cnonce);
  }
  return 0;
}

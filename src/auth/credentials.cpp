#include "auth/credentials.hpp"

#include "auth/digest.hpp"

namespace sipline::auth {
namespace {

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_hex(std::string_view text) noexcept {
  for (char c : text) {
    if (!is_hex(c)) {
      return false;
    }
  }
  return true;
}

std::uint32_t hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return static_cast<std::uint32_t>(c - '0');
  }
  if (c >= 'a' && c <= 'f') {
    return static_cast<std::uint32_t>(c - 'a' + 10);
  }
  return static_cast<std::uint32_t>(c - 'A' + 10);
}

// nc-value = 8LHEX; upper case is accepted on input.
Result<std::uint32_t> parse_nc(std::string_view text) {
  if (text.size() != 8 || !all_hex(text)) {
    return fail(Errc::malformed, "nc is not 8 hex digits");
  }
  std::uint32_t value = 0;
  for (char c : text) {
    value = (value << 4) | hex_value(c);
  }
  return value;
}

}  // namespace

Result<Credentials> parse_credentials(std::string_view value, const AuthLimits& limits) {
  auto fields = split_auth_fields(value, limits);
  SIPLINE_TRY(fields);
  if (!iequals(fields->scheme, "Digest")) {
    return fail(Errc::unsupported,
                "authentication scheme " + printable(fields->scheme) + " is not supported");
  }
  Credentials cr;
  bool have_username = false;
  bool have_realm = false;
  bool have_nonce = false;
  bool have_uri = false;
  bool have_response = false;
  bool have_qop = false;
  for (const AuthParam& p : fields->params) {
    if (iequals(p.name, "username")) {
      cr.username = p.value;
      have_username = true;
    } else if (iequals(p.name, "username*")) {
      cr.username_ext = p.value;
    } else if (iequals(p.name, "realm")) {
      cr.realm = p.value;
      have_realm = true;
    } else if (iequals(p.name, "nonce")) {
      cr.nonce = p.value;
      have_nonce = true;
    } else if (iequals(p.name, "uri")) {
      cr.uri = p.value;
      have_uri = true;
    } else if (iequals(p.name, "response")) {
      cr.response = p.value;
      have_response = true;
    } else if (iequals(p.name, "cnonce")) {
      cr.cnonce = p.value;
    } else if (iequals(p.name, "opaque")) {
      cr.opaque = p.value;
    } else if (iequals(p.name, "algorithm")) {
      cr.algorithm_token = p.value;
      cr.algorithm = parse_algorithm(p.value);
    } else if (iequals(p.name, "qop")) {
      have_qop = true;
      if (iequals(p.value, "auth")) {
        cr.qop = Qop::auth;
      } else if (iequals(p.value, "auth-int")) {
        cr.qop = Qop::auth_int;
      } else {
        return fail(Errc::unsupported, "qop " + printable(p.value) + " is not supported");
      }
    } else if (iequals(p.name, "nc")) {
      auto nc = parse_nc(p.value);
      SIPLINE_TRY(nc);
      cr.nc = *nc;
    } else if (iequals(p.name, "userhash")) {
      cr.userhash = iequals(p.value, "true");
    }
  }
  // RFC 7616 §3.4: username and username* must not both be sent.
  if (have_username && cr.username_ext) {
    return fail(Errc::malformed, "both username and username*");
  }
  if (!have_username && !cr.username_ext) {
    return fail(Errc::missing, "credentials without username");
  }
  if (!have_realm) {
    return fail(Errc::missing, "credentials without realm");
  }
  if (!have_nonce) {
    return fail(Errc::missing, "credentials without nonce");
  }
  if (!have_uri) {
    return fail(Errc::missing, "credentials without uri");
  }
  if (!have_response) {
    return fail(Errc::missing, "credentials without response");
  }
  if (have_qop && !cr.cnonce) {
    return fail(Errc::missing, "qop without cnonce");
  }
  if (have_qop && !cr.nc) {
    return fail(Errc::missing, "qop without nc");
  }
  if (!all_hex(cr.response) || cr.response.empty() ||
      (cr.algorithm && cr.response.size() != hex_size(*cr.algorithm))) {
    return fail(Errc::malformed, "response is not a digest of the algorithm's size");
  }
  return cr;
}

Result<std::string> format_authorization(const AuthorizationFields& f) {
  for (std::string_view text : {f.username, f.realm, f.nonce, f.digest_uri, f.response, f.cnonce,
                                f.opaque.value_or(std::string_view{})}) {
    if (!is_quotable(text)) {
      return fail(Errc::malformed, "CR or LF in a credentials field");
    }
  }
  std::string out;
  out.reserve(160 + f.username.size() + f.realm.size() + f.nonce.size() + f.digest_uri.size() +
              f.cnonce.size() + (f.opaque ? f.opaque->size() : 0));
  out += "Digest username=";
  append_quoted(out, f.username);
  out += ", realm=";
  append_quoted(out, f.realm);
  out += ", nonce=";
  append_quoted(out, f.nonce);
  out += ", uri=";
  append_quoted(out, f.digest_uri);
  out += ", response=";
  append_quoted(out, f.response);
  if (f.algorithm) {
    out += ", algorithm=";
    out += to_string(*f.algorithm);
  }
  if (f.qop != Qop::none) {
    out += ", cnonce=";
    append_quoted(out, f.cnonce);
  }
  if (f.opaque) {
    out += ", opaque=";
    append_quoted(out, *f.opaque);
  }
  if (f.qop != Qop::none) {
    out += ", qop=";
    out += to_string(f.qop);
    const std::array<char, 8> nc = format_nc(f.nc);
    out += ", nc=";
    out.append(nc.data(), nc.size());
  }
  if (f.userhash) {
    out += ", userhash=true";
  }
  return out;
}

}  // namespace sipline::auth

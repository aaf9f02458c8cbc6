#include "auth/digest.hpp"

namespace sipline::auth {

Result<HexDigest> compute_ha1(const DigestInput& in) {
  auto base = hash_hex(in.algorithm, {in.username, in.realm, in.password});
  if (!base || !is_session(in.algorithm)) {
    return base;
  }
  if (in.qop == Qop::none) {
    return fail(Errc::unsupported, std::string(to_string(in.algorithm)) + " requires a qop");
  }
  return hash_hex(in.algorithm, {base->view(), in.nonce, in.cnonce});
}

Result<HexDigest> compute_ha2(const DigestInput& in) {
  if (in.qop != Qop::auth_int) {
    return hash_hex(in.algorithm, {in.method, in.digest_uri});
  }
  auto body = hash_hex(in.algorithm, {in.body});
  SIPLINE_TRY(body);
  return hash_hex(in.algorithm, {in.method, in.digest_uri, body->view()});
}

Result<HexDigest> compute_response(const DigestInput& in) {
  auto ha1 = compute_ha1(in);
  SIPLINE_TRY(ha1);
  auto ha2 = compute_ha2(in);
  SIPLINE_TRY(ha2);
  if (in.qop == Qop::none) {
    return hash_hex(in.algorithm, {ha1->view(), in.nonce, ha2->view()});
  }
  const std::array<char, 8> nc = format_nc(in.nc);
  return hash_hex(in.algorithm, {ha1->view(), in.nonce, std::string_view(nc.data(), nc.size()),
                                 in.cnonce, to_string(in.qop), ha2->view()});
}

Result<HexDigest> hash_username(Algorithm a, std::string_view username, std::string_view realm) {
  return hash_hex(a, {username, realm});
}

std::array<char, 8> format_nc(std::uint32_t nc) noexcept {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::array<char, 8> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[out.size() - 1 - i] = kHex[(nc >> (4 * i)) & 0x0fU];
  }
  return out;
}

}  // namespace sipline::auth

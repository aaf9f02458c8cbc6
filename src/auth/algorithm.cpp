#include "auth/algorithm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

#include "auth/auth_params.hpp"

namespace sipline::auth {
namespace {

struct AlgorithmInfo {
  Algorithm algorithm;
  std::string_view token;
  const char* evp_name;  // OpenSSL digest name
  std::size_t size;
  int strength;
};

constexpr std::array<AlgorithmInfo, 6> kAlgorithms{{
    {Algorithm::md5, "MD5", "MD5", 16, 10},
    {Algorithm::md5_sess, "MD5-sess", "MD5", 16, 9},
    {Algorithm::sha256, "SHA-256", "SHA256", 32, 20},
    {Algorithm::sha256_sess, "SHA-256-sess", "SHA256", 32, 19},
    {Algorithm::sha512_256, "SHA-512-256", "SHA512-256", 32, 30},
    {Algorithm::sha512_256_sess, "SHA-512-256-sess", "SHA512-256", 32, 29},
}};

const AlgorithmInfo& info(Algorithm a) noexcept {
  for (const auto& entry : kAlgorithms) {
    if (entry.algorithm == a) {
      return entry;
    }
  }
  return kAlgorithms[0];  // unreachable: every enumerator has an entry
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view token) noexcept {
  for (const auto& entry : kAlgorithms) {
    if (iequals(token, entry.token)) {
      return entry.algorithm;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Algorithm a) noexcept {
  return info(a).token;
}

bool is_session(Algorithm a) noexcept {
  return a == Algorithm::md5_sess || a == Algorithm::sha256_sess || a == Algorithm::sha512_256_sess;
}

int strength(Algorithm a) noexcept {
  return info(a).strength;
}

std::size_t digest_size(Algorithm a) noexcept {
  return info(a).size;
}

HexDigest::~HexDigest() {
  OPENSSL_cleanse(chars_.data(), chars_.size());
}

Result<HexDigest> hash_hex(Algorithm a, std::initializer_list<std::string_view> parts) {
  const AlgorithmInfo& alg = info(a);
  const EVP_MD* md = EVP_get_digestbyname(alg.evp_name);
  if (md == nullptr) {
    return fail(Errc::unsupported, std::string("hash not available: ") + alg.evp_name);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
    return fail(Errc::unsupported, std::string("cannot initialise hash ") + alg.evp_name);
  }
  bool first = true;
  for (std::string_view part : parts) {
    if (!first && EVP_DigestUpdate(ctx.get(), ":", 1) != 1) {
      return fail(Errc::unsupported, "hash update failed");
    }
    first = false;
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return fail(Errc::unsupported, "hash update failed");
    }
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> raw{};
  unsigned int raw_size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), raw.data(), &raw_size) != 1 || raw_size != alg.size) {
    OPENSSL_cleanse(raw.data(), raw.size());
    return fail(Errc::unsupported, std::string("unexpected digest size from ") + alg.evp_name);
  }
  static_assert(HexDigest::capacity >= std::size_t{2} * 32,
                "hex buffer too small for 32-byte digests");
  constexpr std::string_view kHex = "0123456789abcdef";
  HexDigest out;
  for (std::size_t i = 0; i < alg.size; ++i) {
    out.chars_[2 * i] = kHex[raw[i] >> 4];
    out.chars_[2 * i + 1] = kHex[raw[i] & 0x0fU];
  }
  out.size_ = 2 * alg.size;
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

}  // namespace sipline::auth

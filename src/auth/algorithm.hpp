#pragma once
// Digest algorithms (RFC 7616 §3.3, RFC 8760 §2) and the hash primitive under
// them. Every hash output is lowercase hex of a fixed size that depends only on
// the algorithm: no buffer here is ever sized from peer input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "common/result.hpp"

namespace sipline::auth {

enum class Algorithm : std::uint8_t {
  md5,
  md5_sess,
  sha256,
  sha256_sess,
  sha512_256,
  sha512_256_sess,
};

// Case-insensitive match of an algorithm token ("MD5", "sha-256-sess", ...).
// nullopt for anything we do not implement (e.g. "AKAv1-MD5").
std::optional<Algorithm> parse_algorithm(std::string_view token) noexcept;

// The canonical token, as RFC 7616 §6.1 registers it.
std::string_view to_string(Algorithm a) noexcept;

// "-sess" variants fold the nonce and cnonce into HA1 (RFC 7616 §3.4.2).
bool is_session(Algorithm a) noexcept;

// Preference when several challenges are offered: a higher rank is stronger.
// The session variant ranks just below its plain form.
int strength(Algorithm a) noexcept;

// Digest size in bytes of the underlying hash (16 for MD5, 32 otherwise).
std::size_t digest_size(Algorithm a) noexcept;
inline std::size_t hex_size(Algorithm a) noexcept {
  return 2 * digest_size(a);
}

// Lowercase hex of one digest. Storage holds the largest digest we support;
// the length is set from the algorithm. The bytes are wiped on destruction
// because HA1 is as good as the password to an attacker.
class HexDigest {
 public:
  static constexpr std::size_t capacity = 64;

  HexDigest() = default;
  HexDigest(const HexDigest& other) = default;
  HexDigest& operator=(const HexDigest& other) = default;
  ~HexDigest();

  std::string_view view() const noexcept { return {chars_.data(), size_}; }
  std::size_t size() const noexcept { return size_; }

 private:
  friend Result<HexDigest> hash_hex(Algorithm, std::initializer_list<std::string_view>);
  std::array<char, capacity> chars_{};
  std::size_t size_ = 0;
};

// H(p1 ":" p2 ":" ... ) with the algorithm's hash; a single part is hashed
// as is. Fails only when the crypto library lacks the hash (e.g. MD5 in a
// FIPS-only configuration).
Result<HexDigest> hash_hex(Algorithm a, std::initializer_list<std::string_view> parts);

}  // namespace sipline::auth

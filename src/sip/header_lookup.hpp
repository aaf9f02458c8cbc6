#pragma once
// Header-name lookup for the message parser's field loop: the same exact,
// case-insensitive answer as grammar::lookup_known_header, but allowed to
// read whole eight-byte words of the field the name starts, which spares the
// byte-by-byte comparison of the short names (Via, From, To, CSeq, Call-ID,
// Contact). Inline, with its tables built in header_id.cpp, because the loop
// asks it once per field.
//
// It works on little-endian words: the name's first word (masked to the name
// when shorter), its last word (ending with the name's last byte) and, for
// names over 16 bytes, the word at offset 8. Together they cover every byte
// of a name of up to 24 bytes, so comparing them with the table's words is
// the exact comparison. Setting bit 0x20 folds A-Z onto a-z and maps no other
// byte onto a letter, so `input | fold == lower` with 0x20 in `fold` at the
// letters only is an exact case-insensitive comparison whatever the input
// bytes. The slot comes from a multiplicative hash of the first and last
// words with every byte's 0x20 bit set (case does not matter) and the length.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/grammar.hpp"
#include "sip/header_id.hpp"

namespace sipline::sip::grammar {

namespace field_name {

inline constexpr std::size_t kMaxLength = 19;  // "Authentication-Info" and the like
inline constexpr std::uint64_t kCaseBits = 0x2020202020202020;
inline constexpr int kHashBits = 9;
inline constexpr std::size_t kSlotCount = std::size_t{1} << kHashBits;
inline constexpr std::uint64_t kMultiplier = 0xa498776b71d814dd;
inline constexpr std::size_t kIdCount = static_cast<std::size_t>(HeaderId::count_);

// `first` and `last` already have their case bits set (within the name).
constexpr std::size_t hash(std::uint64_t first, std::uint64_t last, std::size_t n) {
  const std::uint64_t mixed = first ^ ((last << 29) | (last >> 35)) ^ n;
  return static_cast<std::size_t>((mixed * kMultiplier) >> (64 - kHashBits));
}

// Per HeaderId: the name's words in lower case and their fold bits.
struct Words {
  std::uint8_t length = 0;
  std::uint64_t first = 0, first_fold = 0;
  std::uint64_t last = 0, last_fold = 0;
  std::uint64_t middle = 0, middle_fold = 0;  // the word at 8, for names over 16 bytes
};

extern const std::array<Words, kIdCount> kWords;       // unknown: length 0
extern const std::array<HeaderId, kSlotCount> kSlots;  // unknown where no name hashes

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace field_name

// `name` holds `length` bytes of a field name followed by at least
// `readable - length` more readable bytes of the same field.
inline HeaderId lookup_field_name(const char* name, std::size_t length,
                                  std::size_t readable) noexcept {
  using namespace field_name;
  if constexpr (std::endian::native == std::endian::little) {
    if (length >= 2 && length <= kMaxLength && readable >= 8) {
      const std::uint64_t mask =
          length >= 8 ? ~std::uint64_t{0} : ~std::uint64_t{0} >> (64 - 8 * length);
      const std::uint64_t first = load8(name) & mask;
      const std::uint64_t last = length <= 8 ? first : load8(name + length - 8);
      const std::uint64_t first_case = (first | kCaseBits) & mask;
      const std::uint64_t last_case = length <= 8 ? first_case : last | kCaseBits;
      const HeaderId id = kSlots[hash(first_case, last_case, length)];
      const Words& w = kWords[static_cast<std::size_t>(id)];
      // The entry of HeaderId::unknown has length 0 and never matches.
      if (w.length != length || (first | w.first_fold) != w.first ||
          (last | w.last_fold) != w.last) {
        return HeaderId::unknown;
      }
      if (length > 16 && (load8(name + 8) | w.middle_fold) != w.middle) return HeaderId::unknown;
      return id;
    }
  }
  return lookup_known_header(std::string_view(name, length));
}

}  // namespace sipline::sip::grammar

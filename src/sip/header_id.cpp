#include "sip/header_id.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sip/grammar.hpp"
#include "sip/header_lookup.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {
namespace {

constexpr std::size_t kIds = static_cast<std::size_t>(HeaderId::count_);

// Indexed by HeaderId. Spellings as in the defining RFCs.
constexpr std::array<std::string_view, kIds> kCanonical = {
    "",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Alert-Info",
    "Allow",
    "Allow-Events",
    "Authentication-Info",
    "Authorization",
    "Call-ID",
    "Call-Info",
    "Contact",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Type",
    "CSeq",
    "Date",
    "Error-Info",
    "Event",
    "Expires",
    "From",
    "In-Reply-To",
    "Max-Forwards",
    "Min-Expires",
    "MIME-Version",
    "Organization",
    "Path",
    "Priority",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Require",
    "RAck",
    "Reason",
    "Record-Route",
    "Refer-To",
    "Referred-By",
    "Reply-To",
    "Require",
    "Retry-After",
    "Route",
    "RSeq",
    "Server",
    "Service-Route",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Supported",
    "Timestamp",
    "To",
    "Unsupported",
    "User-Agent",
    "Via",
    "Warning",
    "WWW-Authenticate",
    "Accept-Contact",
    "Identity",
    "Reject-Contact",
    "Request-Disposition",
};
static_assert(kCanonical.back() == "Request-Disposition", "kCanonical must follow HeaderId");

// Compact forms, indexed by letter: RFC 3261 §7.3.3 (c e f i k l m s t v),
// RFC 6665 (o u), RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 3841 (a d j),
// RFC 8224 (y).
constexpr std::array<HeaderId, 26> make_compact() {
  std::array<HeaderId, 26> t{};
  auto set = [&t](char c, HeaderId id) { t[static_cast<std::size_t>(c - 'a')] = id; };
  set('a', HeaderId::accept_contact);
  set('b', HeaderId::referred_by);
  set('c', HeaderId::content_type);
  set('d', HeaderId::request_disposition);
  set('e', HeaderId::content_encoding);
  set('f', HeaderId::from);
  set('i', HeaderId::call_id);
  set('j', HeaderId::reject_contact);
  set('k', HeaderId::supported);
  set('l', HeaderId::content_length);
  set('m', HeaderId::contact);
  set('o', HeaderId::event);
  set('r', HeaderId::refer_to);
  set('s', HeaderId::subject);
  set('t', HeaderId::to);
  set('u', HeaderId::allow_events);
  set('v', HeaderId::via);
  set('x', HeaderId::session_expires);
  set('y', HeaderId::identity);
  return t;
}
constexpr std::array<HeaderId, 26> kCompact = make_compact();

constexpr std::size_t max_name_length() {
  std::size_t n = 0;
  for (std::string_view name : kCanonical) n = name.size() > n ? name.size() : n;
  return n;
}
constexpr std::size_t kMaxLength = max_name_length();

// Full names live in a hash table keyed on the length and the first, middle
// and last letters, with multipliers found at compile time so that no two
// names share a slot: a lookup is one hash and one comparison.
constexpr std::size_t kSlots = 256;

struct Hash {
  std::size_t a = 0, b = 0, c = 0;

  constexpr std::size_t operator()(std::string_view name) const {
    auto folded = [](char ch) {
      return static_cast<std::size_t>(static_cast<unsigned char>(ch) | 0x20);
    };
    return (name.size() + folded(name.front()) * a + folded(name[name.size() / 2]) * b +
            folded(name.back()) * c) %
           kSlots;
  }
};

constexpr bool collision_free(const Hash& hash) {
  std::array<bool, kSlots> used{};
  for (std::size_t id = 1; id < kIds; ++id) {
    const std::size_t slot = hash(kCanonical[id]);
    if (used[slot]) return false;
    used[slot] = true;
  }
  return true;
}

constexpr Hash find_hash() {
  for (std::size_t a = 1; a < 32; ++a) {
    for (std::size_t b = 1; b < 32; ++b) {
      for (std::size_t c = 1; c < 32; ++c) {
        if (collision_free(Hash{a, b, c})) return Hash{a, b, c};
      }
    }
  }
  return Hash{};
}
constexpr Hash kHash = find_hash();
static_assert(kHash.a != 0, "no collision-free multipliers for the header names");

struct Slot {
  HeaderId id = HeaderId::unknown;
  std::uint8_t length = 0;
  std::array<char, kMaxLength> lower{};  // the name in lower case
  std::array<char, kMaxLength> fold{};   // 0x20 where `lower` has a letter
};

constexpr std::array<Slot, kSlots> make_slots() {
  std::array<Slot, kSlots> slots{};
  for (std::size_t id = 1; id < kIds; ++id) {
    const std::string_view name = kCanonical[id];
    Slot& slot = slots[kHash(name)];
    slot.id = static_cast<HeaderId>(id);
    slot.length = static_cast<std::uint8_t>(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) {
      slot.lower[i] = scan::to_lower(name[i]);
      slot.fold[i] = scan::is_alpha(name[i]) ? '\x20' : '\0';
    }
  }
  return slots;
}
constexpr std::array<Slot, kSlots> kSlotTable = make_slots();

std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Setting bit 0x20 folds A-Z onto a-z and maps no other byte onto a letter;
// positions without a letter ('-') are compared exactly. So this is an exact
// case-insensitive comparison whatever the input bytes.
bool equal_folded(std::string_view name, const Slot& slot) noexcept {
  const std::size_t n = name.size();
  const char* in = name.data();
  const char* lower = slot.lower.data();
  const char* fold = slot.fold.data();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if ((load8(in + i) | load8(fold + i)) != load8(lower + i)) return false;
    }
    return (load8(in + n - 8) | load8(fold + n - 8)) == load8(lower + n - 8);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (static_cast<char>(in[i] | fold[i]) != lower[i]) return false;
  }
  return true;
}

}  // namespace

namespace grammar::field_name {

static_assert(kMaxLength == sipline::sip::kMaxLength, "field_name::kMaxLength is the longest name");

// The little-endian word of up to eight bytes of `s` from `pos`, zero beyond;
// `fill` is ORed into each byte taken.
constexpr std::uint64_t word_of(std::string_view s, std::size_t pos, std::uint64_t fill = 0) {
  std::uint64_t w = 0;
  for (std::size_t i = 0; i < 8 && pos + i < s.size(); ++i) {
    w |= std::uint64_t{static_cast<unsigned char>(s[pos + i]) | fill} << (8 * i);
  }
  return w;
}

constexpr std::size_t hash_of(std::string_view name) {
  const std::size_t n = name.size();
  const std::uint64_t first = word_of(name, 0, 0x20);
  const std::uint64_t last = n <= 8 ? first : word_of(name, n - 8, 0x20);
  return hash(first, last, n);
}

// kMultiplier was found by trying odd constants; this proves it still fits
// the names.
constexpr bool collision_free() {
  std::array<bool, kSlotCount> used{};
  for (std::size_t id = 1; id < kIds; ++id) {
    const std::size_t slot = hash_of(kCanonical[id]);
    if (used[slot]) return false;
    used[slot] = true;
  }
  return true;
}
static_assert(collision_free(), "kMultiplier must map the header names to distinct slots");

constexpr std::string_view lowered(std::string_view name, std::array<char, kMaxLength>& out) {
  for (std::size_t i = 0; i < name.size(); ++i) out[i] = scan::to_lower(name[i]);
  return std::string_view(out.data(), name.size());
}
constexpr std::string_view fold_bits(std::string_view name, std::array<char, kMaxLength>& out) {
  for (std::size_t i = 0; i < name.size(); ++i) out[i] = scan::is_alpha(name[i]) ? '\x20' : '\0';
  return std::string_view(out.data(), name.size());
}

constexpr std::array<Words, kIds> make_words() {
  std::array<Words, kIds> t{};
  for (std::size_t id = 1; id < kIds; ++id) {
    const std::string_view name = kCanonical[id];
    const std::size_t n = name.size();
    std::array<char, kMaxLength> low_buf{}, fold_buf{};
    const std::string_view low = lowered(name, low_buf);
    const std::string_view fold = fold_bits(name, fold_buf);
    Words& w = t[id];
    w.length = static_cast<std::uint8_t>(n);
    w.first = word_of(low, 0);
    w.first_fold = word_of(fold, 0);
    const std::size_t last_pos = n <= 8 ? 0 : n - 8;
    w.last = word_of(low, last_pos);
    w.last_fold = word_of(fold, last_pos);
    w.middle = word_of(low, 8);
    w.middle_fold = word_of(fold, 8);
  }
  return t;
}
constexpr std::array<Words, kIds> kWords = make_words();

constexpr std::array<HeaderId, kSlotCount> make_slots() {
  std::array<HeaderId, kSlotCount> t{};
  for (std::size_t id = 1; id < kIds; ++id) t[hash_of(kCanonical[id])] = static_cast<HeaderId>(id);
  return t;
}
constexpr std::array<HeaderId, kSlotCount> kSlots = make_slots();

}  // namespace grammar::field_name

namespace grammar {

HeaderId lookup_known_header(std::string_view token) noexcept {
  const std::size_t length = token.size();
  if (length == 1) {
    const char c = scan::to_lower(token[0]);
    return (c >= 'a' && c <= 'z') ? kCompact[static_cast<std::size_t>(c - 'a')] : HeaderId::unknown;
  }
  if (length == 0 || length > kMaxLength) return HeaderId::unknown;
  const Slot& slot = kSlotTable[kHash(token)];
  if (slot.length != length || !equal_folded(token, slot)) return HeaderId::unknown;
  return slot.id;
}

}  // namespace grammar

HeaderId lookup_header(std::string_view name) noexcept {
  return grammar::lookup_known_header(name);
}

std::string_view canonical_name(HeaderId id) noexcept {
  const auto index = static_cast<std::size_t>(id);
  return index < kIds ? kCanonical[index] : std::string_view{};
}

}  // namespace sipline::sip

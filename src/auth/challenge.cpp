#include "auth/challenge.hpp"

#include <cstdint>
#include <cstring>
#include <utility>

namespace sipline::auth {
namespace {

template <class Word>
Word load(const char* p) noexcept {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Whether the sizeof(Word) bytes at `text`, with the case bit set, are those
// at `word`.
template <class Word>
bool folded_equal(const char* text, const char* word) noexcept {
  constexpr auto kCaseBits = static_cast<Word>(0x2020202020202020ULL);
  return static_cast<Word>(load<Word>(text) | kCaseBits) == load<Word>(word);
}

// ASCII case-insensitive equality with `word`, which is lower case and all
// letters: for a letter, setting the case bit maps exactly its two cases to
// it, so one OR and one compare per byte suffice, done here on two
// overlapping loads that together cover the word.
template <std::size_t N>
bool is_word(std::string_view text, const char (&word)[N]) noexcept {
  constexpr std::size_t n = N - 1;
  static_assert(n >= 1 && n <= 16);
  if (text.size() != n) return false;
  const char* t = text.data();
  if constexpr (n >= 8) {
    return folded_equal<std::uint64_t>(t, word) &&
           folded_equal<std::uint64_t>(t + n - 8, word + n - 8);
  } else if constexpr (n >= 4) {
    return folded_equal<std::uint32_t>(t, word) &&
           folded_equal<std::uint32_t>(t + n - 4, word + n - 4);
  } else if constexpr (n >= 2) {
    return folded_equal<std::uint16_t>(t, word) &&
           folded_equal<std::uint16_t>(t + n - 2, word + n - 2);
  } else {
    return folded_equal<std::uint8_t>(t, word);
  }
}

bool is_list_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// qop-options is a quoted, comma-separated list (RFC 7616 §3.3); some servers
// send a bare token instead. Whitespace around the commas is tolerated.
QopOffer parse_qop_offer(std::string_view raw) {
  QopOffer offer;
  offer.present = true;
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = pos;
    while (comma < raw.size() && raw[comma] != ',') {
      ++comma;
    }
    std::size_t first = pos;
    std::size_t last = comma;
    while (first < last && is_list_space(raw[first])) {
      ++first;
    }
    while (last > first && is_list_space(raw[last - 1])) {
      --last;
    }
    const std::string_view item = raw.substr(first, last - first);
    if (is_word(item, "auth")) {
      offer.auth = true;
    } else if (iequals(item, "auth-int")) {
      offer.auth_int = true;
    } else if (!item.empty()) {
      offer.others = true;
    }
    if (comma == raw.size()) {
      return offer;
    }
    pos = comma + 1;
  }
}

bool is_true(std::string_view raw) {
  return is_word(raw, "true");
}

}  // namespace

std::string_view to_string(Qop qop) noexcept {
  switch (qop) {
    case Qop::none:
      return "";
    case Qop::auth:
      return "auth";
    case Qop::auth_int:
      return "auth-int";
  }
  return "";
}

Result<Challenge> parse_challenge(std::string_view value, const AuthLimits& limits) {
  // Built in place and returned by name, so the Challenge is never copied.
  Result<Challenge> result(std::in_place);
  auto fields = split_auth_fields(value, limits);
  if (!fields) {
    result = std::move(fields).error();
    return result;
  }
  if (!is_word(fields->scheme, "digest")) {
    result = fail(Errc::unsupported,
                  "authentication scheme " + printable(fields->scheme) + " is not supported");
    return result;
  }
  Challenge& ch = *result;
  bool have_realm = false;
  bool have_nonce = false;
  for (const AuthParam& p : fields->params) {
    // Dispatch on the length first: each name is then compared at most
    // three times instead of running down the whole chain.
    const std::string_view n = p.name;
    switch (n.size()) {
      case 3:
        if (is_word(n, "qop")) {
          ch.qop = parse_qop_offer(p.value);
        }
        break;
      case 5:
        if (is_word(n, "realm")) {
          ch.realm = p.value;
          have_realm = true;
        } else if (is_word(n, "nonce")) {
          ch.nonce = p.value;
          have_nonce = true;
        } else if (is_word(n, "stale")) {
          ch.stale = is_true(p.value);
        }
        break;
      case 6:
        if (is_word(n, "opaque")) {
          ch.opaque = p.value;
        } else if (is_word(n, "domain")) {
          ch.domain = p.value;
        }
        break;
      case 7:
        if (is_word(n, "charset")) {
          ch.charset = p.value;
        }
        break;
      case 8:
        if (is_word(n, "userhash")) {
          ch.userhash = is_true(p.value);
        }
        break;
      case 9:
        if (is_word(n, "algorithm")) {
          // RFC 7616 says senders must not quote it; accept a quoted token
          // anyway.
          ch.algorithm_token = p.value;
          ch.algorithm = parse_algorithm(p.value);
        }
        break;
      default:
        break;
    }
    // Anything else is an extension parameter: ignored (RFC 7616 §3.3).
  }
  if (!have_realm) {
    result = fail(Errc::missing, "Digest challenge without realm");
  } else if (!have_nonce) {
    result = fail(Errc::missing, "Digest challenge without nonce");
  }
  return result;
}

std::optional<Qop> choose_qop(const QopOffer& offer) noexcept {
  if (!offer.present) {
    return Qop::none;
  }
  if (offer.auth) {
    return Qop::auth;
  }
  if (offer.auth_int) {
    return Qop::auth_int;
  }
  return std::nullopt;
}

}  // namespace sipline::auth

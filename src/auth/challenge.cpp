#include "auth/challenge.hpp"

namespace sipline::auth {
namespace {

// ASCII case-insensitive equality with `word`, which is lower case and all
// letters: for a letter, setting the case bit maps exactly its two cases to
// it, so one OR and one compare per byte suffice.
constexpr bool is_word(std::string_view text, std::string_view word) noexcept {
  if (text.size() != word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) | 0x20U) != static_cast<unsigned char>(word[i])) {
      return false;
    }
  }
  return true;
}

// qop-options is a quoted, comma-separated list (RFC 7616 §3.3); some servers
// send a bare token instead. Whitespace around the commas is tolerated.
QopOffer parse_qop_offer(std::string_view raw) {
  QopOffer offer;
  offer.present = true;
  std::size_t pos = 0;
  while (pos <= raw.size()) {
    std::size_t comma = raw.find(',', pos);
    if (comma == std::string_view::npos) {
      comma = raw.size();
    }
    std::string_view item = raw.substr(pos, comma - pos);
    const auto first = item.find_first_not_of(" \t\r\n");
    const auto last = item.find_last_not_of(" \t\r\n");
    item =
        first == std::string_view::npos ? std::string_view{} : item.substr(first, last - first + 1);
    if (is_word(item, "auth")) {
      offer.auth = true;
    } else if (iequals(item, "auth-int")) {
      offer.auth_int = true;
    } else if (!item.empty()) {
      offer.others = true;
    }
    pos = comma + 1;
  }
  return offer;
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
  auto fields = split_auth_fields(value, limits);
  SIPLINE_TRY(fields);
  if (!is_word(fields->scheme, "digest")) {
    return fail(Errc::unsupported,
                "authentication scheme " + printable(fields->scheme) + " is not supported");
  }
  Challenge ch;
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
    return fail(Errc::missing, "Digest challenge without realm");
  }
  if (!have_nonce) {
    return fail(Errc::missing, "Digest challenge without nonce");
  }
  return ch;
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

// Method tokens (RFC 3261 §7.1, §27.4) and the extension methods of
// RFC 3262 (PRACK), 3311 (UPDATE), 3428 (MESSAGE), 3515 (REFER), 3903
// (PUBLISH), 6086 (INFO) and 6665 (SUBSCRIBE, NOTIFY).

#include <array>
#include <cstddef>

#include "sip/message.hpp"

namespace sipline::sip {
namespace {

// Indexed by Method.
constexpr std::array<std::string_view, 15> kNames = {
    "",       "INVITE", "ACK",       "BYE",    "CANCEL", "REGISTER", "OPTIONS", "INFO",
    "UPDATE", "PRACK",  "SUBSCRIBE", "NOTIFY", "REFER",  "MESSAGE",  "PUBLISH",
};
static_assert(static_cast<std::size_t>(Method::publish) + 1 == kNames.size());

constexpr Method match(std::string_view token, Method candidate) noexcept {
  return token == kNames[static_cast<std::size_t>(candidate)] ? candidate : Method::unknown;
}

}  // namespace

// Method names are case-sensitive (§7.1), so "invite" is an extension method.
Method method_from(std::string_view token) noexcept {
  if (token.size() < 3) return Method::unknown;
  switch (token[0]) {
    case 'A':
      return match(token, Method::ack);
    case 'B':
      return match(token, Method::bye);
    case 'C':
      return match(token, Method::cancel);
    case 'I':
      return token.size() == 6 ? match(token, Method::invite) : match(token, Method::info);
    case 'M':
      return match(token, Method::message);
    case 'N':
      return match(token, Method::notify);
    case 'O':
      return match(token, Method::options);
    case 'P':
      return token.size() == 5 ? match(token, Method::prack) : match(token, Method::publish);
    case 'R':
      return token.size() == 8 ? match(token, Method::register_) : match(token, Method::refer);
    case 'S':
      return match(token, Method::subscribe);
    case 'U':
      return match(token, Method::update);
    default:
      return Method::unknown;
  }
}

std::string_view to_string(Method m) noexcept {
  const auto index = static_cast<std::size_t>(m);
  return index < kNames.size() ? kNames[index] : std::string_view{};
}

}  // namespace sipline::sip

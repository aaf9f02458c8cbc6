// Message: special members and the on-demand typed accessors.

#include "sip/message.hpp"

#include <string>
#include <utility>
#include <vector>

#include "sip/grammar.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {

namespace {

Unexpected too_many_values(HeaderId id, std::size_t max) {
  return fail(Errc::limit_exceeded,
              std::string(canonical_name(id)) + ": more than " + std::to_string(max) + " values");
}

Unexpected absent(HeaderId id) {
  return fail(Errc::not_found, "no " + std::string(canonical_name(id)) + " header field");
}

// Route-like headers hold name-addrs only (§20.30, §20.34, RFC 3327 §4,
// RFC 3608 §5).
bool requires_brackets(HeaderId id) {
  return id == HeaderId::route || id == HeaderId::record_route || id == HeaderId::path ||
         id == HeaderId::service_route;
}

}  // namespace

// bytes_ always lives on the heap (see parse), and moving a std::string
// hands its heap buffer over, so every view stays valid across a move.
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;

Message::Message(const Message& other) {
  if (other.bytes_.empty()) return;
  // The bytes already passed these limits, so parsing them again succeeds.
  auto copy = parse(other.bytes_, other.limits_);
  if (copy) *this = std::move(*copy);
}

Message& Message::operator=(const Message& other) {
  if (this != &other) *this = Message(other);
  return *this;
}

Message::~Message() = default;

std::optional<std::string_view> Message::header(HeaderId id) const noexcept {
  if (!present(id)) return std::nullopt;
  for (const HeaderField& field : headers_) {
    if (field.id == id) return field.value;
  }
  return std::nullopt;
}

std::optional<std::string_view> Message::header(std::string_view name) const noexcept {
  const HeaderId id = lookup_header(name);
  if (id != HeaderId::unknown) return header(id);
  for (const HeaderField& field : headers_) {
    if (field.id == HeaderId::unknown && scan::iequals(field.name, name)) return field.value;
  }
  return std::nullopt;
}

std::size_t Message::count(HeaderId id) const noexcept {
  if (!present(id)) return 0;
  std::size_t n = 0;
  for (const HeaderField& field : headers_) n += field.id == id ? 1 : 0;
  return n;
}

Result<std::vector<Via>> Message::vias() const {
  std::vector<Via> out;
  if (!present(HeaderId::via)) return out;
  out.reserve(count(HeaderId::via));
  bool first_field = true;
  for (const HeaderField& field : headers_) {
    if (field.id != HeaderId::via) continue;
    std::size_t pos = 0;
    if (first_field) {
      // parse() decoded the top via-parm with the same grammar and limits.
      first_field = false;
      if (out.size() == limits_.max_list_values) {
        return too_many_values(HeaderId::via, limits_.max_list_values);
      }
      out.push_back(top_via_);
      pos = top_via_end_;
      if (pos >= field.value.size()) continue;
      ++pos;  // the ',' between via-parms
    }
    while (true) {
      if (out.size() == limits_.max_list_values) {
        return too_many_values(HeaderId::via, limits_.max_list_values);
      }
      auto parsed = grammar::parse_via_into(field.value, pos, limits_.uri, out.emplace_back());
      if (!parsed) return grammar::error_in("Via", parsed.error());
      if (pos >= field.value.size()) break;
      ++pos;  // the ',' between via-parms
    }
  }
  return out;
}

Result<std::vector<ContactValue>> Message::contacts() const {
  std::vector<ContactValue> out;
  if (!present(HeaderId::contact)) return out;
  out.reserve(count(HeaderId::contact));
  bool star = false;
  for (const HeaderField& field : headers_) {
    if (field.id != HeaderId::contact) continue;
    scan::ListScanner list(field.value);
    std::string_view element;
    while (true) {
      const auto step = list.next(element);
      if (step == scan::ListScanner::Step::end) break;
      if (step == scan::ListScanner::Step::error) {
        return grammar::error_in("Contact", grammar::malformed(list.error()));
      }
      if (out.size() == limits_.max_list_values) {
        return too_many_values(HeaderId::contact, limits_.max_list_values);
      }
      ContactValue& contact = out.emplace_back();
      if (element == "*") {
        // §10.2.2: "*" stands alone (its Expires: 0 is the registrar's check).
        contact.star = star = true;
      } else {
        auto parsed =
            grammar::parse_name_addr_into(element, limits_.uri, false, contact.address, nullptr);
        if (!parsed) return grammar::error_in("Contact", parsed.error());
      }
    }
  }
  if (star && out.size() > 1) {
    return fail(Errc::malformed, "Contact: '*' must be the only value");
  }
  return out;
}

Result<std::vector<NameAddr>> Message::name_addrs(HeaderId id) const {
  std::vector<NameAddr> out;
  if (!present(id)) return out;
  out.reserve(count(id));
  const std::string_view name = canonical_name(id);
  for (const HeaderField& field : headers_) {
    if (field.id != id) continue;
    scan::ListScanner list(field.value);
    std::string_view element;
    while (true) {
      const auto step = list.next(element);
      if (step == scan::ListScanner::Step::end) break;
      if (step == scan::ListScanner::Step::error) {
        return grammar::error_in(name, grammar::malformed(list.error()));
      }
      if (out.size() == limits_.max_list_values) {
        return too_many_values(id, limits_.max_list_values);
      }
      auto parsed = grammar::parse_name_addr_into(element, limits_.uri, requires_brackets(id),
                                                  out.emplace_back(), nullptr);
      if (!parsed) return grammar::error_in(name, parsed.error());
    }
  }
  return out;
}

namespace {

Result<std::uint32_t> delta_seconds(const Message& message, HeaderId id) {
  const auto value = message.header(id);
  if (!value) return absent(id);
  std::uint32_t seconds = 0;
  if (grammar::Fault f = grammar::parse_delta_seconds(*value, seconds)) {
    return grammar::error_in(canonical_name(id), f);
  }
  return seconds;
}

}  // namespace

Result<std::uint32_t> Message::expires() const {
  return delta_seconds(*this, HeaderId::expires);
}

Result<std::uint32_t> Message::min_expires() const {
  return delta_seconds(*this, HeaderId::min_expires);
}

Result<RetryAfter> Message::retry_after() const {
  const auto value = header(HeaderId::retry_after);
  if (!value) return absent(HeaderId::retry_after);
  return parse_retry_after(*value);
}

namespace {

// 1#token (§7.3.1: LWS around the commas), appended to `out` in one walk.
// False when the value is anything else (an empty element, a non-token, too
// many values); tokens() then lets the general list scanner word the error.
bool append_token_list(std::string_view value, std::size_t max_values,
                       std::vector<std::string_view>& out) {
  std::size_t pos = scan::skip_lws(value, 0);
  if (pos == value.size()) return true;
  while (true) {
    const std::size_t end = scan::scan_token(value, pos);
    if (end == pos || out.size() == max_values) return false;
    out.push_back(value.substr(pos, end - pos));
    pos = scan::skip_lws(value, end);
    if (pos == value.size()) return true;
    if (value[pos] != ',') return false;
    pos = scan::skip_lws(value, pos + 1);
  }
}

}  // namespace

Result<std::vector<std::string_view>> Message::tokens(HeaderId id) const {
  std::vector<std::string_view> out;
  if (!present(id)) return out;
  const std::string_view name = canonical_name(id);
  for (const HeaderField& field : headers_) {
    if (field.id != id) continue;
    const std::size_t before = out.size();
    if (append_token_list(field.value, limits_.max_list_values, out)) continue;
    out.resize(before);
    scan::ListScanner list(field.value);
    std::string_view element;
    while (true) {
      const auto step = list.next(element);
      if (step == scan::ListScanner::Step::end) break;
      if (step == scan::ListScanner::Step::error) {
        return grammar::error_in(name, grammar::malformed(list.error()));
      }
      if (!scan::is_token(element)) {
        return grammar::error_in(name, grammar::malformed("value is not a token"));
      }
      if (out.size() == limits_.max_list_values) {
        return too_many_values(id, limits_.max_list_values);
      }
      out.push_back(element);
    }
  }
  return out;
}

}  // namespace sipline::sip

// Message: special members and the on-demand typed accessors.

#include "sip/message.hpp"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sip/grammar.hpp"
#include "sip/scanner.hpp"
#include "sip/via_fast.hpp"

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

// Appends a default element by copying a blank one: emplace_back() would
// value-initialise, which compilers turn into a `rep stos` over the whole
// (large, trivially copyable) struct, slower than a plain copy.
template <class List>
typename List::value_type& append_blank(List& out) {
  static const typename List::value_type blank{};
  return out.emplace_back(blank);
}

// Room for the elements of `fields` fields: one each and a spare, since a
// second element in one field (a Route set, two Contacts) is common and
// growing the vector would cost a further allocation, a move and a free.
std::size_t list_capacity(std::size_t fields) noexcept {
  return fields + 1;
}

// The fields with one id, in order. parse() recorded where the first one is
// and how many there are, so the walk starts there and stops after the last
// one rather than visiting every field of the message.
class FieldsOf {
 public:
  FieldsOf(std::span<const HeaderField> headers, std::size_t first, std::size_t count) {
    if (count == 1) {
      inline_[0] = &headers[first];
      size_ = 1;
      return;
    }
    for (std::size_t i = first; size_ < count; ++i) {
      const HeaderField& field = headers[i];
      if (field.id != headers[first].id) continue;
      if (size_ < kInline) {
        inline_[size_] = &field;
      } else {
        more_.push_back(&field);
      }
      ++size_;
    }
  }
  std::size_t size() const noexcept { return size_; }
  const HeaderField& operator[](std::size_t i) const noexcept {
    return i < kInline ? *inline_[i] : *more_[i - kInline];
  }

 private:
  static constexpr std::size_t kInline = 16;
  const HeaderField* inline_[kInline];  // only [0, size_) is ever read
  std::vector<const HeaderField*> more_;
  std::size_t size_ = 0;
};

NameAddr& address_of(ContactValue& contact) {
  return contact.address;
}
NameAddr& address_of(NameAddr& address) {
  return address;
}
// Contacts have their expires and q parameters noted on the way.
ContactValue::ParamIndex* index_of(ContactValue& contact) {
  return &contact.index;
}
ContactValue::ParamIndex* index_of(NameAddr& /*address*/) {
  return nullptr;
}

// Appends the elements of one name-addr list field with the one-pass
// recogniser (grammar::parse_name_addr_item_fast). False when it is
// undecided anywhere: the caller then drops what this field appended and
// takes the general path (ListScanner, parse_name_addr_into), which gives the
// same elements or words the error.
template <class List>
bool append_name_addrs_fast(std::string_view value, const Limits& limits, List& out) {
  std::size_t pos = 0;
  while (true) {
    if (out.size() == limits.max_list_values) return false;
    auto& item = append_blank(out);
    if (!grammar::parse_name_addr_item_fast(value, pos, limits.uri, address_of(item),
                                            index_of(item))) {
      return false;
    }
    if (pos == value.size()) return true;
    ++pos;  // the ',' between elements
  }
}

}  // namespace

// Moving hands the storage's block over, so every view stays valid.
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;

Message::Message(const Message& other) {
  if (other.bytes().empty()) return;
  // The bytes already passed these limits, so parsing them again succeeds.
  auto copy = parse(other.bytes(), other.limits_);
  if (copy) *this = std::move(*copy);
}

Message& Message::operator=(const Message& other) {
  if (this != &other) *this = Message(other);
  return *this;
}

Message::~Message() = default;

std::optional<std::string_view> Message::header(HeaderId id) const noexcept {
  const std::uint16_t first = first_[static_cast<std::size_t>(id)];
  if (first == 0) return std::nullopt;
  return headers()[first - 1U].value;
}

std::optional<std::string_view> Message::header(std::string_view name) const noexcept {
  const HeaderId id = lookup_header(name);
  if (id != HeaderId::unknown) return header(id);
  for (const HeaderField& field : headers()) {
    if (field.id == HeaderId::unknown && scan::iequals(field.name, name)) return field.value;
  }
  return std::nullopt;
}

// The accessors build their list inside the Result they return, and every
// path returns that one object, so that the list (with its elements held in
// place) is never moved on the way out.

Result<ViaList> Message::vias() const {
  Result<ViaList> result(std::in_place);
  if (!present(HeaderId::via)) return result;
  ViaList& out = *result;
  const auto index = static_cast<std::size_t>(HeaderId::via);
  const FieldsOf fields(headers(), first_[index] - 1U, counts_[index]);
  out.reserve(list_capacity(fields.size()));
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const HeaderField& field = fields[i];
    std::size_t pos = 0;
    if (i == 0) {
      // parse() decoded the top via-parm with the same grammar and limits.
      if (out.size() == limits_.max_list_values) {
        result = too_many_values(HeaderId::via, limits_.max_list_values);
        return result;
      }
      out.push_back(top_via_);
      pos = top_via_end_;
      if (pos >= field.value.size()) continue;
      ++pos;  // the ',' between via-parms
    }
    while (true) {
      if (out.size() == limits_.max_list_values) {
        result = too_many_values(HeaderId::via, limits_.max_list_values);
        return result;
      }
      // The fast path's bool first, as in parse(); a Result only for what
      // the general path decides.
      Via& via = append_blank(out);
      if (!grammar::parse_via_fast(field.value, pos, limits_.uri, via)) {
        via = Via{};
        auto parsed = grammar::parse_via_general(field.value, pos, limits_.uri, via);
        if (!parsed) {
          result = grammar::error_in("Via", parsed.error());
          return result;
        }
      }
      if (pos >= field.value.size()) break;
      ++pos;  // the ',' between via-parms
    }
  }
  return result;
}

Result<ContactList> Message::contacts() const {
  Result<ContactList> result(std::in_place);
  if (!present(HeaderId::contact)) return result;
  ContactList& out = *result;
  const auto index = static_cast<std::size_t>(HeaderId::contact);
  const FieldsOf fields(headers(), first_[index] - 1U, counts_[index]);
  out.reserve(list_capacity(fields.size()));
  bool star = false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const HeaderField& field = fields[i];
    const std::size_t before = out.size();
    if (append_name_addrs_fast(field.value, limits_, out)) continue;
    out.resize(before);
    scan::ListScanner list(field.value);
    std::string_view element;
    while (true) {
      const auto step = list.next(element);
      if (step == scan::ListScanner::Step::end) break;
      if (step == scan::ListScanner::Step::error) {
        result = grammar::error_in("Contact", grammar::malformed(list.error()));
        return result;
      }
      if (out.size() == limits_.max_list_values) {
        result = too_many_values(HeaderId::contact, limits_.max_list_values);
        return result;
      }
      ContactValue& contact = append_blank(out);
      if (element == "*") {
        // §10.2.2: "*" stands alone (its Expires: 0 is the registrar's check).
        contact.star = star = true;
      } else {
        auto parsed =
            grammar::parse_name_addr_into(element, limits_.uri, false, contact.address, nullptr);
        if (!parsed) {
          result = grammar::error_in("Contact", parsed.error());
          return result;
        }
      }
    }
  }
  if (star && out.size() > 1) {
    result = fail(Errc::malformed, "Contact: '*' must be the only value");
  }
  return result;
}

Result<NameAddrList> Message::name_addrs(HeaderId id) const {
  Result<NameAddrList> result(std::in_place);
  if (!present(id)) return result;
  NameAddrList& out = *result;
  const auto index = static_cast<std::size_t>(id);
  const FieldsOf fields(headers(), first_[index] - 1U, counts_[index]);
  out.reserve(list_capacity(fields.size()));
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const HeaderField& field = fields[i];
    const std::size_t before = out.size();
    if (append_name_addrs_fast(field.value, limits_, out)) continue;
    out.resize(before);
    const std::string_view name = canonical_name(id);
    scan::ListScanner list(field.value);
    std::string_view element;
    while (true) {
      const auto step = list.next(element);
      if (step == scan::ListScanner::Step::end) break;
      if (step == scan::ListScanner::Step::error) {
        result = grammar::error_in(name, grammar::malformed(list.error()));
        return result;
      }
      if (out.size() == limits_.max_list_values) {
        result = too_many_values(id, limits_.max_list_values);
        return result;
      }
      auto parsed = grammar::parse_name_addr_into(element, limits_.uri, requires_brackets(id),
                                                  append_blank(out), nullptr);
      if (!parsed) {
        result = grammar::error_in(name, parsed.error());
        return result;
      }
    }
  }
  return result;
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

// End of the run of token characters from pos. Tokens are short, so no
// eight-byte steps (scan_token); four at a time while four bytes remain
// leaves one bounds check per four bytes.
std::size_t token_end(const char* d, std::size_t pos, std::size_t n) noexcept {
  while (n - pos >= 4) {
    if (!scan::is_token_char(d[pos])) return pos;
    if (!scan::is_token_char(d[pos + 1])) return pos + 1;
    if (!scan::is_token_char(d[pos + 2])) return pos + 2;
    if (!scan::is_token_char(d[pos + 3])) return pos + 3;
    pos += 4;
  }
  while (pos < n && scan::is_token_char(d[pos])) ++pos;
  return pos;
}

// 1#token (§7.3.1: LWS around the commas), appended to `out` in one walk.
// False when the value is anything else (an empty element, a non-token, too
// many values); tokens() then lets the general list scanner word the error.
// The usual separator is ", ", so one plain space is skipped before the
// general LWS rule is asked.
bool append_token_list(std::string_view value, std::size_t max_values, TokenList& out) {
  const char* const d = value.data();
  const std::size_t n = value.size();
  std::size_t pos = scan::skip_lws(value, 0);
  if (pos == n) return true;
  while (true) {
    const std::size_t end = token_end(d, pos, n);
    if (end == pos || out.size() == max_values) return false;
    out.emplace_back(d + pos, end - pos);
    if (end == n) return true;
    if (d[end] == ',') {
      pos = end + 1;
      if (pos < n && d[pos] == ' ') ++pos;
      if (pos < n && scan::is_token_char(d[pos])) continue;  // ", " or ","
    } else {
      pos = scan::skip_lws(value, end);
      if (pos == n) return true;
      if (d[pos] != ',') return false;
      ++pos;
    }
    pos = scan::skip_lws(value, pos);
  }
}

}  // namespace

Result<TokenList> Message::tokens(HeaderId id) const {
  Result<TokenList> result(std::in_place);
  if (!present(id)) return result;
  TokenList& out = *result;
  const auto index = static_cast<std::size_t>(id);
  const FieldsOf fields(headers(), first_[index] - 1U, counts_[index]);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const HeaderField& field = fields[i];
    const std::size_t before = out.size();
    if (append_token_list(field.value, limits_.max_list_values, out)) continue;
    out.resize(before);
    const std::string_view name = canonical_name(id);
    scan::ListScanner list(field.value);
    std::string_view element;
    while (true) {
      const auto step = list.next(element);
      if (step == scan::ListScanner::Step::end) break;
      if (step == scan::ListScanner::Step::error) {
        result = grammar::error_in(name, grammar::malformed(list.error()));
        return result;
      }
      if (!scan::is_token(element)) {
        result = grammar::error_in(name, grammar::malformed("value is not a token"));
        return result;
      }
      if (out.size() == limits_.max_list_values) {
        result = too_many_values(id, limits_.max_list_values);
        return result;
      }
      out.push_back(element);
    }
  }
  return result;
}

}  // namespace sipline::sip

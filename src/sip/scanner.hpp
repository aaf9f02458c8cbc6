#pragma once
// Character classes and small scanners for the SIP grammar (RFC 3261 §25.1).
// Everything here works on a std::string_view plus a position, never reads
// outside the view, never allocates and never recurses, so it is safe on
// hostile bytes (NUL included) and usable from any parser in the sip layer.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sipline::sip::scan {

inline constexpr std::size_t npos = std::string_view::npos;

enum CharClass : std::uint8_t {
  kToken = 1 << 0,  // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  kWord = 1 << 1,   // word (Call-ID): token plus ( ) < > : \ DQUOTE / [ ] ? { }
  kDigit = 1 << 2,
  kAlpha = 1 << 3,
  kHex = 1 << 4,
  kWsp = 1 << 5,  // SP / HTAB
  kCtl = 1 << 6,  // %x00-1F / %x7F
  // Unquoted header parameter value: token, host (IPv6 references) and the
  // bare IPv6 address of Via `received` (§20.42, RFC 5118 §4.5).
  kParamValue = 1 << 7,
};

namespace detail {
constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint8_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  constexpr std::string_view digits = "0123456789";
  constexpr std::string_view lower = "abcdefghijklmnopqrstuvwxyz";
  constexpr std::string_view upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  constexpr std::string_view token_marks = "-.!%*_+`'~";
  for (auto set : {digits, lower, upper, token_marks}) {
    add(set, kToken | kWord | kParamValue);
  }
  add("()<>:\\\"/[]?{}", kWord);
  add("[]:", kParamValue);
  add(digits, kDigit | kHex);
  add(lower, kAlpha);
  add(upper, kAlpha);
  add("abcdefABCDEF", kHex);
  add(" \t", kWsp);
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] |= kCtl;
  t[0x7f] |= kCtl;
  return t;
}

// qdtext that needs no further thought (§25.1): SP, HTAB, %x21-7E except
// DQUOTE and '\', and bytes above %x7F (UTF8-NONASCII, not checked further).
constexpr std::array<bool, 256> make_plain_qdtext() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x100; ++c) {
    t[static_cast<std::size_t>(c)] = c != '"' && c != '\\' && c != 0x7f;
  }
  t['\t'] = true;
  return t;
}
inline constexpr std::array<bool, 256> plain_qdtext = make_plain_qdtext();
}  // namespace detail

inline constexpr std::array<std::uint8_t, 256> char_classes = detail::make_char_classes();

constexpr bool in_class(char c, std::uint8_t cls) noexcept {
  return (char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_token_char(char c) noexcept {
  return in_class(c, kToken);
}
constexpr bool is_word_char(char c) noexcept {
  return in_class(c, kWord);
}
constexpr bool is_digit(char c) noexcept {
  return in_class(c, kDigit);
}
constexpr bool is_alpha(char c) noexcept {
  return in_class(c, kAlpha);
}
constexpr bool is_hex(char c) noexcept {
  return in_class(c, kHex);
}
constexpr bool is_wsp(char c) noexcept {
  return c == ' ' || c == '\t';
}
constexpr bool is_ctl(char c) noexcept {
  return in_class(c, kCtl);
}

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (header names, parameter names).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    // Equal bytes are the usual case; otherwise they may differ only in the
    // case bit of a letter.
    if (a[i] != b[i] && (to_lower(a[i]) != to_lower(b[i]))) return false;
  }
  return true;
}

// End of the run of `cls` characters starting at pos; `cls` is one class
// bit. Tests eight characters per step on long runs (Call-IDs, branches,
// tags, host names are long runs).
constexpr std::size_t scan_class(std::string_view s, std::size_t pos, std::uint8_t cls) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  auto at = [d](std::size_t i) { return char_classes[static_cast<unsigned char>(d[i])]; };
  while (n - pos >= 8 && (at(pos) & at(pos + 1) & at(pos + 2) & at(pos + 3) & at(pos + 4) &
                          at(pos + 5) & at(pos + 6) & at(pos + 7) & cls) != 0) {
    pos += 8;
  }
  while (pos < n && (at(pos) & cls) != 0) ++pos;
  return pos;
}
constexpr std::size_t scan_token(std::string_view s, std::size_t pos) noexcept {
  return scan_class(s, pos, kToken);
}
constexpr std::size_t scan_digits(std::string_view s, std::size_t pos) noexcept {
  return scan_class(s, pos, kDigit);
}

// True for a non-empty string of token characters.
constexpr bool is_token(std::string_view s) noexcept {
  return !s.empty() && scan_token(s, 0) == s.size();
}

constexpr std::size_t skip_wsp(std::string_view s, std::size_t pos) noexcept {
  while (pos < s.size() && is_wsp(s[pos])) ++pos;
  return pos;
}

// Skips linear white space: SP, HTAB and folded line breaks (CRLF followed
// by SP or HTAB, §7.3.1). A CRLF not followed by white space is not LWS.
constexpr std::size_t skip_lws(std::string_view s, std::size_t pos) noexcept {
  // Most calls find no white space at all: answer those with one compare.
  if (pos < s.size() && static_cast<unsigned char>(s[pos]) > ' ') return pos;
  while (pos < s.size()) {
    if (is_wsp(s[pos])) {
      ++pos;
    } else if (s[pos] == '\r' && s.size() - pos >= 3 && s[pos + 1] == '\n' && is_wsp(s[pos + 2])) {
      pos += 3;
    } else {
      break;
    }
  }
  return pos;
}

// Removes leading LWS and trailing SP / HTAB / CR / LF (the tail of a fold).
constexpr std::string_view trim_lws(std::string_view s) noexcept {
  s.remove_prefix(skip_lws(s, 0));
  while (!s.empty() && (is_wsp(s.back()) || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE, with s[pos] the
// opening quote. qdtext is LWS or any byte except controls, DQUOTE and '\';
// quoted-pair is '\' and any byte up to %x7F except CR and LF. Returns the
// position after the closing quote, or npos when unterminated or invalid.
constexpr std::size_t scan_quoted_string(std::string_view s, std::size_t pos) noexcept {
  ++pos;
  while (pos < s.size()) {
    if (detail::plain_qdtext[static_cast<unsigned char>(s[pos])]) {
      ++pos;
      continue;
    }
    const char c = s[pos];
    if (c == '"') return pos + 1;
    if (c == '\\') {
      if (s.size() - pos < 2) return npos;
      const auto next = static_cast<unsigned char>(s[pos + 1]);
      if (next == '\r' || next == '\n' || next > 0x7f) return npos;
      pos += 2;
    } else if (is_ctl(c) && c != '\t') {
      const std::size_t after = skip_lws(s, pos);
      if (after == pos) return npos;  // a control that is not a fold
      pos = after;
    } else {
      ++pos;
    }
  }
  return npos;
}

// comment = "(" *(ctext / quoted-pair / comment) ")", with s[pos] == '('.
// Nesting is counted, not recursed into; deeper than max_depth fails.
struct CommentScan {
  enum class Status : std::uint8_t { ok, unterminated, too_deep };
  Status status = Status::ok;
  std::size_t end = 0;  // after the closing ')' when ok
};
constexpr CommentScan scan_comment(std::string_view s, std::size_t pos,
                                   std::size_t max_depth = 32) noexcept {
  std::size_t depth = 0;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '(') {
      if (++depth > max_depth) return {CommentScan::Status::too_deep, pos};
      ++pos;
    } else if (c == ')') {
      ++pos;
      if (--depth == 0) return {CommentScan::Status::ok, pos};
    } else if (c == '\\') {
      if (s.size() - pos < 2 || s[pos + 1] == '\r' || s[pos + 1] == '\n') break;
      pos += 2;
    } else if (is_ctl(c) && c != '\t') {
      const std::size_t after = skip_lws(s, pos);
      if (after == pos) break;
      pos = after;
    } else {
      ++pos;
    }
  }
  return {CommentScan::Status::unterminated, pos};
}

// Decimal number of 1*DIGIT filling the whole view, checked against `max`
// digit by digit so that no input can overflow.
enum class NumberStatus : std::uint8_t { ok, malformed, too_large };
constexpr NumberStatus parse_decimal(std::string_view s, std::uint64_t max,
                                     std::uint64_t& out) noexcept {
  if (s.empty()) return NumberStatus::malformed;
  std::uint64_t value = 0;
  bool too_large = false;
  // value * 10 + d <= max exactly when value < max / 10, or value == max / 10
  // and d <= max % 10: one division per call instead of one per digit.
  const std::uint64_t tenth = max / 10;
  const std::uint64_t last = max % 10;
  for (char c : s) {
    if (!is_digit(c)) return NumberStatus::malformed;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (too_large || value > tenth || (value == tenth && d > last)) {
      too_large = true;  // keep going: a later non-digit is still malformed
    } else {
      value = value * 10 + d;
    }
  }
  if (too_large) return NumberStatus::too_large;
  out = value;
  return NumberStatus::ok;
}

// Walks the elements of a comma-separated header value (§7.3.1): commas
// inside quoted strings and <...> do not separate. Elements are trimmed of
// LWS; an empty element is an error, an empty value has no elements.
class ListScanner {
 public:
  enum class Step : std::uint8_t { element, end, error };

  explicit constexpr ListScanner(std::string_view value) noexcept : s_(value) {
    pos_ = skip_lws(s_, 0);
  }

  constexpr Step next(std::string_view& element) noexcept {
    if (pos_ >= s_.size()) {
      if (!expect_element_) return Step::end;
      return fail("empty list element");
    }
    const std::size_t start = pos_;
    std::size_t i = pos_;
    while (i < s_.size() && s_[i] != ',') {
      if (s_[i] == '"') {
        i = scan_quoted_string(s_, i);
        if (i == npos) return fail("unterminated quoted string");
      } else if (s_[i] == '<') {
        i = s_.find('>', i);
        if (i == npos) return fail("missing '>'");
        ++i;
      } else {
        ++i;
      }
    }
    element = trim_lws(s_.substr(start, i - start));
    if (element.empty()) return fail("empty list element");
    expect_element_ = i < s_.size();  // a comma needs an element after it
    pos_ = expect_element_ ? skip_lws(s_, i + 1) : i;
    return Step::element;
  }

  // The reason for Step::error.
  constexpr const char* error() const noexcept { return error_; }

 private:
  constexpr Step fail(const char* reason) noexcept {
    error_ = reason;
    pos_ = s_.size();
    expect_element_ = false;
    return Step::error;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool expect_element_ = false;
  const char* error_ = "";
};

}  // namespace sipline::sip::scan

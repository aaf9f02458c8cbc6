#pragma once
// %-escape helpers shared by URI parsing and URI comparison (RFC 3261 §19.1.4,
// §25.1). Internal to the sip layer.

#include <cstddef>
#include <string_view>

namespace sipline::sip::detail {

// Value of a hex digit, or -1.
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// RFC 3261 §25.1 "reserved". §19.1.4: characters outside this set are
// equivalent to their %HEX HEX encoding; reserved ones are not.
constexpr bool is_reserved(char c) noexcept {
  switch (c) {
    case ';':
    case '/':
    case '?':
    case ':':
    case '@':
    case '&':
    case '=':
    case '+':
    case '$':
    case ',':
      return true;
    default:
      return false;
  }
}

// One character of URI text after %-decoding. `escaped` is kept only for
// reserved characters, whose escaped and literal forms differ in meaning.
struct UriUnit {
  char ch = 0;
  bool escaped_reserved = false;
};

// Reads the unit at text[pos] and advances pos. A '%' not followed by two
// hex digits inside the view stands for itself.
constexpr UriUnit next_unit(std::string_view text, std::size_t& pos) noexcept {
  const char c = text[pos];
  if (c == '%' && text.size() - pos >= 3) {
    const int hi = hex_value(text[pos + 1]);
    const int lo = hex_value(text[pos + 2]);
    if (hi >= 0 && lo >= 0) {
      pos += 3;
      const char decoded = static_cast<char>(static_cast<unsigned char>(hi * 16 + lo));
      return UriUnit{decoded, is_reserved(decoded)};
    }
  }
  pos += 1;
  return UriUnit{c, false};
}

// Compares two pieces of URI text as §19.1.4 does: escapes of unreserved
// characters decoded, ASCII letters folded when case_insensitive.
constexpr bool equal_escaped(std::string_view a, std::string_view b,
                             bool case_insensitive) noexcept {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const UriUnit x = next_unit(a, i);
    const UriUnit y = next_unit(b, j);
    if (x.escaped_reserved != y.escaped_reserved) return false;
    const char cx = case_insensitive ? ascii_lower(x.ch) : x.ch;
    const char cy = case_insensitive ? ascii_lower(y.ch) : y.ch;
    if (cx != cy) return false;
  }
  return i == a.size() && j == b.size();
}

}  // namespace sipline::sip::detail

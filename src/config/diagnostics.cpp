#include "config/diagnostics.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

namespace sipline::config {
namespace {

std::string location(std::string_view file, std::uint32_t line) {
  return std::string(file) + ":" + std::to_string(line);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Two-row Levenshtein; both words are short key names.
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

Error config_error(std::string_view file, std::uint32_t line, std::string_view key,
                   std::string_view reason) {
  return Error{Errc::invalid_argument,
               location(file, line) + ": " + std::string(key) + ": " + std::string(reason)};
}

std::string ignored_warning(std::string_view file, std::uint32_t line, std::string_view key,
                            std::string_view why) {
  return location(file, line) + ": " + std::string(key) + ": ignored (" + std::string(why) + ")";
}

std::string config_warning(std::string_view file, std::uint32_t line, std::string_view key,
                           std::string_view text) {
  return location(file, line) + ": " + std::string(key) + ": " + std::string(text);
}

std::string range_reason(long long value, long long lo, long long hi) {
  return "value " + std::to_string(value) + " is outside " + std::to_string(lo) + "-" +
         std::to_string(hi);
}

std::optional<std::string_view> closest_match(std::string_view word,
                                              const std::vector<std::string_view>& candidates) {
  if (word.size() > 64) return std::nullopt;  // not a typo of a key name
  const std::size_t limit = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3));
  std::optional<std::string_view> best;
  std::size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::optional<long long> parse_integer(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  long long value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') return std::nullopt;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last) return std::nullopt;
  return value;
}

std::optional<long long> parse_seconds_as_ms(std::string_view text) noexcept {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || fraction.size() > 3) return std::nullopt;
  if (dot != std::string_view::npos && fraction.empty()) return std::nullopt;
  long long ms = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  long long frac = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    frac = frac * 10 + (c - '0');
  }
  return ms * 1000 + frac;
}

std::string quote(std::string_view value) {
  constexpr std::size_t max_shown = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (value.size() > max_shown) out += "...";
  out += '"';
  return out;
}

}  // namespace sipline::config

#include "auth/auth_params.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sipline::auth {
namespace {

constexpr std::size_t kPrintableMax = 64;

bool is_wsp(char c) noexcept {
  return c == ' ' || c == '\t';
}

// Character classes, one bit each, looked up in one table so that the long
// runs (nonces, responses, realms) cost one load per byte.
enum CharClass : std::uint8_t {
  kToken = 1,   // RFC 3261 §25.1 token
  kQdtext = 2,  // qdtext that needs no further thought: HTAB, %x20-7E and
                // bytes above %x7F, except DQUOTE and '\'
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x20; c < 0x100; ++c) {
    if (c != '"' && c != '\\' && c != 0x7f) t[static_cast<std::size_t>(c)] |= kQdtext;
  }
  t['\t'] |= kQdtext;
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] |= kToken;
  for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] |= kToken;
  for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] |= kToken;
  for (char c : std::string_view("-.!%*_+`'~")) t[static_cast<unsigned char>(c)] |= kToken;
  return t;
}
constexpr std::array<std::uint8_t, 256> kClasses = make_classes();

bool is_token_char(char c) noexcept {
  return (kClasses[static_cast<unsigned char>(c)] & kToken) != 0;
}

bool is_qdtext(char c) noexcept {
  return (kClasses[static_cast<unsigned char>(c)] & kQdtext) != 0;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool done() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return s_[pos_]; }
  void advance() noexcept { ++pos_; }

  // SWS = [LWS]; LWS = [*WSP CRLF] 1*WSP. Returns how many bytes were skipped.
  std::size_t skip_sws() noexcept {
    // Most calls find no white space: one compare answers them.
    if (pos_ < s_.size() && static_cast<unsigned char>(s_[pos_]) > ' ') {
      return 0;
    }
    const std::size_t start = pos_;
    for (;;) {
      while (pos_ < s_.size() && is_wsp(s_[pos_])) {
        ++pos_;
      }
      if (pos_ + 2 < s_.size() && s_[pos_] == '\r' && s_[pos_ + 1] == '\n' &&
          is_wsp(s_[pos_ + 2])) {
        pos_ += 2;
        continue;
      }
      return pos_ - start;
    }
  }

  std::string_view token() noexcept {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && is_token_char(s_[pos_])) {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  // At an opening DQUOTE: consumes the quoted-string and returns its raw
  // content. qdtext excludes bare CR/LF and controls other than HTAB; a
  // quoted-pair may escape anything but CR and LF (RFC 3261 §25.1).
  Result<std::string_view> quoted_string() {
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    while (pos_ < s_.size()) {
      if (is_qdtext(s_[pos_])) {
        ++pos_;
        continue;
      }
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        std::string_view content = s_.substr(start, pos_ - start);
        ++pos_;
        return content;
      }
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) {
          break;
        }
        const char escaped = s_[pos_ + 1];
        if (escaped == '\r' || escaped == '\n') {
          return fail(Errc::malformed, "CR or LF in a quoted-pair");
        }
        pos_ += 2;
        continue;
      }
      if (c == '\r') {
        if (pos_ + 2 < s_.size() && s_[pos_ + 1] == '\n' && is_wsp(s_[pos_ + 2])) {
          pos_ += 3;  // folding inside the string is LWS
          continue;
        }
        return fail(Errc::malformed, "bare CR in a quoted-string");
      }
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return fail(Errc::malformed, "control character in a quoted-string");
      }
      ++pos_;
    }
    return fail(Errc::malformed, "unterminated quoted-string");
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

bool is_token(std::string_view text) noexcept {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (!is_token_char(c)) {
      return false;
    }
  }
  return true;
}

const AuthParam* AuthFields::find(std::string_view name) const noexcept {
  for (const auto& p : params) {
    if (iequals(p.name, name)) {
      return &p;
    }
  }
  return nullptr;
}

namespace {

// The whole grammar, every error worded. Fills `out`, which starts empty.
Result<void> split_general_into(std::string_view value, const AuthLimits& limits, AuthFields& out) {
  if (value.size() > limits.max_value_size) {
    return fail(Errc::limit_exceeded, "authentication header value too long");
  }
  Scanner in(value);
  in.skip_sws();
  out.scheme = in.token();
  if (out.scheme.empty()) {
    return fail(Errc::malformed, "missing authentication scheme");
  }
  if (in.done()) {
    return {};
  }
  if (in.skip_sws() == 0) {
    return fail(Errc::malformed, "expected whitespace after the scheme");
  }
  for (;;) {
    in.skip_sws();
    if (in.done()) {
      break;
    }
    if (in.peek() == ',') {  // empty list element
      in.advance();
      continue;
    }
    AuthParam param;
    param.name = in.token();
    if (param.name.empty()) {
      return fail(Errc::malformed, "expected a parameter name");
    }
    in.skip_sws();
    if (in.done() || in.peek() != '=') {
      return fail(Errc::malformed, "expected '=' after parameter " + printable(param.name));
    }
    in.advance();
    in.skip_sws();
    if (!in.done() && in.peek() == '"') {
      auto quoted = in.quoted_string();
      SIPLINE_TRY(quoted);
      param.value = *quoted;
      param.quoted = true;
    } else {
      param.value = in.token();
      if (param.value.empty()) {
        return fail(Errc::malformed, "missing value for parameter " + printable(param.name));
      }
    }
    if (param.value.size() > limits.max_param_size) {
      return fail(Errc::limit_exceeded, "parameter " + printable(param.name) + " too long");
    }
    if (out.find(param.name) != nullptr) {
      return fail(Errc::malformed, "duplicate parameter " + printable(param.name));
    }
    if (out.params.size() >= limits.max_params) {
      return fail(Errc::limit_exceeded, "too many authentication parameters");
    }
    out.params.push_back(param);

    in.skip_sws();
    if (in.done()) {
      break;
    }
    if (in.peek() != ',') {
      return fail(Errc::malformed, "expected ',' between parameters");
    }
    in.advance();
  }
  return {};
}

}  // namespace

namespace {

// One bit per (length, first letter of any case) of a parameter name: two
// names that are equal case-insensitively share the bit, so a clear bit
// proves a name new without comparing it with every earlier one.
std::uint64_t name_bit(std::string_view name) noexcept {
  const unsigned first = static_cast<unsigned char>(name[0]) | 0x20U;
  return std::uint64_t{1} << ((first + name.size() * 7U) & 63U);
}

// The end of the token run from p. Four bytes per bounds check: names and
// token values are short, but most are longer than one or two bytes.
[[gnu::always_inline]] inline const char* skip_token(const char* p, const char* end) noexcept {
  while (end - p >= 4) {
    if (!is_token_char(p[0])) return p;
    if (!is_token_char(p[1])) return p + 1;
    if (!is_token_char(p[2])) return p + 2;
    if (!is_token_char(p[3])) return p + 3;
    p += 4;
  }
  while (p < end && is_token_char(*p)) {
    ++p;
  }
  return p;
}

#if defined(__SSE2__)
// Bit i set when byte i of x is not plain qdtext (DQUOTE, '\', DEL, or a
// control character other than HTAB): the bytes that end the fast scan.
unsigned stop_bytes(__m128i x) noexcept {
  const __m128i control = _mm_andnot_si128(
      _mm_cmpeq_epi8(x, _mm_set1_epi8('\t')),
      _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x));  // x <= 0x1f, unsigned
  const __m128i named = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
      _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(named, control)));
}
#endif

// From just after an opening DQUOTE at or after `begin`: the closing DQUOTE
// when every byte before it is plain qdtext (RFC 3261 §25.1); nullptr when a
// quoted-pair, folding or control character comes first, or no closing
// quote, all of which the general path decides.
const char* plain_quoted_end(const char* begin, const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  for (; end - p >= 16; p += 16) {
    const unsigned stops = stop_bytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (stops != 0) {
      const char* at = p + std::countr_zero(stops);
      return *at == '"' ? at : nullptr;
    }
  }
  if (end - begin >= 16 && p < end) {
    // The last 16 bytes of the value, of which the final end - p are new.
    const auto fresh = static_cast<unsigned>(end - p);
    const unsigned stops =
        stop_bytes(_mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16))) >> (16 - fresh);
    if (stops == 0) {
      return nullptr;  // unterminated
    }
    const char* at = p + std::countr_zero(stops);
    return *at == '"' ? at : nullptr;
  }
#else
  (void)begin;
#endif
  for (; p < end; ++p) {
    if (*p == '"') {
      return p;
    }
    if (!is_qdtext(*p)) {
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace

bool split_auth_fields_fast(std::string_view value, const AuthLimits& limits, AuthFields& out) {
  if (value.size() > limits.max_value_size || value.empty()) {
    return false;
  }
  const char* p = value.data();
  const char* const end = p + value.size();
  const char* scheme_end = skip_token(p, end);
  if (scheme_end == p) {
    return false;
  }
  out.scheme = std::string_view(p, static_cast<std::size_t>(scheme_end - p));
  p = scheme_end;
  if (p == end) {
    return true;
  }
  // Exactly one SP before the first parameter.
  if (*p != ' ') {
    return false;
  }
  ++p;
  // A value no longer than max_param_size holds no longer parameter.
  const bool sizes_fit = value.size() <= limits.max_param_size;
  std::uint64_t names_seen = 0;
  for (;;) {
    // The name, then '=' (an empty name, at the end too, is not the
    // common form).
    const char* name_end = skip_token(p, end);
    if (name_end == p || name_end == end || *name_end != '=') {
      return false;
    }
    const std::string_view name(p, static_cast<std::size_t>(name_end - p));
    p = name_end + 1;
    if (p == end) {
      return false;
    }
    std::string_view param_value;
    bool quoted = false;
    if (*p == '"') {
      ++p;
      const char* close = plain_quoted_end(value.data(), p, end);
      if (close == nullptr) {
        return false;
      }
      param_value = std::string_view(p, static_cast<std::size_t>(close - p));
      quoted = true;
      p = close + 1;
    } else {
      const char* value_end = skip_token(p, end);
      if (value_end == p) {
        return false;
      }
      param_value = std::string_view(p, static_cast<std::size_t>(value_end - p));
      p = value_end;
    }
    if ((!sizes_fit && param_value.size() > limits.max_param_size) ||
        out.params.size() >= limits.max_params) {
      return false;
    }
    const std::uint64_t bit = name_bit(name);
    if ((names_seen & bit) != 0 && out.find(name) != nullptr) {
      return false;
    }
    names_seen |= bit;
    out.params.push_back(AuthParam{name, param_value, quoted});
    if (p == end) {
      return true;
    }
    // "," or ", " before the next name.
    if (*p != ',') {
      return false;
    }
    ++p;
    if (p != end && *p == ' ') {
      ++p;
    }
  }
}

namespace {

// The general splitter into the empty fields inside `result`, its error in
// their place.
void split_general_in_place(std::string_view value, const AuthLimits& limits,
                            Result<AuthFields>& result) {
  if (auto status = split_general_into(value, limits, *result); !status) {
    result = std::move(status).error();
  }
}

}  // namespace

Result<AuthFields> split_auth_fields_general(std::string_view value, const AuthLimits& limits) {
  Result<AuthFields> result(std::in_place);
  split_general_in_place(value, limits, result);
  return result;
}

Result<AuthFields> split_auth_fields(std::string_view value, const AuthLimits& limits) {
  // Built in place and returned by name, so that the parameters, kept inside
  // AuthFields, are never moved.
  Result<AuthFields> result(std::in_place);
  if (split_auth_fields_fast(value, limits, *result)) {
    return result;
  }
  result->scheme = {};
  result->params.clear();
  split_general_in_place(value, limits, result);
  return result;
}

std::string unquote(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\' && i + 1 < raw.size()) {
      out.push_back(raw[++i]);
    } else if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
      ++i;  // folding: the CRLF goes, the whitespace after it stays
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool is_quotable(std::string_view text) noexcept {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

void append_quoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || (u < 0x20 && c != '\t') || u == 0x7f) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

std::string printable(std::string_view text) {
  std::string out = "'";
  const std::size_t n = text.size() < kPrintableMax ? text.size() : kPrintableMax;
  for (std::size_t i = 0; i < n; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    out.push_back(u >= 0x20 && u < 0x7f ? text[i] : '?');
  }
  if (text.size() > n) {
    out += "...";
  }
  out.push_back('\'');
  return out;
}

}  // namespace sipline::auth

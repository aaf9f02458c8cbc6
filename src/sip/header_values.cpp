// Scalar and list header values: CSeq (§20.16), Retry-After (§20.33),
// delta-seconds (Expires §20.19, Min-Expires §20.23), Call-ID (§20.8),
// Content-Type (§20.15) and comma-separated lists (§7.3.1).

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip/fast_paths.hpp"
#include "sip/grammar.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip {
namespace grammar {

Fault parse_delta_seconds(std::string_view text, std::uint32_t& out) {
  std::uint64_t value = 0;
  switch (scan::parse_decimal(text, UINT32_MAX, value)) {
    case scan::NumberStatus::malformed:
      return malformed("not a number of seconds");
    case scan::NumberStatus::too_large:
      return {Errc::out_of_range, "value exceeds 2^32-1"};
    case scan::NumberStatus::ok:
      break;
  }
  out = static_cast<std::uint32_t>(value);
  return {};
}

Fault check_date(std::string_view value) {
  // rfc1123-date = wkday "," SP date1 SP time SP "GMT", e.g.
  // "Sat, 13 Nov 2010 23:29:00 GMT": fixed width, literals case-insensitive.
  constexpr std::string_view kDays = "montuewedthufrisatsun";
  constexpr std::string_view kMonths = "janfebmaraprmayjunjulaugsepoctnovdec";
  auto one_of = [](std::string_view names, std::string_view word) {
    for (std::size_t i = 0; i + 3 <= names.size(); i += 3) {
      if (scan::iequals(names.substr(i, 3), word)) return true;
    }
    return false;
  };
  auto number = [&value](std::size_t at, std::size_t digits, unsigned max) {
    unsigned n = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
      if (!scan::is_digit(value[i])) return false;
      n = n * 10 + static_cast<unsigned>(value[i] - '0');
    }
    return n <= max;
  };
  const bool ok = value.size() == 29 && one_of(kDays, value.substr(0, 3)) &&
                  value.substr(3, 2) == ", " && number(5, 2, 31) && value[7] == ' ' &&
                  one_of(kMonths, value.substr(8, 3)) && value[11] == ' ' && number(12, 4, 9999) &&
                  value[16] == ' ' && number(17, 2, 23) && value[19] == ':' && number(20, 2, 59) &&
                  value[22] == ':' && number(23, 2, 60) && scan::iequals(value.substr(25), " GMT");
  return ok ? Fault{} : malformed("not an RFC 1123 date in GMT");
}

namespace {

#if defined(__SSE2__)
// callid = word [ "@" word ] (§25.1) for values of 16 bytes or more, 16
// bytes at a time, in the usual form only: words of alphanumerics, '-', '.'
// and '_' (all in word). True only when the value is such a valid Call-ID
// (one '@' at most, with a word on each side); false when the scalar check
// must decide (other word characters, invalid bytes).
bool call_id_valid_sse2(std::string_view value) noexcept {
  const char* const d = value.data();
  const std::size_t n = value.size();
  // Unsigned ranges by signed compares: x - lo + 0x80 < span - 0x80.
  const __m128i case_bit = _mm_set1_epi8(0x20);
  const __m128i letter_shift = _mm_set1_epi8(static_cast<char>(0x80 - 'a'));
  const __m128i letter_limit = _mm_set1_epi8(static_cast<char>(0x80 + 26));
  const __m128i digit_shift = _mm_set1_epi8(static_cast<char>(0x80 - '0'));
  const __m128i digit_limit = _mm_set1_epi8(static_cast<char>(0x80 + 10));
  // Per block: the bytes of the usual word set, and the '@' among them.
  auto classify = [&](std::size_t block, unsigned& at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + block));
    // Only 'A'-'Z' and 'a'-'z' fall in 'a'-'z' with the case bit set.
    const __m128i letter =
        _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, case_bit), letter_shift), letter_limit);
    const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, digit_shift), digit_limit);
    const __m128i mark = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')), _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))),
        _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
    const __m128i at_bytes = _mm_cmpeq_epi8(v, _mm_set1_epi8('@'));
    at = static_cast<unsigned>(_mm_movemask_epi8(at_bytes));
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(mark, at_bytes))));
  };
  unsigned good = 0xffffU;
  std::size_t at_position = n;  // of the one '@', n when none
  auto note_at = [&](std::size_t block, unsigned at) {
    if (at_position != n || (at & (at - 1)) != 0) return false;  // a second '@'
    at_position = block + static_cast<std::size_t>(std::countr_zero(at));
    return true;
  };
  std::size_t block = 0;
  for (; n - block >= 16; block += 16) {
    unsigned at = 0;
    good &= classify(block, at);
    if (at != 0 && !note_at(block, at)) return false;
  }
  if (block < n) {
    // The last block ends at the end of the value, overlapping the one
    // before: an '@' in the overlap was counted already.
    const std::size_t last = n - 16;
    unsigned at = 0;
    good &= classify(last, at);
    at &= 0xffffU << static_cast<unsigned>(block - last);
    if (at != 0 && !note_at(last, at)) return false;
  }
  if (good != 0xffffU) return false;
  return at_position != 0 && at_position != n - 1;
}
#endif

}  // namespace

Fault check_call_id(std::string_view value) {
#if defined(__SSE2__)
  if (value.size() >= 16 && call_id_valid_sse2(value)) return {};
#endif
  return check_call_id_general(value);
}

Fault check_call_id_general(std::string_view value) {
  if (value.empty()) return {Errc::missing, "empty value"};
  std::size_t pos = scan::scan_class(value, 0, scan::kWord);
  if (pos == 0) return malformed("invalid character");
  if (pos < value.size() && value[pos] == '@') {
    const std::size_t host = pos + 1;
    pos = scan::scan_class(value, host, scan::kWord);
    if (pos == host) return malformed("empty word after '@'");
  }
  if (pos != value.size()) return malformed("invalid character");
  return {};
}

Fault check_media_type(std::string_view value, std::size_t max_params) {
  std::size_t pos = scan::scan_token(value, 0);
  if (pos == 0) return malformed("invalid media type");
  pos = scan::skip_lws(value, pos);
  if (pos >= value.size() || value[pos] != '/') return malformed("expected '/' in media type");
  pos = scan::skip_lws(value, pos + 1);
  const std::size_t subtype = pos;
  pos = scan::scan_token(value, pos);
  if (pos == subtype) return malformed("invalid media subtype");
  return scan_header_params(value, pos, false, max_params, [](const ScannedParam& p) -> Fault {
    // m-parameter = m-attribute EQUAL m-value
    if (!p.has_value) return malformed("media parameter without value");
    return {};
  });
}

}  // namespace grammar

// CSeq = 1*DIGIT LWS Method; the number is below 2^31 (§8.1.1.5). Every
// form, and the exact errors.
Result<CSeq> grammar::parse_cseq_general(std::string_view value) {
  const std::string_view s = scan::trim_lws(value);
  const std::size_t digits_end = scan::scan_digits(s, 0);
  if (digits_end == 0) return fail(Errc::malformed, "CSeq: missing sequence number");
  CSeq cseq;
  std::uint64_t number = 0;
  if (scan::parse_decimal(s.substr(0, digits_end), 0x7fffffff, number) != scan::NumberStatus::ok) {
    return fail(Errc::out_of_range, "CSeq: number exceeds 2^31-1");
  }
  cseq.number = static_cast<std::uint32_t>(number);
  if (digits_end == s.size()) return fail(Errc::malformed, "CSeq: missing method");
  const std::size_t method_start = scan::skip_lws(s, digits_end);
  if (method_start == digits_end) {
    return fail(Errc::malformed, "CSeq: expected whitespace after the number");
  }
  if (scan::scan_token(s, method_start) != s.size()) {
    return fail(Errc::malformed, "CSeq: invalid method");
  }
  cseq.method_text = s.substr(method_start);
  cseq.method = method_from(cseq.method_text);
  return cseq;
}

bool grammar::parse_cseq_fast(std::string_view value, CSeq& out) noexcept {
  // The usual form in one walk: at most ten digits worth at most 2^31-1,
  // SP / HTAB, a token to the end (so no LWS around the value). Anything
  // else, valid or not, goes to the general reading.
  const char* const d = value.data();
  const std::size_t n = value.size();
  std::size_t i = 0;
  std::uint64_t number = 0;
  while (i < n && i < 10 && scan::is_digit(d[i])) {
    number = number * 10 + static_cast<std::uint64_t>(d[i] - '0');
    ++i;
  }
  if (i == 0 || number > 0x7fffffff || i == n || !scan::is_wsp(d[i])) return false;
  std::size_t method = i + 1;
  while (method < n && scan::is_wsp(d[method])) ++method;
  const std::string_view method_text = value.substr(method);
  const Method id = method_from(method_text);
  // A known method name is a token: only an extension method is scanned.
  if (id == Method::unknown && (method == n || scan::scan_token(value, method) != n)) return false;
  out.number = static_cast<std::uint32_t>(number);
  out.method = id;
  out.method_text = method_text;
  return true;
}

Result<CSeq> parse_cseq(std::string_view value) {
  CSeq cseq;
  if (grammar::parse_cseq_fast(value, cseq)) return cseq;
  return grammar::parse_cseq_general(value);
}

Result<RetryAfter> parse_retry_after(std::string_view value) {
  // Retry-After = delta-seconds [ comment ] *( SEMI retry-param )
  const std::string_view s = scan::trim_lws(value);
  RetryAfter out;
  std::size_t pos = scan::scan_digits(s, 0);
  if (grammar::Fault f = grammar::parse_delta_seconds(s.substr(0, pos), out.seconds)) {
    return grammar::error_in("Retry-After", f);
  }
  pos = scan::skip_lws(s, pos);
  if (pos < s.size() && s[pos] == '(') {
    const scan::CommentScan c = scan::scan_comment(s, pos);
    if (c.status == scan::CommentScan::Status::too_deep) {
      return fail(Errc::limit_exceeded, "Retry-After: comment nested too deeply");
    }
    if (c.status != scan::CommentScan::Status::ok) {
      return fail(Errc::malformed, "Retry-After: unterminated comment");
    }
    out.comment = s.substr(pos + 1, c.end - pos - 2);
    pos = scan::skip_lws(s, c.end);
  }
  const std::size_t params_start = pos;
  bool have_duration = false;
  grammar::Fault f = grammar::scan_header_params(
      s, pos, false, UriLimits{}.max_params,
      [&out, &have_duration](const grammar::ScannedParam& p) {
        if (!scan::iequals(p.name, "duration")) return grammar::Fault{};
        // retry-param = ("duration" EQUAL delta-seconds) / generic-param
        if (have_duration) return grammar::malformed("duplicate duration parameter");
        have_duration = true;
        std::uint32_t seconds = 0;
        if (!p.has_value) return grammar::malformed("duration without a value");
        if (grammar::Fault bad = grammar::parse_delta_seconds(p.value, seconds)) return bad;
        out.duration = seconds;
        return grammar::Fault{};
      });
  if (f) return grammar::error_in("Retry-After", f);
  if (params_start < s.size()) out.params = ParamList(s.substr(params_start));
  return out;
}

Result<std::vector<std::string_view>> split_comma_list(std::string_view value,
                                                       std::size_t max_values) {
  std::vector<std::string_view> out;
  scan::ListScanner list(value);
  std::string_view element;
  while (true) {
    switch (list.next(element)) {
      case scan::ListScanner::Step::end:
        return out;
      case scan::ListScanner::Step::error:
        return fail(Errc::malformed, list.error());
      case scan::ListScanner::Step::element:
        if (out.size() == max_values) {
          return fail(Errc::limit_exceeded,
                      "more than " + std::to_string(max_values) + " list values");
        }
        out.push_back(element);
        break;
    }
  }
}

}  // namespace sipline::sip

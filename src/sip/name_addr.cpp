// name-addr / addr-spec with header parameters (RFC 3261 §20.10, §25.1):
// From, To, Contact, Route, Record-Route, Path, Service-Route, Reply-To...
// and the Contact parameters of RFC 3261 §20.10 and RFC 5626 §4.2.

#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/fast_paths.hpp"
#include "sip/grammar.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"
#include "sip/uri_scan.hpp"

namespace sipline::sip {
namespace grammar {
namespace {

using scan::npos;

// display-name = *(token LWS) / quoted-string. Unquoted names are read up to
// the '<'; bytes above 0x7F are accepted there too, as UTF-8 names are common
// in the field even though the grammar wants them quoted.
bool unquoted_display_char(char c) {
  return scan::is_token_char(c) || scan::is_wsp(c) || static_cast<unsigned char>(c) >= 0x80;
}

// uric = reserved / unreserved / escaped (§25.1); escapes checked apart.
bool is_uric(char c) {
  if (scan::is_alpha(c) || scan::is_digit(c)) return true;
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
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
    case '%':
      return true;
    default:
      return false;
  }
}

// absoluteURI = scheme ":" ( hier-part / opaque-part ): after the scheme,
// which parse_uri has checked, one or more uric.
bool valid_absolute_uri_rest(std::string_view rest) {
  if (rest.empty()) return false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (!is_uric(rest[i])) return false;
    if (rest[i] == '%' &&
        (rest.size() - i < 3 || !scan::is_hex(rest[i + 1]) || !scan::is_hex(rest[i + 2]))) {
      return false;
    }
  }
  return true;
}

// parse_any_uri after the fast path has had its say: `uri` is what
// parse_uri_general (or parse_uri) made of the text.
Result<Uri> any_uri_from(Result<Uri> uri, std::string_view text) {
  if (uri || uri.error().code != Errc::unsupported) return uri;
  // parse_uri only reports an unsupported scheme after checking its syntax.
  const std::size_t colon = text.find(':');
  if (colon == npos || !valid_absolute_uri_rest(text.substr(colon + 1))) {
    return fail(Errc::malformed, "invalid URI");
  }
  Uri opaque;
  opaque.scheme = UriScheme::other;
  opaque.raw = text;
  return opaque;
}

}  // namespace

Result<Uri> parse_any_uri(std::string_view text, const UriLimits& limits) {
  return any_uri_from(parse_uri(text, limits), text);
}

Result<void> parse_any_uri_into(std::string_view text, const UriLimits& limits, Uri& out) {
  if (parse_sip_uri_fast(text, limits, out)) return ok();
  // Undecided: the general parser, without trying the fast path again.
  auto uri = any_uri_from(parse_uri_general(text, limits), text);
  if (!uri) return std::move(uri).error();
  out = *uri;
  return ok();
}

Result<void> check_contact_field(std::string_view value, const UriLimits& limits) {
  if (value.find('?') == npos) return ok();
  scan::ListScanner list(value);
  std::string_view element;
  while (true) {
    switch (list.next(element)) {
      case scan::ListScanner::Step::end:
        return ok();
      case scan::ListScanner::Step::error:
        return fail(Errc::malformed, list.error());
      case scan::ListScanner::Step::element:
        if (element.find('?') != npos && element != "*") {
          NameAddr address;
          SIPLINE_TRY(parse_name_addr_into(element, limits, false, address, nullptr));
        }
        break;
    }
  }
}

namespace {

using fast::detail::kDisplay;
using fast::detail::kQdPlain;
using fast::detail::kTokenChar;
using fast::detail::scan_run;

constexpr bool is_sp_or_tab(char c) noexcept {
  return c == ' ' || c == '\t';
}

// [ display-name ] LAQUOT SIP/SIPS-URI RAQUOT from s[start], which is not
// LWS (§20.10, §25.1), in its common forms: a quoted display name of plain
// qdtext only (no quoted-pair, no fold) or a run of tokens and SP / HTAB,
// then only SP / HTAB before the '<'. Returns the position after the '>',
// or npos when undecided. The URI ends at the first '>' as in the general
// reading, since none of its parts can hold one. `out` is partly written on
// npos.
std::size_t scan_bracketed_name_addr(std::string_view s, std::size_t start, const UriLimits& limits,
                                     NameAddr& out) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  std::size_t i = start;
  if (i < n && d[i] == '"') {
    const std::size_t close = scan_run(d, i + 1, n, kQdPlain);
    if (close >= n || d[close] != '"') return npos;
    out.display_name = s.substr(i + 1, close - i - 1);
    out.display_quoted = true;
    i = close + 1;
    while (i < n && is_sp_or_tab(d[i])) ++i;
  } else {
    // display-name = *(token LWS): the general reading trims the SP / HTAB
    // before the '<' from it.
    i = scan_run(d, i, n, kDisplay);
    std::size_t name_end = i;
    while (name_end > start && is_sp_or_tab(d[name_end - 1])) --name_end;
    out.display_name = s.substr(start, name_end - start);
  }
  if (i >= n || d[i] != '<') return npos;
  const std::size_t uri_start = i + 1;
  const std::size_t close = fast::scan_sip_uri(s, uri_start, limits.max_params, out.uri);
  if (close >= n || d[close] != '>' || close - uri_start > limits.max_length) return npos;
  out.uri.raw = s.substr(uri_start, close - uri_start);
  out.bracketed = true;
  return close + 1;
}

// *( SEMI generic-param ) of a list element from pos, in its common form:
// token names, values that are tokens or quoted strings of plain qdtext, no
// LWS anywhere. Returns where scan_header_params (stopping at a comma) would
// stop, at the ',' or the end, or npos when undecided (any other form, or
// more than max_params).
//
// With `index`, the first expires and q parameters are noted as
// ParamList::get would find them: names compared ignoring case, a flag as an
// empty value, a quoted value with its quotes. get() also matches a name
// written with %-escapes (§19.1.4 applies to URI parameters, and it treats
// all alike), so a name holding a '%' leaves the index invalid.
std::size_t scan_plain_item_params(std::string_view s, std::size_t pos, std::size_t max_params,
                                   ContactValue::ParamIndex* index) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  std::size_t count = 0;
  bool escaped = false;
  while (pos < n && d[pos] != ',') {
    if (d[pos] != ';' || ++count > max_params) return npos;
    const std::size_t name = pos + 1;
    pos = scan_run(d, name, n, kTokenChar);
    if (pos == name) return npos;
    std::optional<std::string_view>* slot = nullptr;
    if (index != nullptr) {
      const std::size_t length = pos - name;
      if (length == 1 && (d[name] | 0x20) == 'q') {
        slot = &index->q;
      } else if (length == 7 && scan::iequals(std::string_view(d + name, 7), "expires")) {
        slot = &index->expires;
      } else if (length >= 3 && std::memchr(d + name, '%', length) != nullptr) {
        escaped = true;
      }
      if (slot != nullptr && slot->has_value()) slot = nullptr;  // not the first
    }
    if (pos < n && d[pos] == '=') {
      const std::size_t value = pos + 1;
      if (value < n && d[value] == '"') {
        const std::size_t quote = scan_run(d, value + 1, n, kQdPlain);
        if (quote >= n || d[quote] != '"') return npos;
        pos = quote + 1;
      } else {
        pos = scan_run(d, value, n, kTokenChar);
        if (pos == value) return npos;
      }
      if (slot != nullptr) *slot = std::string_view(d + value, pos - value);
    } else if (slot != nullptr) {
      *slot = std::string_view{};
    }
  }
  if (index != nullptr) index->valid = !escaped;
  return pos;
}

}  // namespace

// The whole of a trimmed From / To value in one walk: the bracketed
// name-addr above, then header parameters with token values or none, no LWS
// around ';' and '=', the tag (when asked for) taken on the way. False when
// undecided (an addr-spec, a tel URI, a quoted parameter value, a duplicate
// tag...): `out` is then partly written, and the general reading decides.
bool parse_name_addr_fast(std::string_view s, const UriLimits& limits, NameAddr& out,
                          std::string_view* tag) noexcept {
  const char* const d = s.data();
  const std::size_t n = s.size();
  std::size_t pos = scan_bracketed_name_addr(s, 0, limits, out);
  if (pos == npos) return false;
  const std::size_t params_start = pos;
  std::string_view tag_value;
  bool have_tag = false;
  std::size_t count = 0;
  // *( SEMI generic-param ), generic-param = token [ EQUAL token ] here.
  while (pos < n) {
    if (d[pos] != ';' || ++count > limits.max_params) return false;
    const std::size_t name = pos + 1;
    pos = scan_run(d, name, n, kTokenChar);
    if (pos == name) return false;
    // tag-param = "tag" EQUAL token (§25.1); only 'T' and 't' give 't' with
    // the case bit set, and so on.
    const bool is_tag = tag != nullptr && pos - name == 3 && (d[name] | 0x20) == 't' &&
                        (d[name + 1] | 0x20) == 'a' && (d[name + 2] | 0x20) == 'g';
    if (pos < n && d[pos] == '=') {
      const std::size_t value = pos + 1;
      pos = scan_run(d, value, n, kTokenChar);
      if (pos == value || (pos < n && d[pos] != ';')) return false;
      if (is_tag) {
        if (have_tag) return false;
        have_tag = true;
        tag_value = s.substr(value, pos - value);
      }
    } else if (is_tag) {
      return false;  // a tag without a value
    }
  }
  out.raw = s;
  if (params_start < n) out.params = ParamList(s.substr(params_start));
  if (have_tag) *tag = tag_value;
  return true;
}

// The general reading of a trimmed name-addr / addr-spec: every form, and
// the exact errors.
Result<void> parse_name_addr_general(std::string_view s, const UriLimits& limits,
                                     bool require_brackets, NameAddr& out, std::string_view* tag) {
  if (s.empty()) return fail(Errc::missing, "empty value");
  out.raw = s;
  std::size_t pos = 0;
  std::size_t laquot = npos;  // position of '<' in the name-addr form
  if (s[0] == '"') {
    const std::size_t end = scan::scan_quoted_string(s, 0);
    if (end == npos) return fail(Errc::malformed, "unterminated or invalid quoted display name");
    out.display_name = s.substr(1, end - 2);
    out.display_quoted = true;
    laquot = scan::skip_lws(s, end);
    if (laquot >= s.size() || s[laquot] != '<') {
      return fail(Errc::malformed, "expected '<' after the display name");
    }
  } else {
    std::size_t i = 0;
    while (i < s.size()) {
      if (unquoted_display_char(s[i])) {
        ++i;
      } else {
        const std::size_t after = scan::skip_lws(s, i);  // a folded line
        if (after == i) break;
        i = after;
      }
    }
    if (i < s.size() && s[i] == '<') {
      laquot = i;
      out.display_name = scan::trim_lws(s.substr(0, i));
    } else if (s.find('<', i) != npos) {
      // Not an addr-spec either, as no URI holds '<' (§25.1).
      return fail(Errc::malformed, "display name must be tokens or a quoted string");
    }
  }

  std::string_view uri_text;
  if (laquot != npos) {
    // LAQUOT addr-spec RAQUOT: no whitespace inside the brackets.
    const std::size_t close = s.find('>', laquot + 1);
    if (close == npos) return fail(Errc::malformed, "missing '>'");
    uri_text = s.substr(laquot + 1, close - laquot - 1);
    out.bracketed = true;
    pos = close + 1;
  } else {
    if (require_brackets) return fail(Errc::malformed, "expected a URI in <>");
    // §20: without <>, every ';' parameter belongs to the header field, and
    // a URI with a ',', '?' or ';' must be enclosed.
    std::size_t end = 0;
    while (end < s.size() && s[end] != ';' && !scan::is_wsp(s[end]) && s[end] != '\r') ++end;
    uri_text = s.substr(0, end);
    if (uri_text.find_first_of(",?") != npos) {
      return fail(Errc::malformed, "a URI with ',' or '?' must be enclosed in <>");
    }
    pos = end;
  }
  SIPLINE_TRY(parse_any_uri_into(uri_text, limits, out.uri));

  const std::size_t params_start = scan::skip_lws(s, pos);
  pos = params_start;
  bool have_tag = false;
  Fault f = scan_header_params(s, pos, false, limits.max_params,
                               [tag, &have_tag](const ScannedParam& p) -> Fault {
                                 if (tag == nullptr || !scan::iequals(p.name, "tag")) return {};
                                 // tag-param = "tag" EQUAL token (§25.1)
                                 if (have_tag) return malformed("duplicate tag parameter");
                                 if (!p.token_value) {
                                   return malformed("invalid tag");
                                 }
                                 have_tag = true;
                                 *tag = p.value;
                                 return {};
                               });
  if (f) return Error{f.code, f.reason};
  if (params_start < s.size()) out.params = ParamList(s.substr(params_start));
  return ok();
}

Result<void> parse_name_addr_into(std::string_view value, const UriLimits& limits,
                                  bool require_brackets, NameAddr& out, std::string_view* tag) {
  const std::string_view s = scan::trim_lws(value);
  if (parse_name_addr_fast(s, limits, out, tag)) return ok();
  out = NameAddr{};  // undo what the fast path wrote
  return parse_name_addr_general(s, limits, require_brackets, out, tag);
}

bool parse_name_addr_item_fast(std::string_view s, std::size_t& pos, const UriLimits& limits,
                               NameAddr& out, ContactValue::ParamIndex* index) {
  const std::size_t start = scan::skip_lws(s, pos);
  if (start >= s.size()) return false;
  std::size_t laquot = start;
  if (s[start] == '"') {
    const std::size_t end = scan::scan_quoted_string(s, start);
    if (end == npos) return false;
    out.display_name = s.substr(start + 1, end - start - 2);
    out.display_quoted = true;
    laquot = scan::skip_lws(s, end);
    if (laquot >= s.size()) return false;
  }
  if (s[laquot] != '<') return false;  // a token display name, an addr-spec, "*"
  // LAQUOT addr-spec RAQUOT: the first '>' closes it, as no URI holds one.
  // A SIP URI is walked to its end in place; other URIs take the search.
  const std::size_t uri_start = laquot + 1;
  std::size_t close = fast::scan_sip_uri(s, uri_start, limits.max_params, out.uri);
  if (close < s.size() && s[close] == '>' && close - uri_start <= limits.max_length) {
    out.uri.raw = s.substr(uri_start, close - uri_start);
  } else {
    out.uri = Uri{};
    close = s.find('>', uri_start);
    if (close == npos) return false;
    if (!parse_any_uri_into(s.substr(uri_start, close - uri_start), limits, out.uri)) return false;
  }
  out.bracketed = true;
  const std::size_t params_start = scan::skip_lws(s, close + 1);
  std::size_t end = scan_plain_item_params(s, params_start, limits.max_params, index);
  if (end == npos) {
    if (index != nullptr) *index = {};  // the readers will search
    end = params_start;
    if (scan_header_params(s, end, true, limits.max_params,
                           [](const ScannedParam&) { return Fault{}; })) {
      return false;
    }
  }
  pos = end;  // at the ',' or the end
  while (end > start && (scan::is_wsp(s[end - 1]) || s[end - 1] == '\r' || s[end - 1] == '\n')) {
    --end;
  }
  out.raw = s.substr(start, end - start);
  if (params_start < end) out.params = ParamList(s.substr(params_start, end - params_start));
  return true;
}

}  // namespace grammar

Result<NameAddr> parse_name_addr(std::string_view value) {
  std::string_view tag;
  NameAddr out;
  auto parsed = grammar::parse_name_addr_into(value, UriLimits{}, false, out, &tag);
  if (!parsed) return parsed.error();
  return out;
}

namespace {

std::optional<std::uint32_t> unsigned_value(std::optional<std::string_view> value,
                                            std::uint64_t max) {
  std::uint64_t number = 0;
  if (!value || scan::parse_decimal(*value, max, number) != scan::NumberStatus::ok) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(number);
}

}  // namespace

std::optional<std::uint32_t> ContactValue::expires() const {
  // c-p-expires = "expires" EQUAL delta-seconds (§20.10)
  return unsigned_value(index.valid ? index.expires : address.params.get("expires"), UINT32_MAX);
}

std::optional<double> ContactValue::q() const {
  // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (§25.1)
  const auto value = index.valid ? index.q : address.params.get("q");
  if (!value || value->empty() || value->size() > 5) return std::nullopt;
  const std::string_view v = *value;
  if (v[0] != '0' && v[0] != '1') return std::nullopt;
  if (v.size() == 1) return v[0] == '1' ? 1.0 : 0.0;
  if (v[1] != '.') return std::nullopt;
  unsigned thousandths = 0;
  unsigned scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (!scan::is_digit(v[i])) return std::nullopt;
    thousandths += static_cast<unsigned>(v[i] - '0') * scale;
  }
  if (v[0] == '1') return thousandths == 0 ? std::optional<double>(1.0) : std::nullopt;
  return static_cast<double>(thousandths) / 1000.0;
}

std::optional<std::string_view> ContactValue::instance() const {
  // +sip.instance = DQUOTE "<" instance-val ">" DQUOTE (RFC 5626 §4.1)
  auto value = address.params.get("+sip.instance");
  if (!value) return std::nullopt;
  std::string_view v = *value;
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

std::optional<std::uint32_t> ContactValue::reg_id() const {
  // reg-id = 1*DIGIT ; 1 to (2^31 - 1) (RFC 5626 §4.2)
  auto id = unsigned_value(address.params.get("reg-id"), 0x7fffffff);
  if (id && *id == 0) return std::nullopt;
  return id;
}

}  // namespace sipline::sip

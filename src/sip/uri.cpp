// SIP/SIPS URI grammar (RFC 3261 §19.1.1, §25.1), tel URIs (RFC 3966 §3)
// and the parameter lists they share with header fields.

#include "sip/uri.hpp"

#include <array>
#include <cstdint>
#include <string>

#include "sip/escape.hpp"
#include "sip/grammar.hpp"

namespace sipline::sip {
namespace {

// Character classes of RFC 3261 §25.1 (and RFC 3966 §3 for tel), one bit
// each. '%' is in no class but its own: escapes are checked separately.
enum CharClass : std::uint16_t {
  kUnreserved = 1 << 0,     // alphanum / mark
  kUserExtra = 1 << 1,      // user-unreserved: & = + $ , ; ? /
  kPasswordExtra = 1 << 2,  // & = + $ ,
  kParamExtra = 1 << 3,     // param-unreserved: [ ] / : & + $
  kHeaderExtra = 1 << 4,    // hnv-unreserved: [ ] / ? : + $
  kToken = 1 << 5,          // token (§25.1), used by header parameters
  kPhoneDigit = 1 << 6,     // DIGIT / visual-separator
  kPhoneDigitHex = 1 << 7,  // HEXDIG / * / # / visual-separator
  kTelParamName = 1 << 8,   // alphanum / "-"
  kUricExtra = 1 << 9,      // reserved characters allowed in isub, except ';'
  kParamStop = 1 << 10,     // ends a parameter name in ParamList: = ; LWS
  kPercent = 1 << 11,       // '%', which starts an escape
};

constexpr std::array<std::uint16_t, 256> make_classes() {
  std::array<std::uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  constexpr std::string_view digits = "0123456789";
  constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  constexpr std::string_view mark = "-_.!~*'()";
  for (auto set : {digits, letters, mark}) add(set, kUnreserved);
  add("&=+$,;?/", kUserExtra);
  add("&=+$,", kPasswordExtra);
  add("[]/:&+$", kParamExtra);
  add("[]/?:+$", kHeaderExtra);
  add(digits, kToken);
  add(letters, kToken);
  add("-.!%*_+`'~", kToken);
  add(digits, kPhoneDigit | kPhoneDigitHex | kTelParamName);
  add("-.()", kPhoneDigit | kPhoneDigitHex);
  add("abcdefABCDEF*#", kPhoneDigitHex);
  add(letters, kTelParamName);
  add("-", kTelParamName);
  add("/?:@&=+$,", kUricExtra);
  add("=; \t\r\n", kParamStop);
  add("%", kPercent);
  return t;
}

constexpr std::array<std::uint16_t, 256> kClasses = make_classes();

constexpr bool in_class(char c, std::uint16_t cls) {
  return (kClasses[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr bool is_lws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// True when every character of `s` is in `cls` or starts a complete
// "%" HEXDIG HEXDIG escape (when escapes are allowed at all).
bool valid_text(std::string_view s, std::uint16_t cls, bool escapes = true) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_class(c, cls)) continue;
    if (c != '%' || !escapes || s.size() - i < 3 || detail::hex_value(s[i + 1]) < 0 ||
        detail::hex_value(s[i + 2]) < 0) {
      return false;
    }
    i += 2;
  }
  return true;
}

std::size_t skip_lws(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_lws(s[pos])) ++pos;
  return pos;
}

// End of the quoted-string starting at s[open] == '"', one past the closing
// quote; s.size() when unterminated. Never reads past the view.
std::size_t quoted_end(std::string_view s, std::size_t open) {
  // Usually there is no quoted-pair: then the first '"' closes the string
  // (two vectorised searches instead of a loop over long +sip.instance
  // values).
  const std::size_t close = s.find('"', open + 1);
  if (close == std::string_view::npos) return s.size();
  if (s.substr(open + 1, close - open - 1).find('\\') == std::string_view::npos) return close + 1;
  std::size_t i = open + 1;
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
    } else if (s[i] == '"') {
      return i + 1;
    } else {
      ++i;
    }
  }
  return s.size();
}

Unexpected too_many(std::string_view what) {
  return fail(Errc::limit_exceeded, "too many " + std::string(what));
}

// uri-parameters = *( ";" pname [ "=" pvalue ] ), pname/pvalue = 1*paramchar.
Result<void> check_sip_params(std::string_view text, std::size_t max_params) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++pos;  // ';'
    std::size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view param = text.substr(pos, end - pos);
    const std::size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    if (name.empty()) return fail(Errc::malformed, "empty URI parameter name");
    if (!valid_text(name, kUnreserved | kParamExtra)) {
      return fail(Errc::malformed, "invalid character in URI parameter name");
    }
    if (eq != std::string_view::npos) {
      const std::string_view value = param.substr(eq + 1);
      if (value.empty()) return fail(Errc::malformed, "empty URI parameter value");
      if (!valid_text(value, kUnreserved | kParamExtra)) {
        return fail(Errc::malformed, "invalid character in URI parameter value");
      }
    }
    if (++count > max_params) return too_many("URI parameters");
    pos = end;
  }
  return ok();
}

// headers = "?" header *( "&" header ), header = hname "=" hvalue.
Result<void> check_headers(std::string_view text, std::size_t max_headers) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t end = text.find('&', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view header = text.substr(pos, end - pos);
    const std::size_t eq = header.find('=');
    if (eq == std::string_view::npos) return fail(Errc::malformed, "URI header without '='");
    if (eq == 0) return fail(Errc::malformed, "empty URI header name");
    if (!valid_text(header.substr(0, eq), kUnreserved | kHeaderExtra) ||
        !valid_text(header.substr(eq + 1), kUnreserved | kHeaderExtra)) {
      return fail(Errc::malformed, "invalid character in URI header");
    }
    if (++count > max_headers) return too_many("URI headers");
    if (end == text.size()) return ok();
    pos = end + 1;
  }
}

Result<void> parse_sip(std::string_view rest, const UriLimits& limits, Uri& uri) {
  // '@' appears nowhere in a SIP URI except after the userinfo (it is not in
  // any parameter or header character class), while the user part may hold
  // ';' and '?' (RFC 4475 §3.1.1.9), so the '@' decides where userinfo ends.
  const std::size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    uri.user = userinfo.substr(0, colon);
    if (uri.user.empty()) return fail(Errc::malformed, "empty user in URI");
    if (!valid_text(uri.user, kUnreserved | kUserExtra)) {
      return fail(Errc::malformed, "invalid character in URI user");
    }
    if (colon != std::string_view::npos) {
      const std::string_view password = userinfo.substr(colon + 1);
      if (!valid_text(password, kUnreserved | kPasswordExtra)) {
        return fail(Errc::malformed, "invalid character in URI password");
      }
      uri.password = password;
    }
    rest.remove_prefix(at + 1);
  }

  std::size_t host_end = 0;
  while (host_end < rest.size() && rest[host_end] != ';' && rest[host_end] != '?') ++host_end;
  auto host_port = parse_host_port(rest.substr(0, host_end));
  SIPLINE_TRY(host_port);
  uri.host_port = *host_port;
  if (host_end == rest.size()) return ok();
  rest.remove_prefix(host_end);

  const std::size_t question = rest.find('?');
  const std::string_view params = rest.substr(0, question);
  SIPLINE_TRY(check_sip_params(params, limits.max_params));
  uri.params = ParamList(params);
  if (question == std::string_view::npos) return ok();
  uri.headers = rest.substr(question + 1);
  return check_headers(uri.headers, limits.max_params);
}

// global-number-digits = "+" *phonedigit DIGIT *phonedigit
bool valid_global_number(std::string_view s) {
  if (!s.starts_with('+')) return false;
  s.remove_prefix(1);
  return valid_text(s, kPhoneDigit, false) &&
         s.find_first_of("0123456789") != std::string_view::npos;
}

// local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
bool valid_local_number(std::string_view s) {
  return valid_text(s, kPhoneDigitHex, false) &&
         s.find_first_not_of("-.()") != std::string_view::npos;
}

// RFC 3966 §3 par / context, one parameter without its ';'.
Result<void> check_tel_param(std::string_view param, bool& has_context) {
  const std::size_t eq = param.find('=');
  const std::string_view name = param.substr(0, eq);
  if (name.empty() || !valid_text(name, kTelParamName, false)) {
    return fail(Errc::malformed, "invalid tel URI parameter name");
  }
  const bool has_value = eq != std::string_view::npos;
  const std::string_view value = has_value ? param.substr(eq + 1) : std::string_view{};
  if (has_value && value.empty()) return fail(Errc::malformed, "empty tel URI parameter value");
  if (detail::iequals(name, "phone-context")) {
    // descriptor = domainname / global-number-digits
    bool valid = false;
    if (value.starts_with('+')) {
      valid = valid_global_number(value);
    } else if (!value.empty()) {
      auto host = parse_host_port(value);
      valid = host && host->kind == HostKind::hostname && !host->port;
    }
    if (!valid) return fail(Errc::malformed, "invalid tel URI phone-context");
    has_context = true;
  } else if (detail::iequals(name, "ext")) {
    if (value.empty() || !valid_text(value, kPhoneDigit, false)) {
      return fail(Errc::malformed, "invalid tel URI extension");
    }
  } else if (detail::iequals(name, "isub")) {
    if (value.empty() || !valid_text(value, kUnreserved | kUricExtra)) {
      return fail(Errc::malformed, "invalid tel URI subaddress");
    }
  } else if (!valid_text(value, kUnreserved | kParamExtra)) {
    return fail(Errc::malformed, "invalid character in tel URI parameter");
  }
  return ok();
}

Result<void> parse_tel(std::string_view rest, const UriLimits& limits, Uri& uri) {
  const std::size_t semi = rest.find(';');
  uri.user = rest.substr(0, semi);
  const bool global = uri.user.starts_with('+');
  if (global ? !valid_global_number(uri.user) : !valid_local_number(uri.user)) {
    return fail(Errc::malformed, "invalid tel URI number");
  }
  const std::string_view params =
      semi == std::string_view::npos ? std::string_view{} : rest.substr(semi);
  bool has_context = false;
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < params.size()) {
    ++pos;  // ';'
    std::size_t end = params.find(';', pos);
    if (end == std::string_view::npos) end = params.size();
    SIPLINE_TRY(check_tel_param(params.substr(pos, end - pos), has_context));
    if (++count > limits.max_params) return too_many("URI parameters");
    pos = end;
  }
  // RFC 3966 §5.1.5: a local number is meaningless without its context.
  if (!global && !has_context) return fail(Errc::missing, "local tel URI without phone-context");
  uri.params = ParamList(params);
  return ok();
}

// Reads the parameter at the start of `rest` into `p` and leaves `rest`
// after it; false at the end of the list. Works on any text without reading
// past the view; validation happens in the parse functions.
bool next_param(std::string_view& rest, Param& p) {
  const std::string_view s = rest;
  const char* const d = s.data();
  const std::size_t n = s.size();
  std::size_t pos = skip_lws(s, 0);
  if (pos >= n || d[pos] != ';') return false;
  pos = skip_lws(s, pos + 1);
  const std::size_t name_start = pos;
  while (pos < n && !in_class(d[pos], kParamStop)) ++pos;
  p = Param{s.substr(name_start, pos - name_start), {}, false};
  if (pos < n && d[pos] != '=' && d[pos] != ';') pos = skip_lws(s, pos);
  if (pos < n && d[pos] == '=') {
    pos = skip_lws(s, pos + 1);
    const std::size_t value_start = pos;
    if (pos < n && d[pos] == '"') {
      pos = quoted_end(s, pos);
    } else {
      while (pos < n && d[pos] != ';' && !is_lws(d[pos])) ++pos;
    }
    p.value = s.substr(value_start, pos - value_start);
    p.has_value = true;
  }
  // The next parameter usually starts right here; otherwise skip to it.
  if (pos < n && d[pos] != ';') {
    pos = s.find(';', pos);
    if (pos == std::string_view::npos) pos = n;
  }
  rest = s.substr(pos);
  return true;
}

}  // namespace

ParamList::iterator::iterator(std::string_view rest) : rest_(rest) {
  load();
}

ParamList::iterator& ParamList::iterator::operator++() {
  load();
  return *this;
}

void ParamList::iterator::load() {
  done_ = !next_param(rest_, current_);
  if (done_) {
    rest_ = {};
    current_ = {};
  }
}

std::size_t ParamList::size() const {
  std::size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

namespace {

bool holds_percent(std::string_view s) noexcept {
  // Names are short: a plain loop beats a memchr call.
  for (const char c : s) {
    if (c == '%') return true;
  }
  return false;
}

}  // namespace

// The walk of next_param, without building a Param for every parameter
// passed over: a parameter that does not match only needs its end found.
std::optional<std::string_view> ParamList::get(std::string_view name) const {
  if (raw_.empty()) return std::nullopt;  // the usual Contact, Route...
  const bool escaped_name = holds_percent(name);
  const std::string_view s = raw_;
  const char* const d = s.data();
  const std::size_t n = s.size();
  std::size_t pos = 0;
  while (true) {
    pos = skip_lws(s, pos);
    if (pos >= n || d[pos] != ';') return std::nullopt;
    pos = skip_lws(s, pos + 1);
    const std::size_t name_start = pos;
    // The name runs to the next = ; LWS; a '%' on the way is noted, as only
    // a name holding one can match a shorter name after decoding.
    bool percent = false;
    while (true) {
      while (pos < n && !in_class(d[pos], kParamStop | kPercent)) ++pos;
      if (pos >= n || d[pos] != '%') break;
      percent = true;
      ++pos;
    }
    const std::string_view pname(d + name_start, pos - name_start);
    bool match;
    if (escaped_name) {
      match = detail::equal_escaped(pname, name, true);
    } else if (pname.size() == name.size()) {
      // §19.1.4 decoding only shortens a name, so a written name of the same
      // length matches exactly when it is equal ignoring case, and a shorter
      // one never does: only longer names holding a '%' need the decoding
      // comparison.
      match = detail::iequals(pname, name);
    } else {
      match = pname.size() > name.size() && percent && detail::equal_escaped(pname, name, true);
    }
    if (pos < n && d[pos] != '=' && d[pos] != ';') pos = skip_lws(s, pos);
    if (pos < n && d[pos] == '=') {
      pos = skip_lws(s, pos + 1);
      if (match) {
        const std::size_t value_start = pos;
        if (pos < n && d[pos] == '"') {
          pos = quoted_end(s, pos);
        } else {
          while (pos < n && d[pos] != ';' && !is_lws(d[pos])) ++pos;
        }
        return s.substr(value_start, pos - value_start);
      }
      // A quoted value may hold a ';'; an unquoted one ends before the
      // next ';' in any case (next_param stops it at LWS, then looks for
      // the ';').
      if (pos < n && d[pos] == '"') pos = quoted_end(s, pos);
    } else if (match) {
      return std::string_view{};  // a flag parameter
    }
    while (pos < n && d[pos] != ';') ++pos;
  }
}

std::string Uri::transport() const {
  const auto value = params.get("transport");
  if (!value) return {};
  std::string out = unescape(*value);
  for (char& c : out) c = detail::ascii_lower(c);
  return out;
}

Result<Uri> parse_uri(std::string_view text, const UriLimits& limits) {
  Uri fast;
  if (grammar::parse_sip_uri_fast(text, limits, fast)) return fast;
  return grammar::parse_uri_general(text, limits);
}

Result<Uri> grammar::parse_uri_general(std::string_view text, const UriLimits& limits) {
  if (text.size() > limits.max_length) return fail(Errc::limit_exceeded, "URI too long");
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  std::size_t colon = 0;
  while (colon < text.size() && text[colon] != ':') {
    const char c = text[colon];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && (colon == 0 || !other)) return fail(Errc::malformed, "invalid URI scheme");
    ++colon;
  }
  if (colon == 0 || colon == text.size()) return fail(Errc::malformed, "missing URI scheme");
  const std::string_view scheme = text.substr(0, colon);
  const std::string_view rest = text.substr(colon + 1);

  Uri uri;
  uri.raw = text;
  if (detail::iequals(scheme, "sip") || detail::iequals(scheme, "sips")) {
    uri.scheme = scheme.size() == 3 ? UriScheme::sip : UriScheme::sips;
    SIPLINE_TRY(parse_sip(rest, limits, uri));
  } else if (detail::iequals(scheme, "tel")) {
    uri.scheme = UriScheme::tel;
    SIPLINE_TRY(parse_tel(rest, limits, uri));
  } else {
    constexpr std::size_t kShown = 32;
    return fail(Errc::unsupported,
                "unsupported URI scheme '" + std::string(scheme.substr(0, kShown)) + "'");
  }
  return uri;
}

Result<ParamList> parse_header_params(std::string_view text, std::size_t max_params) {
  std::size_t first = skip_lws(text, 0);
  std::size_t last = text.size();
  while (last > first && is_lws(text[last - 1])) --last;
  const std::string_view s = text.substr(first, last - first);

  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    if (s[pos] != ';') return fail(Errc::malformed, "expected ';' before parameter");
    pos = skip_lws(s, pos + 1);
    const std::size_t name_start = pos;
    while (pos < s.size() && in_class(s[pos], kToken)) ++pos;
    if (pos == name_start) return fail(Errc::malformed, "invalid parameter name");
    pos = skip_lws(s, pos);
    if (pos < s.size() && s[pos] == '=') {
      pos = skip_lws(s, pos + 1);
      if (pos >= s.size()) return fail(Errc::malformed, "missing parameter value");
      if (s[pos] == '"') {
        // quoted-string: qdtext is LWS or any byte but controls, '"' and
        // '\'; quoted-pair escapes anything but CR and LF (§25.1).
        std::size_t i = pos + 1;
        bool closed = false;
        while (i < s.size() && !closed) {
          const auto c = static_cast<unsigned char>(s[i]);
          if (c == '\\') {
            if (i + 1 >= s.size() || s[i + 1] == '\r' || s[i + 1] == '\n') break;
            i += 2;
            continue;
          }
          if (c == '"') {
            closed = true;
          } else if ((c < 0x20 && !is_lws(s[i])) || c == 0x7f) {
            break;
          }
          ++i;
        }
        if (!closed) return fail(Errc::malformed, "bad quoted parameter value");
        pos = i;
      } else if (s[pos] == '[') {
        const std::size_t close = s.find(']', pos);
        if (close == std::string_view::npos) {
          return fail(Errc::malformed, "unterminated IPv6 reference");
        }
        auto host = parse_host_port(s.substr(pos, close + 1 - pos));
        if (!host) return fail(Errc::malformed, "invalid IPv6 reference in parameter");
        pos = close + 1;
      } else {
        const std::size_t value_start = pos;
        while (pos < s.size() && in_class(s[pos], kToken)) ++pos;
        if (pos == value_start) return fail(Errc::malformed, "invalid parameter value");
      }
      pos = skip_lws(s, pos);
    }
    if (++count > max_params) return too_many("parameters");
  }
  return ParamList(s);
}

}  // namespace sipline::sip

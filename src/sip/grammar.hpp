#pragma once
// Header-value grammar shared by the message parser and the typed accessors
// (RFC 3261 §25.1). Internal to the sip layer: the public entry points are
// declared in message.hpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace sipline::sip::grammar {

// A grammar failure with a static reason, turned into an Error (with the
// header name in front) only when it reaches the caller. Keeps the success
// path free of string building.
struct Fault {
  Errc code = Errc::malformed;
  const char* reason = nullptr;
  explicit constexpr operator bool() const noexcept { return reason != nullptr; }
};
constexpr Fault malformed(const char* reason) noexcept {
  return {Errc::malformed, reason};
}

inline Error error_in(std::string_view header, const Fault& fault) {
  std::string message;
  message.reserve(header.size() + 2 + std::char_traits<char>::length(fault.reason));
  message.append(header).append(": ").append(fault.reason);
  return Error{fault.code, std::move(message)};
}

// Prefixes an error from a nested parser (a URI, a host) with the header.
inline Error error_in(std::string_view header, const Error& inner) {
  std::string message;
  message.reserve(header.size() + 2 + inner.message.size());
  message.append(header).append(": ").append(inner.message);
  return Error{inner.code, std::move(message)};
}

// One header parameter as scanned: `value` keeps the quotes of a
// quoted-string (so that ParamList reads the same text).
struct ScannedParam {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
  bool quoted = false;
  bool token_value = false;  // an unquoted value that is a token (branch, tag)
};

// Scans *( SEMI generic-param ) from pos (RFC 3261 §25.1: SEMI and EQUAL
// allow LWS around them; gen-value = token / host / quoted-string). Stops at
// the end of `s`, or at a ',' when `stop_at_comma`; pos is left there.
// `visit(const ScannedParam&)` returns a Fault to abort. At most max_params.
template <class Visit>
Fault scan_header_params(std::string_view s, std::size_t& pos, bool stop_at_comma,
                         std::size_t max_params, Visit&& visit) {
  std::size_t count = 0;
  while (true) {
    pos = scan::skip_lws(s, pos);
    if (pos >= s.size() || (stop_at_comma && s[pos] == ',')) return {};
    if (s[pos] != ';') return malformed("unexpected character before parameter");
    if (++count > max_params) return {Errc::limit_exceeded, "too many parameters"};
    pos = scan::skip_lws(s, pos + 1);
    ScannedParam p;
    const std::size_t name_end = scan::scan_token(s, pos);
    if (name_end == pos) return malformed("invalid parameter name");
    p.name = s.substr(pos, name_end - pos);
    pos = scan::skip_lws(s, name_end);
    if (pos < s.size() && s[pos] == '=') {
      pos = scan::skip_lws(s, pos + 1);
      std::size_t value_end = pos;
      if (pos < s.size() && s[pos] == '"') {
        value_end = scan::scan_quoted_string(s, pos);
        if (value_end == scan::npos) return malformed("bad quoted parameter value");
        p.quoted = true;
      } else {
        // A token, the usual case, is told apart in the same walk, so that
        // the callers need not scan it again.
        value_end = scan::scan_token(s, pos);
        p.token_value = value_end > pos;
        if (value_end < s.size() && scan::in_class(s[value_end], scan::kParamValue)) {
          value_end = scan::scan_class(s, value_end, scan::kParamValue);
          p.token_value = false;
        }
        if (value_end == pos) return malformed("missing parameter value");
      }
      p.value = s.substr(pos, value_end - pos);
      p.has_value = true;
      pos = value_end;
    } else {
      pos = name_end;
    }
    if (Fault f = visit(static_cast<const ScannedParam&>(p))) return f;
  }
}

// lookup_header without the public wrapper: exact for any bytes, so a name
// it recognises is a valid token by construction.
HeaderId lookup_known_header(std::string_view name) noexcept;

// delta-seconds = 1*DIGIT, at most 2^32-1 (§20.19, §20.33).
Fault parse_delta_seconds(std::string_view text, std::uint32_t& out);

// The parsers below fill a default-constructed `out` in place (no copies of
// the large structs on the hot path); their errors are not prefixed with the
// header name.

// One via-parm starting at pos; on success pos is at the ',' that ends it or
// at the end of `s`.
Result<void> parse_via_into(std::string_view s, std::size_t& pos, const UriLimits& limits,
                            Via& out);

// name-addr / addr-spec followed by header parameters (§20.10). `tag`, when
// given, receives the tag parameter. Route-like headers require the <...>
// form (§20.30, §20.34, RFC 3327, RFC 3608).
Result<void> parse_name_addr_into(std::string_view value, const UriLimits& limits,
                                  bool require_brackets, NameAddr& out, std::string_view* tag);

// One element of a name-addr list (Contact, Route, Record-Route...) read in
// place, without splitting the list first: from pos in the whole field value
// up to the ',' that ends the element (pos is left there) or the end. Decides
// only the name-addr form with no or a quoted display name, and only when the
// element is valid: the same result parse_name_addr_into gives for the
// element that ListScanner would cut. False when undecided (`out` is then
// partly written): the caller splits and parses in the general way, which
// also words the errors.
// With `index`, the element's expires and q parameters are noted in it on the
// way (a Contact); `index->valid` says whether the walk could.
bool parse_name_addr_item_fast(std::string_view s, std::size_t& pos, const UriLimits& limits,
                               NameAddr& out, ContactValue::ParamIndex* index = nullptr);

// A URI as the message grammar allows it (§25.1 addr-spec, Request-URI):
// SIP, SIPS and tel through parse_uri, any other absoluteURI kept opaque
// (UriScheme::other, only `raw` set).
Result<Uri> parse_any_uri(std::string_view text, const UriLimits& limits);
// The same into a default-constructed `out` (no copy of the Uri on the hot
// path); on failure `out` is unspecified.
Result<void> parse_any_uri_into(std::string_view text, const UriLimits& limits, Uri& out);

// The one-pass recogniser for the common SIP/SIPS URI forms (uri_fast.cpp):
// true with `uri` filled when `text` is such a URI and valid; false when
// undecided (invalid, or a form it leaves to parse_uri), `uri` then partly
// written.
bool parse_sip_uri_fast(std::string_view text, const UriLimits& limits, Uri& uri) noexcept;
// parse_uri without that fast path: every form, and the exact errors.
Result<Uri> parse_uri_general(std::string_view text, const UriLimits& limits);

// The one Contact defect parse() rejects although Contact is decoded on
// demand: an addr-spec carrying URI headers ('?'), whose meaning would be
// ambiguous (§20.10, RFC 4475 §3.1.2.13). Cheap unless the value has a '?'.
Result<void> check_contact_field(std::string_view value, const UriLimits& limits);

// Date: rfc1123-date in GMT (§20.17, §25.1).
Fault check_date(std::string_view value);

// Call-ID: callid = word [ "@" word ] (§25.1).
Fault check_call_id(std::string_view value);
// Content-Type: m-type SLASH m-subtype *( SEMI m-parameter ) (§20.15).
Fault check_media_type(std::string_view value, std::size_t max_params);

}  // namespace sipline::sip::grammar

#include "reg/route_set.hpp"

#include <cstddef>
#include <optional>

#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::reg {
namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = text[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Result<void> require_sip(const sip::Uri& uri, std::string_view what) {
  if (uri.scheme != sip::UriScheme::sip && uri.scheme != sip::UriScheme::sips) {
    return fail(Errc::unsupported, std::string(what) + " is not a SIP or SIPS URI");
  }
  return ok();
}

// A route as configured, reduced to the text of its URI.
Result<std::string> route_uri_text(std::string_view configured) {
  const std::string_view text = trim(configured);
  if (text.empty()) return fail(Errc::malformed, "empty route");
  if (text.front() == '<' || text.front() == '"') {
    auto name_addr = sip::parse_name_addr(text);
    if (!name_addr) return fail(name_addr.error().code, "route: " + name_addr.error().message);
    SIPLINE_TRY(require_sip(name_addr->uri, "route"));
    return std::string(name_addr->uri.raw);
  }
  std::string uri = iequals_prefix(text, "sip:") || iequals_prefix(text, "sips:")
                        ? std::string(text)
                        : "sip:" + std::string(text);
  auto parsed = sip::parse_uri(uri);
  if (!parsed) return fail(parsed.error().code, "route: " + parsed.error().message);
  SIPLINE_TRY(require_sip(*parsed, "route"));
  return uri;
}

// Offsets into a parsed URI's text: where its parameters start and where the
// part before the headers ends.
struct UriLayout {
  std::size_t params_begin = 0;
  std::size_t body_end = 0;
};

UriLayout layout(const sip::Uri& uri, std::string_view text) {
  UriLayout out;
  if (!uri.headers.empty()) {
    out.body_end = static_cast<std::size_t>(uri.headers.data() - text.data()) - 1;
  } else {
    out.body_end = !text.empty() && text.back() == '?' ? text.size() - 1 : text.size();
  }
  out.params_begin = uri.params.empty()
                         ? out.body_end
                         : static_cast<std::size_t>(uri.params.raw().data() - text.data());
  return out;
}

// `uri` with ;lr added unless present. The text was validated by the caller.
std::string with_lr(const std::string& uri) {
  auto parsed = sip::parse_uri(uri);
  if (!parsed || parsed->loose_route()) return uri;
  const UriLayout l = layout(*parsed, uri);
  std::string out = uri.substr(0, l.body_end);
  out += ";lr";
  out += std::string_view(uri).substr(l.body_end);
  return out;
}

// §12.2.1.1: the route becomes the Request-URI "stripping any parameters
// that are not allowed in a Request-URI"; per §19.1.1 those are method and
// the headers component.
std::string as_request_uri(const std::string& uri) {
  auto parsed = sip::parse_uri(uri);
  if (!parsed) return uri;
  const UriLayout l = layout(*parsed, uri);
  std::string out = uri.substr(0, l.params_begin);
  for (const sip::Param& p : parsed->params) {
    if (p.name.size() == 6 && iequals_prefix(p.name, "method")) continue;
    out += ';';
    out += p.name;
    if (p.has_value) {
      out += '=';
      out += p.value;
    }
  }
  return out;
}

std::string bracketed(std::string_view uri) {
  std::string out;
  out.reserve(uri.size() + 2);
  out += '<';
  out += uri;
  out += '>';
  return out;
}

}  // namespace

Result<RequestRoute> build_route(std::string_view target_uri,
                                 std::span<const std::string> route_set, bool honour_strict) {
  const std::string target(trim(target_uri));
  auto parsed_target = sip::parse_uri(target);
  if (!parsed_target) {
    return fail(parsed_target.error().code, "target: " + parsed_target.error().message);
  }
  SIPLINE_TRY(require_sip(*parsed_target, "target"));

  std::vector<std::string> uris;
  uris.reserve(route_set.size());
  for (const std::string& configured : route_set) {
    auto uri = route_uri_text(configured);
    if (!uri) return uri.error();
    uris.push_back(std::move(*uri));
  }

  RequestRoute out;
  if (uris.empty()) {
    // §8.1.2: no route set, the request goes to the Request-URI itself.
    out.request_uri = target;
    out.next_hop = target;
    return out;
  }

  const bool first_is_loose = sip::parse_uri(uris.front()).value().loose_route();
  if (honour_strict && !first_is_loose) {
    out.strict = true;
    out.request_uri = as_request_uri(uris.front());
    out.next_hop = out.request_uri;
    for (std::size_t i = 1; i < uris.size(); ++i) out.routes.push_back(bracketed(uris[i]));
    out.routes.push_back(bracketed(target));
    return out;
  }

  out.request_uri = target;
  for (std::string& uri : uris) {
    out.routes.push_back(bracketed(honour_strict ? uri : with_lr(uri)));
  }
  out.next_hop = honour_strict ? uris.front() : with_lr(uris.front());
  return out;
}

}  // namespace sipline::reg

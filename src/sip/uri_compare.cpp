// URI equivalence: RFC 3261 §19.1.4 for SIP and SIPS, RFC 3966 §4 for tel.

#include <string>

#include "sip/escape.hpp"
#include "sip/uri.hpp"

namespace sipline::sip {
namespace {

// §19.1.4: these parameters in only one of the URIs make them differ. The
// RFC's list omits transport, but its own example (sip:bob@biloxi.com vs
// sip:bob@biloxi.com;transport=udp, "can resolve to different transports")
// requires it too.
bool must_be_in_both(std::string_view name) {
  for (std::string_view special : {"user", "ttl", "method", "maddr", "transport"}) {
    if (detail::equal_escaped(name, special, true)) return true;
  }
  return false;
}

bool sip_param_values_equal(std::string_view name, std::string_view x, std::string_view y) {
  if (detail::equal_escaped(name, "maddr", true)) {
    // maddr holds a host: compare addresses, not spellings.
    auto hx = parse_host_port(x);
    auto hy = parse_host_port(y);
    if (hx && hy) return host_port_equivalent(*hx, *hy);
  }
  return detail::equal_escaped(x, y, true);
}

// Only the first of several parameters with one name counts, as in
// ParamList::get(); comparing the later ones would make a URI with
// ";x=1;x=2" differ from itself.
bool is_first_with_name(const ParamList& list, const Param& p) {
  for (const Param& q : list) {
    if (detail::equal_escaped(q.name, p.name, true)) return q.name.data() == p.name.data();
  }
  return false;
}

// Every parameter of `a` also in `b` has an equal value there, and no
// must-be-in-both parameter of `a` is missing from `b`.
bool sip_params_match_one_way(const ParamList& a, const ParamList& b) {
  for (const Param& p : a) {
    if (!is_first_with_name(a, p)) continue;
    const auto other = b.get(p.name);
    if (!other) {
      if (must_be_in_both(p.name)) return false;
      continue;
    }
    if (!sip_param_values_equal(p.name, p.value, *other)) return false;
  }
  return true;
}

struct UriHeader {
  std::string_view name;
  std::string_view value;
};

// Iterates "hname=hvalue&..." text already validated by the parser.
class HeaderCursor {
 public:
  explicit HeaderCursor(std::string_view text) : rest_(text), done_(text.empty()) {}
  bool next(UriHeader& out) {
    if (done_) return false;
    const std::size_t amp = rest_.find('&');
    const std::string_view item = rest_.substr(0, amp);
    const std::size_t eq = item.find('=');
    out.name = item.substr(0, eq);
    out.value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    if (amp == std::string_view::npos) {
      done_ = true;
    } else {
      rest_.remove_prefix(amp + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
  bool done_;
};

// Header names are case-insensitive; values are compared as written after
// decoding, since most header field values are case-sensitive (§20).
bool same_header(const UriHeader& x, const UriHeader& y) {
  return detail::equal_escaped(x.name, y.name, true) &&
         detail::equal_escaped(x.value, y.value, false);
}

std::size_t count_header(std::string_view headers, const UriHeader& h) {
  std::size_t n = 0;
  HeaderCursor cursor(headers);
  UriHeader item;
  while (cursor.next(item)) {
    if (same_header(item, h)) ++n;
  }
  return n;
}

// §19.1.4: header components are never ignored; order does not matter.
// Compared as multisets: equal sizes and equal multiplicity of each of a's
// headers imply b has nothing else.
bool headers_match(std::string_view a, std::string_view b) {
  std::size_t size_a = 0;
  HeaderCursor cursor(a);
  UriHeader h;
  while (cursor.next(h)) {
    ++size_a;
    if (count_header(a, h) != count_header(b, h)) return false;
  }
  std::size_t size_b = 0;
  HeaderCursor cursor_b(b);
  while (cursor_b.next(h)) ++size_b;
  return size_a == size_b;
}

bool sip_equivalent(const Uri& a, const Uri& b) {
  // Userinfo, password included, is case-sensitive.
  if (!detail::equal_escaped(a.user, b.user, false)) return false;
  if (a.password.has_value() != b.password.has_value()) return false;
  if (a.password && !detail::equal_escaped(*a.password, *b.password, false)) return false;
  if (!host_port_equivalent(a.host_port, b.host_port)) return false;
  if (!sip_params_match_one_way(a.params, b.params)) return false;
  if (!sip_params_match_one_way(b.params, a.params)) return false;
  return headers_match(a.headers, b.headers);
}

constexpr bool is_visual_separator(char c) {
  return c == '-' || c == '.' || c == '(' || c == ')';
}

// RFC 3966 §4: digits compared after removing visual separators, ignoring
// case (local numbers may hold hex digits).
bool numbers_equal(std::string_view x, std::string_view y) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (true) {
    while (i < x.size() && is_visual_separator(x[i])) ++i;
    while (j < y.size() && is_visual_separator(y[j])) ++j;
    if (i == x.size() || j == y.size()) return i == x.size() && j == y.size();
    if (detail::ascii_lower(x[i]) != detail::ascii_lower(y[j])) return false;
    ++i;
    ++j;
  }
}

bool tel_param_values_equal(std::string_view name, std::string_view x, std::string_view y) {
  const bool digits = detail::iequals(name, "ext") ||
                      (detail::iequals(name, "phone-context") && x.starts_with('+'));
  if (digits) return numbers_equal(x, y);
  return detail::equal_escaped(x, y, true);
}

// RFC 3966 §4: a parameter in only one URI makes them differ.
bool tel_params_match_one_way(const ParamList& a, const ParamList& b) {
  for (const Param& p : a) {
    if (!is_first_with_name(a, p)) continue;
    const auto other = b.get(p.name);
    if (!other || !tel_param_values_equal(p.name, p.value, *other)) return false;
  }
  return true;
}

bool tel_equivalent(const Uri& a, const Uri& b) {
  if (a.user.starts_with('+') != b.user.starts_with('+')) return false;
  return numbers_equal(a.user, b.user) && tel_params_match_one_way(a.params, b.params) &&
         tel_params_match_one_way(b.params, a.params);
}

}  // namespace

bool uri_equivalent(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;
  // No comparison rules are known for an opaque URI: only identical text.
  if (a.scheme == UriScheme::other) return a.raw == b.raw;
  return a.scheme == UriScheme::tel ? tel_equivalent(a, b) : sip_equivalent(a, b);
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) out.push_back(detail::next_unit(text, pos).ch);
  return out;
}

}  // namespace sipline::sip

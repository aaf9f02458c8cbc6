// URI grammar and comparison. The whole input is parsed as a URI, as
// host[:port], as header parameters and as a raw parameter list; when it holds
// a '\n', the two sides are also parsed as two URIs and compared.
// Invariants: every view lies inside the input, a URI is equivalent to itself,
// re-parsing its text from another buffer gives an equivalent URI, comparison
// is symmetric, and decoding never grows the text.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/uri.hpp"

namespace {

using sipline::sip::HostPort;
using sipline::sip::Param;
using sipline::sip::ParamList;
using sipline::sip::Uri;
using sipline::sip::UriLimits;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// Iterates any list and checks its views; returns the count.
std::size_t walk(const ParamList& list, std::string_view whole) {
  std::size_t n = 0;
  for (const Param& p : list) {
    check(inside(p.name, whole));
    check(inside(p.value, whole));
    check(p.has_value || p.value.empty());
    check(n <= whole.size());  // each parameter consumes at least one byte
    ++n;
  }
  check(n == list.size());
  return n;
}

std::optional<Uri> parse_checked(std::string_view text) {
  const UriLimits limits;
  auto result = sipline::sip::parse_uri(text, limits);
  if (!result) {
    check(!result.error().message.empty());
    return std::nullopt;
  }
  const Uri& uri = *result;
  check(uri.raw.data() == text.data() && uri.raw.size() == text.size());
  check(inside(uri.user, text));
  check(inside(uri.password.value_or(std::string_view{}), text));
  check(inside(uri.host(), text));
  check(inside(uri.params.raw(), text));
  check(inside(uri.headers, text));
  check(uri.params.empty() || uri.params.raw().front() == ';');
  check(walk(uri.params, text) <= limits.max_params);
  check(uri.transport().size() <= text.size());
  check(sipline::sip::uri_equivalent(uri, uri));

  // The same text in another buffer parses to an equivalent URI.
  const std::string copy(uri.raw);
  auto again = sipline::sip::parse_uri(copy, limits);
  check(again.has_value());
  check(sipline::sip::uri_equivalent(uri, *again));
  check(sipline::sip::uri_equivalent(*again, uri));
  return uri;
}

void check_host_port(std::string_view text) {
  auto hp = sipline::sip::parse_host_port(text);
  if (!hp) return;
  check(inside(hp->host, text));
  check(!hp->host.empty());
  check(!hp->port || *hp->port != 0);
  check(sipline::sip::host_port_equivalent(*hp, *hp));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  parse_checked(text);
  check_host_port(text);
  check(sipline::sip::unescape(text).size() <= text.size());
  walk(ParamList(text), text);  // unvalidated text: must still stay inside
  if (auto params = sipline::sip::parse_header_params(text, 64)) {
    check(inside(params->raw(), text));
    check(walk(*params, text) <= 64);
  }

  const std::size_t newline = text.find('\n');
  if (newline != std::string_view::npos) {
    const std::string_view first = text.substr(0, newline);
    const std::string_view second = text.substr(newline + 1);
    const auto a = parse_checked(first);
    const auto b = parse_checked(second);
    if (a && b) {
      check(sipline::sip::uri_equivalent(*a, *b) == sipline::sip::uri_equivalent(*b, *a));
      check(sipline::sip::host_port_equivalent(a->host_port, b->host_port) ==
            sipline::sip::host_port_equivalent(b->host_port, a->host_port));
    }
    auto ha = sipline::sip::parse_host_port(first);
    auto hb = sipline::sip::parse_host_port(second);
    if (ha && hb) {
      check(sipline::sip::host_port_equivalent(*ha, *hb) ==
            sipline::sip::host_port_equivalent(*hb, *ha));
    }
  }
  return 0;
}

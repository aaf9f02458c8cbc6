// The one-pass recogniser for the common SIP/SIPS URI forms behind
// parse_uri (RFC 3261 §19.1.1, §25.1): scheme, userinfo, host, port and
// uri-parameters validated and split in a single left-to-right walk with
// table-driven character classes (uri_scan.hpp, shared with the name-addr
// fast paths). It decides only the common forms (no URI headers, IPv6
// references only in their plain form) and only when they are valid;
// anything else goes to the general parser in uri.cpp, which gives the same
// verdict and the exact error (see host_scan.hpp for why that keeps
// validation as strict).

#include <string_view>

#include "sip/grammar.hpp"
#include "sip/uri.hpp"
#include "sip/uri_scan.hpp"

namespace sipline::sip::grammar {

bool parse_sip_uri_fast(std::string_view text, const UriLimits& limits, Uri& uri) noexcept {
  if (text.size() > limits.max_length) return false;
  // The whole text must be the URI: scan_sip_uri stops at '?' (URI headers)
  // and at any byte no part of the URI may hold.
  if (fast::scan_sip_uri(text, 0, limits.max_params, uri) != text.size()) return false;
  uri.raw = text;
  return true;
}

}  // namespace sipline::sip::grammar

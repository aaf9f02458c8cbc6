#pragma once
// Where a request outside a dialog goes: its Request-URI, its Route header
// fields and the URI of its first hop, from the remote target and a preloaded
// route set (RFC 3261 §8.1.2, with the strict-router rewrite of §12.2.1.1).
// A pure function, so that registration, the redundancy policy and calls all
// route the same way and it can be tested on its own.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace sipline::reg {

struct RequestRoute {
  std::string request_uri;          // for the request line
  std::vector<std::string> routes;  // Route header field values ("<uri>"), topmost first
  std::string next_hop;             // the URI to resolve (RFC 3263) for the first hop
  bool strict = false;              // the first hop is a strict router
};

// `target_uri` is the remote target (the registrar URI for a REGISTER).
// Each element of `route_set` is a SIP or SIPS URI, optionally in <...>; a
// bare `host[:port][;params]` is read as `sip:host[:port][;params]`, which is
// how phone configurations write outbound proxies.
//
// With `honour_strict`, a first route without ;lr is an RFC 2543 strict
// router (§12.2.1.1): the Request-URI becomes that route (without the
// parameters a Request-URI may not carry, §19.1.1), the remaining routes
// follow, and the target is appended as the last Route. Without it every
// route is taken as a loose router and marked with ;lr, which is what phones
// offer as "force loose routing" for proxies that forgot the parameter.
//
// Fails with Errc::malformed or Errc::unsupported when the target or a route
// is not a SIP/SIPS URI.
Result<RequestRoute> build_route(std::string_view target_uri,
                                 std::span<const std::string> route_set, bool honour_strict);

}  // namespace sipline::reg

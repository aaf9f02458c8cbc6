#pragma once
// The Via parser's two halves, apart so that tests can hold one against the
// other. Internal to the sip layer; grammar::parse_via_into (grammar.hpp)
// runs the fast one and, when it does not decide, the general one.

#include <cstddef>
#include <string_view>

#include "common/result.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace sipline::sip::grammar {

// One via-parm in the usual form only, in a single left-to-right walk:
// "SIP/2.0/" transport, one SP, sent-by (host name, IPv4 address or plain
// IPv6 reference, optional port) and ";name[=value]" parameters without
// LWS, quoted values or any irregularity. True when it decided: `via` and
// `pos` are then exactly what parse_via_general gives. False otherwise, with
// `via` partly written and `pos` unchanged: the caller resets `via` and runs
// the general parser, which accepts the rare valid forms and words the
// errors.
bool parse_via_fast(std::string_view s, std::size_t& pos, const UriLimits& limits,
                    Via& via) noexcept;

// The whole via-parm grammar (RFC 3261 §20.42, §25.1), into a
// default-constructed `via`, with the contract of parse_via_into.
Result<void> parse_via_general(std::string_view s, std::size_t& pos, const UriLimits& limits,
                               Via& via);

}  // namespace sipline::sip::grammar

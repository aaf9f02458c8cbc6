#pragma once
// The REGISTER of one binding (RFC 3261 §10.2), as a builder ready for the
// RequestSender to add its Via. Pure: every value comes in through
// RegisterRequest, so the exact request for any state of the client can be
// checked in a test.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/digest_client.hpp"
#include "common/result.hpp"
#include "reg/registration_client.hpp"
#include "reg/request_sender.hpp"
#include "reg/route_set.hpp"
#include "sip/builder.hpp"

namespace sipline::reg {

// The methods a REGISTER advertises in Allow: what the user agent answers.
inline constexpr std::string_view kAllowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS";

// Our Contact URI at `address`: "sip:user@host:port", with ";transport=tcp"
// or ";transport=tls" on streams (UDP is the default and left out), IPv6
// literals in brackets. An empty user gives "sip:host:port".
std::string contact_uri(std::string_view user, const LocalAddress& address);

struct RegisterRequest {
  const BindingConfig* binding = nullptr;  // identity, Call-ID, instance, user agent
  const RequestRoute* route = nullptr;     // Request-URI and Route fields
  std::string_view from_tag;
  std::uint32_t cseq = 1;
  std::uint32_t expires = 0;  // lifetime asked for `contact`; 0 removes it
  std::string_view contact;   // our Contact URI, from contact_uri()
  // A Contact of ours to remove in the same request (the address before a
  // NAT rewrite), or empty. It carries no +sip.instance, so that a registrar
  // matching bindings by instance (RFC 5626 §6) cannot take the removal for
  // the new binding.
  std::string_view retired_contact;
  std::span<const auth::AuthorizationHeader> authorization;
};

// Builds the request:
//   REGISTER <request_uri>                      (§10.2: the registrar's domain)
//   Max-Forwards: 70
//   Route: ...                                  (the route set, §8.1.2)
//   From: "Display" <aor>;tag=<from_tag>        (§10.2: From = To = AOR)
//   To: <aor>
//   Call-ID, CSeq <n> REGISTER                  (§10.2: one Call-ID per binding)
//   Contact: <contact>;+sip.instance="<urn>";reg-id=N;expires=<expires>
//   Contact: <retired>;expires=0                (only when retiring one)
//   Expires: <expires>
//   Supported: path[, outbound]                 (RFC 3327; RFC 5626 §4.2 with reg-id)
//   Allow, User-Agent, Authorization / Proxy-Authorization
// and checks that it renders to a message the parser accepts. Never writes
// "Contact: *": that would remove the bindings of the user's other devices
// (§10.2.2). Fails (Errc::malformed) when a configured value cannot be
// written into the request, e.g. an AOR that is not a SIP URI or a display
// name with a line break.
Result<sip::MessageBuilder> build_register(const RegisterRequest& request);

}  // namespace sipline::reg

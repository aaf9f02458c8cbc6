#pragma once
// How the user agent answers an out-of-dialog request that reaches it.

#include "sip/builder.hpp"
#include "sip/message.hpp"

namespace sipline::ua {

// OPTIONS is answered 200 whoever asks (RFC 3261 §11.2: registrars and
// proxies use it as a keep-alive probe, and it reveals nothing an INVITE
// would not). Anything else is answered only for a trusted source (one an
// account is registered with, RFC 3261 §26.3.2.2 advice against unsolicited
// requests from anywhere): 501 until the request has a handler; 403 for an
// untrusted source.
int inbound_status(const sip::Message& request, bool trusted) noexcept;

// The response for `request` with that status; `to_tag` for the To header.
sip::MessageBuilder inbound_response(const sip::Message& request, bool trusted,
                                     std::string_view to_tag);

}  // namespace sipline::ua

#pragma once
// How messages find their transaction (RFC 3261 §17.1.3, §17.2.3, §9.2), how
// merged requests are recognised (§8.2.2.2) and where a server sends its
// responses (§18.2.2, RFC 3581 §4).
//
// Keys are opaque strings. Each field is written with its length first, so
// no two different field lists give the same key whatever bytes they hold.

#include <string>
#include <string_view>

#include "sip/message.hpp"
#include "sip/target.hpp"

namespace sipline::txn {

// §17.1.3: the top Via branch and the CSeq method. A CANCEL and the INVITE it
// cancels share the branch but not the method.
std::string client_key(std::string_view branch, std::string_view method);
// The client key a request creates, and the one a response looks up.
std::string client_key_of_request(const sip::Message& request);
std::string client_key_of_response(const sip::Message& response);

// How a received request is matched to a server transaction.
struct ServerMatch {
  std::string key;
  // RFC 2543 fallback (no magic cookie in the branch): the key leaves out the
  // To tag, which is then compared separately because for an ACK it is the
  // tag of our response rather than of the INVITE (§17.2.3).
  bool rfc2543 = false;
};

// §17.2.3. An ACK is keyed as the INVITE it acknowledges. `method` overrides
// the method used in the key (the INVITE that a CANCEL targets, §9.2).
ServerMatch server_match(const sip::Message& request);
ServerMatch server_match(const sip::Message& request, std::string_view method);

// §8.2.2.2: From tag, Call-ID and CSeq (number and method). Empty when the
// request is not checked: it has a To tag (in-dialog), no From tag (RFC 2543
// peers), or is an ACK (which creates no transaction).
std::string merge_key(const sip::Message& request);

// Where responses to `request`, received from `source`, go. Reliable
// transports answer on the connection the request came in on. Over UDP the
// response goes to the source address, at the source port when the Via has
// rport (RFC 3581), else at the sent-by port (default 5060). maddr is not
// honoured: a user agent does not send to multicast groups it was not
// configured for.
sip::Target response_target(const sip::Message& request, const sip::Target& source);

}  // namespace sipline::txn

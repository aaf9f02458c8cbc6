#pragma once
// What registration (and later calls) need from the stack below to send an
// out-of-dialog request: a client transaction to one target with a
// retransmission budget, and the local address to advertise in Contact.
// Implemented over the transaction layer and transports in ua/, and by
// scripted registrars in scenario tests.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sip/builder.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

// The final outcome of one request: exactly one of the three is set.
struct RequestOutcome {
  std::optional<sip::Message> response;                // a final (>= 200) response
  std::optional<sip::TransportError> transport_error;  // refused, reset, TLS...
  bool timed_out = false;                              // budget or Timer F exhausted
};

// Destroying the handle abandons the request: `done` will not be called.
class PendingRequest {
 public:
  virtual ~PendingRequest() = default;
};

struct LocalAddress {
  std::string host;        // numeric address the peer can reach us on
  std::uint16_t port = 0;
  sip::TransportKind transport = sip::TransportKind::udp;
};

class RequestSender {
 public:
  virtual ~RequestSender() = default;

  // Where a request to `target` will come from.
  virtual LocalAddress local_address(const sip::Target& target) = 0;

  // Sends `request` (which has no Via: the sender adds the top Via with a new
  // branch and ;rport, RFC 3581) as a client transaction to `target`, ending
  // it with a timeout after `retransmit_budget` unanswered retransmissions.
  // `done` is called exactly once, never from inside send().
  virtual std::unique_ptr<PendingRequest> send(sip::MessageBuilder request,
                                               const sip::Target& target,
                                               int retransmit_budget,
                                               std::function<void(RequestOutcome)> done) = 0;
};

}  // namespace sipline::reg

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

#include "reg/events.hpp"
#include "runtime/clock.hpp"
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
  std::string host;  // numeric address the peer can reach us on
  std::uint16_t port = 0;
  sip::TransportKind transport = sip::TransportKind::udp;
};

// How one flow (RFC 5626 §3.5: the connection, or the UDP 5-tuple, to a
// registrar) is kept alive and checked while idle.
struct FlowKeepAlive {
  enum class Method : std::uint8_t {
    none,  // only watch: report a TCP/TLS connection the peer closes
    crlf,  // RFC 5626 §4.4.1 CRLFCRLF ping, CRLF pong (TCP/TLS)
    stun,  // RFC 5626 §4.4.2 STUN binding request (UDP)
  };
  Method method = Method::none;
  runtime::Duration interval{};      // between pings (jittered 80-100 % below)
  runtime::Duration pong_timeout{};  // STUN: no answer within this -> flow failed
};

// Why a watched flow is no longer usable, or why it needs a new REGISTER.
struct FlowLoss {
  FailureKind kind = FailureKind::connection_reset;  // connection_reset, refused, keepalive_lost...
  std::string reason;
  // STUN saw a new mapped address (NAT rebinding): the flow works, but the
  // registrar must learn the new address (RFC 5626 §4.4.2).
  bool rebinding = false;
};

// Destroying the handle stops the keep-alive and the watch.
class FlowWatch {
 public:
  virtual ~FlowWatch() = default;
};

// Per-request options of send_with_options().
struct SendOptions {
  bool offer_keep = false;  // RFC 6223 §4: a `keep` parameter in our Via
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
                                               const sip::Target& target, int retransmit_budget,
                                               std::function<void(RequestOutcome)> done) = 0;

  // send() with per-request options; senders that know none of them ignore them.
  virtual std::unique_ptr<PendingRequest> send_with_options(
      sip::MessageBuilder request, const sip::Target& target, int retransmit_budget,
      const SendOptions& options, std::function<void(RequestOutcome)> done) {
    (void)options;
    return send(std::move(request), target, retransmit_budget, std::move(done));
  }

  // Watches the flow to `target` (and keeps it alive per `keepalive`): a
  // TCP/TLS connection closed or reset by the peer, an ICMP error on the UDP
  // flow, a missing pong or a changed STUN mapping is reported through
  // `lost`, never from inside this call and never after the handle is gone.
  // Null when the sender cannot watch flows (the engine then relies on
  // OPTIONS keep-alives and refreshes).
  // By value: an implementation keeps the callback.
  virtual std::unique_ptr<FlowWatch> watch_flow(
      const sip::Target& target, const FlowKeepAlive& keepalive,
      std::function<void(FlowLoss)> lost) {  // NOLINT(performance-unnecessary-value-param)
    (void)target;
    (void)keepalive;
    (void)lost;
    return nullptr;
  }
};

}  // namespace sipline::reg

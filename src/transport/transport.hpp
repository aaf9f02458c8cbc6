#pragma once
// What the core sees of the network: send bytes to a Target, hear back
// messages, transport errors and keep-alive pongs. Implemented on real
// sockets by SocketTransport (transport/socket_transport.hpp) and by fakes in
// tests; no Asio type appears here.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"
#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"

namespace sipline::transport {

// Why a send or a flow failed, with a human-readable detail such as
// "certificate verify failed: hostname mismatch".
struct TransportFailure {
  sip::TransportError reason = sip::TransportError::unreachable;
  std::string detail;
};

// "refused: connection refused" / "tls_failure: certificate verify failed: ...".
std::string describe(const TransportFailure& failure);

// The immediate outcome of Transport::send_bytes(). Success means the bytes
// were handed to the kernel (UDP) or queued on a connection that exists or
// is being set up (TCP/TLS); a later failure arrives as on_transport_error().
class [[nodiscard]] SendOutcome {
 public:
  SendOutcome() = default;
  SendOutcome(TransportFailure failure) : failure_(std::move(failure)) {}  // NOLINT

  bool ok() const noexcept { return !failure_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  const TransportFailure& failure() const { return *failure_; }

 private:
  std::optional<TransportFailure> failure_;
};

// Callbacks run on the loop thread, never from inside a call into the
// transport. They may send, start or stop keep-alives and even stop() the
// transport, but must not destroy it.
class TransportEvents {
 public:
  virtual ~TransportEvents() = default;

  // A parsed message from `source`, received on the local address `local`.
  // For TCP/TLS, sending to `source` reuses the connection it came on
  // (RFC 3261 §18.2.2).
  virtual void on_message(sip::Message message, const sip::Target& source,
                          const sip::Target& local) = 0;

  // Sending to `target` failed after send_bytes() returned, or a flow to it died:
  // ICMP refused/unreachable (UDP), connect refused/timeout, reset, TLS
  // handshake or verification failure, missing keep-alive pong.
  virtual void on_transport_error(const sip::Target& target, const TransportFailure& failure) = 0;

  // A CRLF pong answered our ping on the flow to `target` (RFC 5626 §4.4.1).
  virtual void on_keepalive_pong(const sip::Target& target) { (void)target; }
};

// UDP flows are kept alive with STUN binding requests (RFC 5626 §4.4.2). The
// STUN codec lives above this layer: the UDP transport hands it every
// datagram whose first byte marks it as STUN rather than SIP (0 to 3,
// RFC 7983 §7), and send_bytes() carries the requests like any other bytes.
class StunHandler {
 public:
  virtual ~StunHandler() = default;
  virtual void on_stun(std::span<const std::uint8_t> datagram, const sip::Target& source,
                       const sip::Target& local) = 0;
};

// Also a sip::TransportSink, so the transaction layer sends through it
// directly. No method calls back into the caller from inside itself.
class Transport : public sip::TransportSink {
 public:
  // Where upward events go; null drops them. Must outlive the transport or be
  // reset before it goes away.
  virtual void set_events(TransportEvents* events) = 0;

  // Sends bytes (a serialized message or a raw keep-alive) to `to`. Never
  // blocks.
  virtual SendOutcome send_bytes(std::string_view bytes, const sip::Target& to) = 0;

  // sip::TransportSink: serializes and sends `message`.
  sip::SendResult send(const sip::Message& message, const sip::Target& to) override;

  // RFC 5626 §4.4.1 CRLF keep-alive on the existing TCP/TLS flow to `flow`:
  // a CRLFCRLF ping every `interval` (jittered down to 80 %); no CRLF pong
  // within the pong timeout reports the flow dead (TransportError::timeout)
  // and closes it. Fails with Errc::not_found when no such flow exists and
  // with Errc::unsupported for UDP.
  virtual Result<void> start_keepalive(const sip::Target& flow, runtime::Duration interval) = 0;
  virtual void stop_keepalive(const sip::Target& flow) = 0;

  // Closes the TCP/TLS connection to `flow` without reporting anything: a
  // transaction timed out on it, so the peer or the path is gone and the next
  // request must open a new connection rather than queue behind the kernel's
  // retransmissions on this one. No-op for UDP or when there is no such flow.
  virtual void close_flow(const sip::Target& flow) { (void)flow; }

  // The local transport address messages to `to` would leave from, for Via
  // sent-by and Contact.
  virtual Result<sip::Target> local_address_for(const sip::Target& to) const = 0;
};

}  // namespace sipline::transport

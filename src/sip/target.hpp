#pragma once
// Where a message goes or came from, and how a transport says a send failed.
// Shared by the transaction layer (which decides where) and the transports
// (which do the sending), so neither has to include the other.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipline::sip {

class Message;

enum class TransportKind : std::uint8_t { udp, tcp, tls };

// Reliable transports carry their own retransmission: the transaction layer
// then sends each message once and uses the zero values of Timers D, I, J, K
// (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2).
constexpr bool is_reliable(TransportKind kind) noexcept {
  return kind != TransportKind::udp;
}

// The Via transport token (RFC 3261 §18.1.1, §20.42).
constexpr std::string_view to_string(TransportKind kind) noexcept {
  switch (kind) {
    case TransportKind::udp:
      return "UDP";
    case TransportKind::tcp:
      return "TCP";
    case TransportKind::tls:
      return "TLS";
  }
  return "UDP";
}

// A (transport, address, port) triple: one resolved RFC 3263 target, or the
// source of a received message. `address` is a numeric IPv4 or IPv6 address
// (without brackets) once resolved.
struct Target {
  TransportKind transport = TransportKind::udp;
  std::string address;
  std::uint16_t port = 5060;
  // TLS only: the SIP domain the server certificate must match and the SNI
  // name sent (RFC 5922 §7.2). Part of the identity, so a connection verified
  // for one domain is never reused for another on the same address.
  std::string server_name;

  bool operator==(const Target&) const = default;
};

// How a send failed, as far as the transport can tell. A transaction that
// sees one ends with the matching reason, which is distinct from any response
// (RFC 3261 §8.1.3.1 lets the TU treat it like a 503, but the reason is kept).
enum class TransportError : std::uint8_t {
  refused,      // ICMP port unreachable, TCP connection refused
  unreachable,  // ICMP host/network unreachable, no route, address unusable
  reset,        // the connection was reset or closed with the message pending
  tls_failure,  // TLS handshake or certificate verification failed
  timeout,      // connection attempt or write timed out
};

constexpr std::string_view to_string(TransportError error) noexcept {
  switch (error) {
    case TransportError::refused:
      return "refused";
    case TransportError::unreachable:
      return "unreachable";
    case TransportError::reset:
      return "reset";
    case TransportError::tls_failure:
      return "tls_failure";
    case TransportError::timeout:
      return "timeout";
  }
  return "unreachable";
}

// What a transport says about one send. `error` is empty when the message was
// accepted (written or queued); an error found later (an ICMP report, a reset
// connection) arrives separately, from the transport to whoever owns the
// transactions.
struct SendResult {
  std::optional<TransportError> error;

  bool ok() const noexcept { return !error.has_value(); }
};

// The one thing the transaction layer needs from a transport. Implementations
// must not call back into their caller from inside send().
class TransportSink {
 public:
  virtual ~TransportSink() = default;
  virtual SendResult send(const Message& message, const Target& target) = 0;
};

}  // namespace sipline::sip

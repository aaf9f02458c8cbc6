#pragma once
// The Transport on real sockets: UDP, TCP and TLS on the event loop. The
// header names no Asio type, so the user agent can own one without seeing
// the event loop's internals.
//
// Threading: everything, including construction and destruction, happens on
// the loop thread. Destroy the transport before the EventLoop.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "runtime/event_loop.hpp"
#include "transport/options.hpp"
#include "transport/transport.hpp"

namespace sipline::transport {

struct TransportStats {
  std::uint64_t malformed_datagrams = 0;        // dropped: did not parse
  std::uint64_t malformed_stream_messages = 0;  // framed but did not parse (closed connections)
  std::uint64_t dropped_sends = 0;              // UDP socket buffer full
  std::uint64_t rejected_connections = 0;       // inbound over max_connections
  std::size_t tcp_connections = 0;
  std::size_t tls_connections = 0;
};

class SocketTransport final : public Transport {
 public:
  SocketTransport(runtime::EventLoop& loop, TransportOptions options);
  ~SocketTransport() override;
  SocketTransport(const SocketTransport&) = delete;
  SocketTransport& operator=(const SocketTransport&) = delete;

  // Loads the TLS settings and binds every listener in options.listen. On
  // error nothing stays bound.
  Result<void> start();
  // Closes every socket and connection without reporting anything.
  void stop();

  void set_events(TransportEvents* events) override;
  void set_stun_handler(StunHandler* handler);

  SendOutcome send_bytes(std::string_view bytes, const sip::Target& to) override;
  Result<void> start_keepalive(const sip::Target& flow, runtime::Duration interval) override;
  void stop_keepalive(const sip::Target& flow) override;
  void close_flow(const sip::Target& flow) override;
  Result<sip::Target> local_address_for(const sip::Target& to) const override;
  // Closes, without reporting, every TCP/TLS connection whose local address
  // is not among `addresses` (the host's addresses now, any textual form):
  // once an interface has lost the address such a connection can carry
  // nothing, yet the kernel keeps it until its retransmissions give up
  // (minutes). The next request opens a new one. Returns how many closed.
  std::size_t close_flows_not_from(const std::vector<std::string>& addresses);

  // Every bound socket and listener, with the actual ports.
  std::vector<sip::Target> local_addresses() const;
  // True while a TCP/TLS connection for `to` is in the table.
  bool has_connection(const sip::Target& to) const;
  TransportStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::transport

#pragma once
// SIP over UDP (RFC 3261 §18): one socket per local address, used both to
// send and to receive, so responses and NAT bindings follow the same 5-tuple
// (RFC 3581 §4). Internal to SocketTransport.
//
// ICMP errors are read from the socket's error queue (IP_RECVERR /
// IPV6_RECVERR): an unconnected socket would otherwise never hear that a
// destination refused a datagram. The queued error carries the destination
// of the failed datagram, which is reported as refused/unreachable within
// the round trip, long before a transaction timer would notice.
//
// A datagram that does not parse is dropped and counted; no 400 is sent,
// since the fields a response needs are the ones that failed to parse.

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <memory>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "sip/limits.hpp"
#include "sip/target.hpp"
#include "transport/transport.hpp"
#include "transport/upcalls.hpp"

namespace sipline::transport {

class UdpTransport {
 public:
  UdpTransport(asio::io_context& io, Upcalls& upcalls, const sip::Limits& limits);
  ~UdpTransport();
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  // Opens and binds a socket on `local` (numeric address, port 0 =
  // ephemeral); returns the bound address.
  Result<sip::Target> bind(const sip::Target& local);

  SendOutcome send(std::string_view bytes, const sip::Target& to);

  Result<sip::Target> local_address_for(const sip::Target& to) const;
  std::vector<sip::Target> local_addresses() const;

  void close();

 private:
  struct Socket;

  Socket* socket_for(const asio::ip::address& destination) const;
  void wait_readable(const std::shared_ptr<Socket>& socket);
  void on_readable(Socket& socket);
  // Reports every queued ICMP error now (`defer` = from a later handler,
  // for errors found while inside send()).
  void drain_errors(Socket& socket, bool defer);
  void on_datagram(Socket& socket, std::string_view bytes, const asio::ip::udp::endpoint& from);
  void report(const sip::Target& target, TransportFailure failure, bool defer);

  asio::io_context& io_;
  Upcalls& upcalls_;
  sip::Limits limits_;
  std::vector<std::shared_ptr<Socket>> sockets_;
  std::vector<char> buffer_;
  // Deferred reports hold a weak reference: they do nothing once the
  // transport is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sipline::transport

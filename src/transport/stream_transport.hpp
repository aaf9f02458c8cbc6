#pragma once
// SIP over TCP or TLS (RFC 3261 §18, RFC 5630): listeners, the connection
// table, and the routing of sends onto connections. One instance per
// transport kind. Internal to SocketTransport (it names Asio types).
//
// Sends reuse a connection keyed by (transport, address, port, verified
// server name), so a response goes back over the connection its request came
// on (RFC 3261 §18.2.2) and a TLS flow verified for one domain never carries
// another's traffic. A send with no connection opens one and queues the
// message; connect refused / timeout, TLS failures and resets come back
// through TransportEvents::on_transport_error for the target sent to.

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "runtime/clock.hpp"
#include "sip/target.hpp"
#include "transport/connection_table.hpp"
#include "transport/options.hpp"
#include "transport/stream_connection.hpp"
#include "transport/tls.hpp"
#include "transport/transport.hpp"
#include "transport/upcalls.hpp"

namespace sipline::transport {

class StreamTransport final : private ConnectionOwner {
 public:
  StreamTransport(asio::io_context& io, runtime::TimerService& timers, sip::TransportKind kind,
                  const TransportOptions& options, Upcalls& upcalls, TlsContexts* tls);
  ~StreamTransport();
  StreamTransport(const StreamTransport&) = delete;
  StreamTransport& operator=(const StreamTransport&) = delete;

  // Starts a listener on `local` (port 0 = ephemeral); returns its address.
  Result<sip::Target> listen(const sip::Target& local);

  SendOutcome send(std::string_view bytes, const sip::Target& to);

  Result<void> start_keepalive(const sip::Target& flow, runtime::Duration interval);
  void stop_keepalive(const sip::Target& flow);
  // Closes the connection to `to`, if any, without reporting it.
  void drop(const sip::Target& to);
  // Closes, without reporting, every connection whose local address is not
  // in `addresses` (canonical numeric form); returns how many.
  std::size_t drop_not_from(const std::vector<std::string>& addresses);

  // An existing connection's local end; otherwise the listener's port (0
  // without one) on the address the route to `to` leaves from.
  Result<sip::Target> local_address_for(const sip::Target& to) const;
  std::vector<sip::Target> local_addresses() const;

  std::size_t connection_count() const noexcept { return table_.size(); }
  bool has_connection(const sip::Target& to) const;

  void close();

 private:
  struct Listener;
  using Table = ConnectionTable<std::shared_ptr<StreamConnection>>;

  void accept_next(const std::shared_ptr<Listener>& listener);
  void accepted(Listener& listener, asio::ip::tcp::socket socket);
  StreamConnection* find(const sip::Target& to) const;
  ConnectionSettings connection_settings() const;

  // ConnectionOwner
  void connection_message(StreamConnection& connection, sip::Message message) override;
  void connection_pong(StreamConnection& connection) override;
  void connection_closed(StreamConnection& connection,
                         const std::optional<TransportFailure>& failure) override;

  asio::io_context& io_;
  runtime::TimerService& timers_;
  sip::TransportKind kind_;
  const TransportOptions& options_;
  Upcalls& upcalls_;
  TlsContexts* tls_;
  mutable Table table_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::minstd_rand seeds_;
};

}  // namespace sipline::transport

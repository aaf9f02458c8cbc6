#pragma once
// One TCP or TLS connection: connect (or accept), TLS handshake, a write
// queue, the read loop feeding a StreamSession, and the connect and idle
// timers. Internal to the stream transport (it names Asio types).
//
// Lifetime: owned through shared_ptr by the connection table and by every
// outstanding asynchronous operation; once closed, late completions find
// `closed_` set and stop.

#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "transport/stream_session.hpp"
#include "transport/tls.hpp"
#include "transport/transport.hpp"

namespace sipline::transport {

class StreamConnection;

class ConnectionOwner {
 public:
  virtual void connection_message(StreamConnection& connection, sip::Message message) = 0;
  virtual void connection_pong(StreamConnection& connection) = 0;
  // The connection is closed and must be forgotten. `failure` is set when
  // whoever used it should hear about it (see StreamConnection::close).
  virtual void connection_closed(StreamConnection& connection,
                                 const std::optional<TransportFailure>& failure) = 0;

 protected:
  ~ConnectionOwner() = default;
};

struct ConnectionSettings {
  sip::TransportKind transport = sip::TransportKind::tcp;
  runtime::Duration connect_timeout = std::chrono::seconds(10);
  runtime::Duration idle_timeout = std::chrono::seconds(120);
  std::size_t max_queued_bytes = 1 << 20;
  bool verify_server = true;
  StreamSession::Settings session;
};

class StreamConnection final : public std::enable_shared_from_this<StreamConnection>,
                               private StreamSession::Sink {
 public:
  using Id = std::uint64_t;

  // A connection we open to `target`. `tls` is required for TLS.
  static std::shared_ptr<StreamConnection> outbound(asio::io_context& io,
                                                    runtime::TimerService& timers,
                                                    ConnectionOwner& owner,
                                                    const ConnectionSettings& settings,
                                                    TlsContexts* tls, const sip::Target& target,
                                                    std::uint32_t seed);
  // A connection a listener accepted. `tls_server` is required for TLS.
  static std::shared_ptr<StreamConnection> inbound(
      asio::ip::tcp::socket socket, runtime::TimerService& timers, ConnectionOwner& owner,
      const ConnectionSettings& settings, asio::ssl::context* tls_server, std::uint32_t seed);

  ~StreamConnection() override;
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  void set_id(Id id) noexcept { id_ = id; }
  Id id() const noexcept { return id_; }

  // Outbound: connects to `remote`, then runs the TLS handshake.
  void start_connect(const asio::ip::tcp::endpoint& remote);
  // Inbound: runs the TLS server handshake, or opens at once for TCP.
  void start_accept();

  // Queues bytes; they go out once the connection is open.
  SendOutcome send(std::string_view bytes);

  Result<void> start_keepalive(runtime::Duration interval);
  void stop_keepalive();

  // Closes without telling anyone (transport shutdown).
  void shutdown() noexcept;

  // Outbound: the target as sent to (with its server name). Inbound: the
  // peer's source address.
  const sip::Target& peer() const noexcept { return peer_; }
  // Our end, once connected or accepted.
  const sip::Target& local() const noexcept { return local_; }
  bool is_outbound() const noexcept { return outbound_; }
  bool is_open() const noexcept { return state_ == State::open; }
  std::uint64_t dropped_messages() const noexcept { return session_.dropped_messages(); }

 private:
  enum class State { connecting, handshaking, open, closed };

  StreamConnection(runtime::TimerService& timers, ConnectionOwner& owner,
                   const ConnectionSettings& settings, std::uint32_t seed);

  asio::ip::tcp::socket& lowest() noexcept;
  void handshake(bool client);
  void opened();
  void read_more();
  void write_more();
  void arm_idle(runtime::Duration after);
  void check_idle();
  void touch();
  // Closes the socket and tells the owner. The failure is passed on only
  // when someone can care: an outbound connection, a flow with keep-alive,
  // or bytes that were still waiting to go out.
  void close(const std::optional<TransportFailure>& failure);

  // StreamSession::Sink
  void write(std::string_view bytes) override;
  void message(sip::Message message) override;
  void pong() override;
  void failed(TransportFailure failure) override;

  runtime::TimerService& timers_;
  ConnectionOwner* owner_;
  ConnectionSettings settings_;
  StreamSession session_;
  std::optional<asio::ip::tcp::socket> plain_;
  std::unique_ptr<TlsStream> tls_;
  Id id_ = 0;
  State state_ = State::connecting;
  bool outbound_ = false;
  bool keepalive_used_ = false;
  sip::Target peer_;
  sip::Target local_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  runtime::TimePoint last_activity_{};
  runtime::Timer connect_timer_;
  runtime::Timer idle_timer_;
  std::array<char, 16384> read_buffer_{};
};

}  // namespace sipline::transport

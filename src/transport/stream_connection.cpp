#include "transport/stream_connection.hpp"

#include <asio/connect.hpp>
#include <asio/write.hpp>
#include <utility>

#include "transport/endpoints.hpp"

namespace sipline::transport {
namespace {

std::string duration_text(runtime::Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

StreamConnection::StreamConnection(runtime::TimerService& timers, ConnectionOwner& owner,
                                   const ConnectionSettings& settings, std::uint32_t seed)
    : timers_(timers),
      owner_(&owner),
      settings_(settings),
      session_(timers, *this, settings.session, seed) {}

StreamConnection::~StreamConnection() {
  session_.close();
}

std::shared_ptr<StreamConnection> StreamConnection::outbound(
    asio::io_context& io, runtime::TimerService& timers, ConnectionOwner& owner,
    const ConnectionSettings& settings, TlsContexts* tls, const sip::Target& target,
    std::uint32_t seed) {
  std::shared_ptr<StreamConnection> c(new StreamConnection(timers, owner, settings, seed));
  c->outbound_ = true;
  c->peer_ = target;
  c->local_.transport = target.transport;
  if (settings.transport == sip::TransportKind::tls && tls != nullptr) {
    c->tls_ = std::make_unique<TlsStream>(io, tls->client());
  } else {
    c->plain_.emplace(io);
  }
  return c;
}

std::shared_ptr<StreamConnection> StreamConnection::inbound(
    asio::ip::tcp::socket socket, runtime::TimerService& timers, ConnectionOwner& owner,
    const ConnectionSettings& settings, asio::ssl::context* tls_server, std::uint32_t seed) {
  std::shared_ptr<StreamConnection> c(new StreamConnection(timers, owner, settings, seed));
  std::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const auto local = socket.local_endpoint(ec);
  c->peer_ = to_target(settings.transport, remote);
  c->local_ = to_target(settings.transport, local);
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  if (settings.transport == sip::TransportKind::tls && tls_server != nullptr) {
    c->tls_ = std::make_unique<TlsStream>(std::move(socket), *tls_server);
  } else {
    c->plain_.emplace(std::move(socket));
  }
  return c;
}

asio::ip::tcp::socket& StreamConnection::lowest() noexcept {
  return tls_ ? tls_->next_layer() : *plain_;
}

void StreamConnection::start_connect(const asio::ip::tcp::endpoint& remote) {
  state_ = State::connecting;
  connect_timer_ = timers_.start(settings_.connect_timeout, [this] {
    close(TransportFailure{sip::TransportError::timeout,
                           "connect timed out after " + duration_text(settings_.connect_timeout)});
  });
  lowest().async_connect(remote, [self = shared_from_this()](const std::error_code& ec) {
    if (self->state_ == State::closed) return;
    if (ec) {
      self->close(failure_from(ec));
      return;
    }
    std::error_code ignored;
    self->lowest().set_option(asio::ip::tcp::no_delay(true), ignored);
    const auto local = self->lowest().local_endpoint(ignored);
    if (!ignored) self->local_ = to_target(self->settings_.transport, local);
    if (self->tls_) {
      auto prepared = prepare_client(*self->tls_, self->peer_, self->settings_.verify_server);
      if (!prepared) {
        self->close(TransportFailure{sip::TransportError::tls_failure, prepared.error().message});
        return;
      }
      self->handshake(true);
    } else {
      self->opened();
    }
  });
}

void StreamConnection::start_accept() {
  if (!tls_) {
    opened();
    return;
  }
  connect_timer_ = timers_.start(settings_.connect_timeout, [this] {
    close(TransportFailure{
        sip::TransportError::timeout,
        "TLS handshake timed out after " + duration_text(settings_.connect_timeout)});
  });
  handshake(false);
}

void StreamConnection::handshake(bool client) {
  state_ = State::handshaking;
  tls_->async_handshake(
      client ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
      [self = shared_from_this()](const std::error_code& ec) {
        if (self->state_ == State::closed) return;
        if (ec) {
          self->close(TransportFailure{sip::TransportError::tls_failure,
                                       describe_handshake_error(*self->tls_, ec)});
          return;
        }
        self->opened();
      });
}

void StreamConnection::opened() {
  state_ = State::open;
  connect_timer_.cancel();
  touch();
  if (settings_.idle_timeout > runtime::Duration::zero()) arm_idle(settings_.idle_timeout);
  read_more();
  write_more();
}

SendOutcome StreamConnection::send(std::string_view bytes) {
  if (state_ == State::closed) {
    return TransportFailure{sip::TransportError::reset, "connection closed"};
  }
  if (queued_bytes_ + bytes.size() > settings_.max_queued_bytes) {
    return TransportFailure{sip::TransportError::timeout, "send queue full"};
  }
  queue_.emplace_back(bytes);
  queued_bytes_ += bytes.size();
  if (state_ == State::open) write_more();
  return {};
}

void StreamConnection::write_more() {
  if (writing_ || queue_.empty() || state_ != State::open) return;
  writing_ = true;
  auto done = [self = shared_from_this()](const std::error_code& ec, std::size_t) {
    self->writing_ = false;
    if (self->state_ == State::closed) return;
    if (ec) {
      self->close(failure_from(ec));
      return;
    }
    self->queued_bytes_ -= self->queue_.front().size();
    self->queue_.pop_front();
    self->touch();
    self->write_more();
  };
  const auto buffer = asio::buffer(queue_.front());
  if (tls_) {
    asio::async_write(*tls_, buffer, std::move(done));
  } else {
    asio::async_write(*plain_, buffer, std::move(done));
  }
}

void StreamConnection::read_more() {
  auto done = [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
    if (self->state_ == State::closed) return;
    if (ec) {
      TransportFailure failure = failure_from(ec);
      if (ec == asio::ssl::error::stream_truncated) {
        failure = {sip::TransportError::reset, "connection closed by peer"};
      }
      self->close(std::move(failure));
      return;
    }
    self->touch();
    self->session_.received(std::string_view(self->read_buffer_.data(), n));
    if (self->state_ != State::closed) self->read_more();
  };
  const auto buffer = asio::buffer(read_buffer_);
  if (tls_) {
    tls_->async_read_some(buffer, std::move(done));
  } else {
    plain_->async_read_some(buffer, std::move(done));
  }
}

Result<void> StreamConnection::start_keepalive(runtime::Duration interval) {
  if (state_ == State::closed) return fail(Errc::invalid_state, "connection closed");
  keepalive_used_ = true;
  session_.start_keepalive(interval);
  return ok();
}

void StreamConnection::stop_keepalive() {
  session_.stop_keepalive();
}

void StreamConnection::touch() {
  last_activity_ = timers_.now();
}

void StreamConnection::arm_idle(runtime::Duration after) {
  idle_timer_ = timers_.start(after, [this] { check_idle(); });
}

void StreamConnection::check_idle() {
  const runtime::Duration idle_for = timers_.now() - last_activity_;
  const bool busy = !queue_.empty() || session_.keepalive_active() || session_.buffered() > 0;
  if (idle_for >= settings_.idle_timeout && !busy) {
    close(std::nullopt);
    return;
  }
  const runtime::Duration left = settings_.idle_timeout - idle_for;
  arm_idle(left > runtime::Duration::zero() ? left : settings_.idle_timeout);
}

void StreamConnection::close(const std::optional<TransportFailure>& failure) {
  if (state_ == State::closed) return;
  // The owner drops its reference in connection_closed(); this one keeps the
  // object alive until the function returns.
  const auto self = shared_from_this();
  const bool pending = !queue_.empty();
  state_ = State::closed;
  session_.close();
  connect_timer_.cancel();
  idle_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  std::error_code ignored;
  lowest().close(ignored);
  ConnectionOwner* owner = std::exchange(owner_, nullptr);
  if (owner == nullptr) return;
  const bool report = failure.has_value() && (outbound_ || keepalive_used_ || pending);
  owner->connection_closed(*this, report ? failure : std::nullopt);
}

void StreamConnection::shutdown() noexcept {
  owner_ = nullptr;
  if (state_ == State::closed) return;
  state_ = State::closed;
  session_.close();
  connect_timer_.cancel();
  idle_timer_.cancel();
  queue_.clear();
  queued_bytes_ = 0;
  std::error_code ignored;
  lowest().close(ignored);
}

void StreamConnection::write(std::string_view bytes) {
  // Pings and pongs: a full queue already means trouble the next message
  // send will report.
  (void)send(bytes);
}

void StreamConnection::message(sip::Message message) {
  if (owner_ != nullptr) owner_->connection_message(*this, std::move(message));
}

void StreamConnection::pong() {
  if (owner_ != nullptr) owner_->connection_pong(*this);
}

void StreamConnection::failed(TransportFailure failure) {
  close(std::move(failure));
}

}  // namespace sipline::transport

#include "transport/stream_transport.hpp"

#include <algorithm>
#include <asio/ip/v6_only.hpp>
#include <string>
#include <utility>
#include <vector>

#include "transport/endpoints.hpp"

namespace sipline::transport {

struct StreamTransport::Listener {
  explicit Listener(asio::io_context& io) : acceptor(io) {}
  asio::ip::tcp::acceptor acceptor;
  sip::Target local;
  StreamTransport* owner = nullptr;  // null once closed
  runtime::Timer retry;
};

StreamTransport::StreamTransport(asio::io_context& io, runtime::TimerService& timers,
                                 sip::TransportKind kind, const TransportOptions& options,
                                 Upcalls& upcalls, TlsContexts* tls)
    : io_(io),
      timers_(timers),
      kind_(kind),
      options_(options),
      upcalls_(upcalls),
      tls_(tls),
      seeds_(std::random_device{}()) {}

StreamTransport::~StreamTransport() {
  close();
}

ConnectionSettings StreamTransport::connection_settings() const {
  ConnectionSettings settings;
  settings.transport = kind_;
  settings.connect_timeout = options_.connect_timeout;
  settings.idle_timeout = options_.idle_timeout;
  settings.max_queued_bytes = options_.max_queued_bytes;
  settings.verify_server = tls_ == nullptr || tls_->verify_server();
  settings.session.incomplete_message_timeout = options_.incomplete_message_timeout;
  settings.session.pong_timeout = options_.pong_timeout;
  settings.session.keepalive_min_fraction = options_.keepalive_min_fraction;
  settings.session.limits = options_.limits;
  return settings;
}

Result<sip::Target> StreamTransport::listen(const sip::Target& local) {
  if (kind_ == sip::TransportKind::tls && (tls_ == nullptr || tls_->server() == nullptr)) {
    return fail(Errc::missing, "a TLS listener needs a certificate and a key");
  }
  auto address = parse_address(local.address);
  if (!address) return address.error();
  auto listener = std::make_shared<Listener>(io_);
  auto& acceptor = listener->acceptor;
  std::error_code ec;
  acceptor.open(address->is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec);
  if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec && address->is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(asio::ip::tcp::endpoint(*address, local.port), ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(Errc::io, "cannot listen on " + std::string(sip::to_string(kind_)) + " " +
                              local.address + ":" + std::to_string(local.port) + ": " +
                              ec.message());
  }
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) return fail(Errc::io, "cannot read the listening address: " + ec.message());
  listener->local = to_target(kind_, bound);
  listener->owner = this;
  listeners_.push_back(listener);
  accept_next(listener);
  return listener->local;
}

void StreamTransport::accept_next(const std::shared_ptr<Listener>& listener) {
  listener->acceptor.async_accept(
      [listener](const std::error_code& ec, asio::ip::tcp::socket socket) {
        StreamTransport* owner = listener->owner;
        if (owner == nullptr || ec == asio::error::operation_aborted) return;
        if (ec) {
          // Out of descriptors and the like: retrying at once would spin.
          listener->retry = owner->timers_.start(std::chrono::milliseconds(100), [listener] {
            if (listener->owner != nullptr) listener->owner->accept_next(listener);
          });
          return;
        }
        owner->accepted(*listener, std::move(socket));
        if (listener->owner != nullptr) owner->accept_next(listener);
      });
}

void StreamTransport::accepted(Listener& listener, asio::ip::tcp::socket socket) {
  (void)listener;
  if (table_.size() >= options_.max_connections) {
    ++upcalls_.rejected_connections;
    std::error_code ignored;
    socket.close(ignored);
    return;
  }
  asio::ssl::context* server = tls_ != nullptr ? tls_->server() : nullptr;
  auto connection =
      StreamConnection::inbound(std::move(socket), timers_, *this, connection_settings(), server,
                                static_cast<std::uint32_t>(seeds_()));
  const sip::Target& peer = connection->peer();
  connection->set_id(table_.add(inbound_key(kind_, peer.address, peer.port), connection));
  connection->start_accept();
}

StreamConnection* StreamTransport::find(const sip::Target& to) const {
  auto* entry = table_.find(key_for(to));
  return entry != nullptr ? entry->get() : nullptr;
}

bool StreamTransport::has_connection(const sip::Target& to) const {
  return find(to) != nullptr;
}

SendOutcome StreamTransport::send(std::string_view bytes, const sip::Target& to) {
  if (kind_ == sip::TransportKind::tls && tls_ == nullptr) {
    return TransportFailure{sip::TransportError::tls_failure, "TLS is not configured"};
  }
  if (StreamConnection* existing = find(to)) return existing->send(bytes);

  auto address = parse_address(to.address);
  if (!address) return TransportFailure{sip::TransportError::unreachable, address.error().message};
  if (table_.size() >= options_.max_connections) {
    return TransportFailure{sip::TransportError::unreachable, "too many connections"};
  }
  auto connection = StreamConnection::outbound(io_, timers_, *this, connection_settings(), tls_, to,
                                               static_cast<std::uint32_t>(seeds_()));
  connection->set_id(table_.add(key_for(to), connection));
  SendOutcome queued = connection->send(bytes);
  connection->start_connect(asio::ip::tcp::endpoint(*address, to.port));
  return queued;
}

Result<void> StreamTransport::start_keepalive(const sip::Target& flow, runtime::Duration interval) {
  StreamConnection* connection = find(flow);
  if (connection == nullptr) {
    return fail(Errc::not_found, "no " + std::string(sip::to_string(kind_)) + " connection to " +
                                     flow.address + ":" + std::to_string(flow.port));
  }
  return connection->start_keepalive(interval);
}

void StreamTransport::stop_keepalive(const sip::Target& flow) {
  if (StreamConnection* connection = find(flow)) connection->stop_keepalive();
}

void StreamTransport::drop(const sip::Target& to) {
  auto* entry = table_.find(key_for(to));
  if (entry == nullptr) return;
  // A copy keeps the connection alive until shutdown() has returned.
  const std::shared_ptr<StreamConnection> connection = *entry;
  connection->shutdown();
  table_.remove(connection->id());
}

std::size_t StreamTransport::drop_not_from(const std::vector<std::string>& addresses) {
  std::vector<std::shared_ptr<StreamConnection>> stale;
  table_.for_each([&](Table::Id, std::shared_ptr<StreamConnection>& connection) {
    const std::string& local = connection->local().address;
    // A connection still connecting has no local end yet: it binds to
    // whatever address the route gives it now.
    if (local.empty()) return;
    if (std::find(addresses.begin(), addresses.end(), canonical_address(local)) ==
        addresses.end()) {
      stale.push_back(connection);
    }
  });
  for (const auto& connection : stale) {
    connection->shutdown();
    table_.remove(connection->id());
  }
  return stale.size();
}

Result<sip::Target> StreamTransport::local_address_for(const sip::Target& to) const {
  if (StreamConnection* connection = find(to); connection != nullptr && connection->is_open()) {
    return connection->local();
  }
  auto address = parse_address(to.address);
  if (!address) return address.error();
  auto source = route_source(io_, *address);
  if (!source) return source.error();
  sip::Target local = to_target(kind_, *source, 0);
  for (const auto& listener : listeners_) {
    const bool v6 = listener->local.address.find(':') != std::string::npos;
    if (v6 == source->is_v6()) {
      local.port = listener->local.port;
      break;
    }
  }
  return local;
}

std::vector<sip::Target> StreamTransport::local_addresses() const {
  std::vector<sip::Target> out;
  for (const auto& listener : listeners_) out.push_back(listener->local);
  return out;
}

void StreamTransport::close() {
  for (auto& listener : listeners_) {
    listener->owner = nullptr;
    listener->retry.cancel();
    std::error_code ignored;
    listener->acceptor.close(ignored);
  }
  listeners_.clear();
  std::vector<std::shared_ptr<StreamConnection>> all;
  table_.for_each([&all](Table::Id, std::shared_ptr<StreamConnection>& c) { all.push_back(c); });
  for (auto& connection : all) connection->shutdown();
  table_ = Table{};
}

void StreamTransport::connection_message(StreamConnection& connection, sip::Message message) {
  if (upcalls_.events != nullptr) {
    upcalls_.events->on_message(std::move(message), connection.peer(), connection.local());
  }
}

void StreamTransport::connection_pong(StreamConnection& connection) {
  if (upcalls_.events != nullptr) upcalls_.events->on_keepalive_pong(connection.peer());
}

void StreamTransport::connection_closed(StreamConnection& connection,
                                        const std::optional<TransportFailure>& failure) {
  upcalls_.malformed_stream_messages += connection.dropped_messages();
  // Copied first: removing the entry may release the last other reference.
  // NOLINTNEXTLINE(performance-unnecessary-copy-initialization)
  const sip::Target peer = connection.peer();
  table_.remove(connection.id());
  if (failure && upcalls_.events != nullptr) upcalls_.events->on_transport_error(peer, *failure);
}

}  // namespace sipline::transport

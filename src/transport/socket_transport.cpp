#include "transport/socket_transport.hpp"

#include <utility>

#include "runtime/asio_access.hpp"
#include "transport/stream_transport.hpp"
#include "transport/tls.hpp"
#include "transport/udp_transport.hpp"
#include "transport/upcalls.hpp"

namespace sipline::transport {

struct SocketTransport::Impl {
  Impl(runtime::EventLoop& l, TransportOptions o) : loop(l), options(std::move(o)) {}

  runtime::EventLoop& loop;
  TransportOptions options;
  Upcalls upcalls;
  std::unique_ptr<TlsContexts> tls;
  std::unique_ptr<UdpTransport> udp;
  std::unique_ptr<StreamTransport> tcp;
  std::unique_ptr<StreamTransport> tls_streams;

  void build() {
    asio::io_context& io = runtime::io_context_of(loop);
    udp = std::make_unique<UdpTransport>(io, upcalls, options.limits);
    tcp = std::make_unique<StreamTransport>(io, loop, sip::TransportKind::tcp, options, upcalls,
                                            nullptr);
    tls_streams = std::make_unique<StreamTransport>(io, loop, sip::TransportKind::tls, options,
                                                    upcalls, tls.get());
  }

  void close() {
    // Streams first: they may refer to the TLS contexts.
    if (tls_streams) tls_streams->close();
    if (tcp) tcp->close();
    if (udp) udp->close();
  }

  StreamTransport* stream(sip::TransportKind kind) const {
    return kind == sip::TransportKind::tcp ? tcp.get() : tls_streams.get();
  }
};

SocketTransport::SocketTransport(runtime::EventLoop& loop, TransportOptions options)
    : impl_(std::make_unique<Impl>(loop, std::move(options))) {
  impl_->build();
}

SocketTransport::~SocketTransport() {
  impl_->close();
  impl_->tls_streams.reset();
  impl_->tcp.reset();
  impl_->udp.reset();
}

Result<void> SocketTransport::start() {
  Impl& s = *impl_;
  s.close();
  auto tls = TlsContexts::create(s.options.tls);
  if (!tls) return tls.error();
  s.tls_streams.reset();
  s.tcp.reset();
  s.udp.reset();
  s.tls = std::move(tls).value();
  s.build();
  for (const sip::Target& local : s.options.listen) {
    Result<sip::Target> bound = local.transport == sip::TransportKind::udp
                                    ? s.udp->bind(local)
                                    : s.stream(local.transport)->listen(local);
    if (!bound) {
      s.close();
      s.build();
      return bound.error();
    }
  }
  return ok();
}

void SocketTransport::stop() {
  impl_->close();
}

void SocketTransport::set_events(TransportEvents* events) {
  impl_->upcalls.events = events;
}

void SocketTransport::set_stun_handler(StunHandler* handler) {
  impl_->upcalls.stun = handler;
}

SendOutcome SocketTransport::send_bytes(std::string_view bytes, const sip::Target& to) {
  if (to.transport == sip::TransportKind::udp) return impl_->udp->send(bytes, to);
  return impl_->stream(to.transport)->send(bytes, to);
}

Result<void> SocketTransport::start_keepalive(const sip::Target& flow, runtime::Duration interval) {
  if (flow.transport == sip::TransportKind::udp) {
    return fail(Errc::unsupported, "UDP flows use STUN keep-alives (RFC 5626 §4.4.2)");
  }
  return impl_->stream(flow.transport)->start_keepalive(flow, interval);
}

void SocketTransport::stop_keepalive(const sip::Target& flow) {
  if (flow.transport != sip::TransportKind::udp) {
    impl_->stream(flow.transport)->stop_keepalive(flow);
  }
}

void SocketTransport::close_flow(const sip::Target& flow) {
  if (flow.transport != sip::TransportKind::udp) impl_->stream(flow.transport)->drop(flow);
}

std::size_t SocketTransport::close_flows_not_from(const std::vector<std::string>& addresses) {
  std::vector<std::string> canonical;
  canonical.reserve(addresses.size());
  for (const std::string& address : addresses) canonical.push_back(canonical_address(address));
  std::size_t closed = 0;
  if (impl_->tcp) closed += impl_->tcp->drop_not_from(canonical);
  if (impl_->tls_streams) closed += impl_->tls_streams->drop_not_from(canonical);
  return closed;
}

Result<sip::Target> SocketTransport::local_address_for(const sip::Target& to) const {
  if (to.transport == sip::TransportKind::udp) return impl_->udp->local_address_for(to);
  return impl_->stream(to.transport)->local_address_for(to);
}

std::vector<sip::Target> SocketTransport::local_addresses() const {
  std::vector<sip::Target> out = impl_->udp->local_addresses();
  for (const auto& t : impl_->tcp->local_addresses()) out.push_back(t);
  for (const auto& t : impl_->tls_streams->local_addresses()) out.push_back(t);
  return out;
}

bool SocketTransport::has_connection(const sip::Target& to) const {
  if (to.transport == sip::TransportKind::udp) return false;
  return impl_->stream(to.transport)->has_connection(to);
}

TransportStats SocketTransport::stats() const {
  const Upcalls& u = impl_->upcalls;
  TransportStats stats;
  stats.malformed_datagrams = u.malformed_datagrams;
  stats.malformed_stream_messages = u.malformed_stream_messages;
  stats.dropped_sends = u.dropped_sends;
  stats.rejected_connections = u.rejected_connections;
  stats.tcp_connections = impl_->tcp->connection_count();
  stats.tls_connections = impl_->tls_streams->connection_count();
  return stats;
}

}  // namespace sipline::transport

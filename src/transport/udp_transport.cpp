#include "transport/udp_transport.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "transport/endpoints.hpp"

namespace sipline::transport {
namespace {

// Large enough for any UDP payload (65,507 bytes over IPv4, 65,527 over IPv6).
constexpr std::size_t datagram_buffer_size = 65536;
// Datagrams read per wake-up before yielding to the rest of the loop.
constexpr int max_batch = 64;

bool is_stun(std::string_view bytes) {
  // RFC 7983 §7: a first byte of 0 to 3 is STUN; SIP starts with a letter
  // or a CR/LF.
  return !bytes.empty() && static_cast<unsigned char>(bytes.front()) <= 3;
}

bool only_line_breaks(std::string_view bytes) {
  return bytes.find_first_not_of("\r\n") == std::string_view::npos;
}

std::optional<TransportFailure> failure_from_icmp(const sock_extended_err& error) {
  using sip::TransportError;
  if (error.ee_origin != SO_EE_ORIGIN_ICMP && error.ee_origin != SO_EE_ORIGIN_ICMP6 &&
      error.ee_origin != SO_EE_ORIGIN_LOCAL) {
    return std::nullopt;
  }
  switch (error.ee_errno) {
    case ECONNREFUSED:
      return TransportFailure{TransportError::refused, "ICMP port unreachable"};
    case EHOSTUNREACH:
      return TransportFailure{TransportError::unreachable, "ICMP host unreachable"};
    case ENETUNREACH:
      return TransportFailure{TransportError::unreachable, "ICMP network unreachable"};
    case EACCES:
    case EPERM:
      return TransportFailure{TransportError::unreachable, "ICMP communication prohibited"};
    case EMSGSIZE:
      // Path MTU news, not a verdict on the destination.
      return std::nullopt;
    default:
      return TransportFailure{TransportError::unreachable,
                              std::strerror(static_cast<int>(error.ee_errno))};
  }
}

std::optional<asio::ip::address> address_from(const sockaddr_storage& storage,
                                              std::uint16_t& port) {
  if (storage.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &storage, sizeof in);
    port = ntohs(in.sin_port);
    asio::ip::address_v4::bytes_type bytes{};
    std::memcpy(bytes.data(), &in.sin_addr, bytes.size());
    return asio::ip::address(asio::ip::address_v4(bytes));
  }
  if (storage.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &storage, sizeof in6);
    port = ntohs(in6.sin6_port);
    asio::ip::address_v6::bytes_type bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return asio::ip::address(asio::ip::address_v6(bytes, in6.sin6_scope_id));
  }
  return std::nullopt;
}

}  // namespace

struct UdpTransport::Socket {
  explicit Socket(asio::io_context& io) : socket(io) {}
  asio::ip::udp::socket socket;
  sip::Target local;
  bool v6 = false;
  UdpTransport* owner = nullptr;  // null once closed: late handlers stop there
};

UdpTransport::UdpTransport(asio::io_context& io, Upcalls& upcalls, const sip::Limits& limits)
    : io_(io), upcalls_(upcalls), limits_(limits), buffer_(datagram_buffer_size) {}

UdpTransport::~UdpTransport() {
  close();
}

Result<sip::Target> UdpTransport::bind(const sip::Target& local) {
  auto address = parse_address(local.address);
  if (!address) return address.error();
  const bool v6 = address->is_v6();
  auto socket = std::make_shared<Socket>(io_);
  std::error_code ec;
  auto& s = socket->socket;
  s.open(v6 ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
  if (!ec && v6) s.set_option(asio::ip::v6_only(true), ec);
  if (!ec) s.bind(asio::ip::udp::endpoint(*address, local.port), ec);
  if (!ec) s.non_blocking(true, ec);
  if (ec) {
    return fail(Errc::io, "cannot bind UDP " + local.address + ":" + std::to_string(local.port) +
                              ": " + ec.message());
  }
  const int on = 1;
  const int rc = v6 ? ::setsockopt(s.native_handle(), SOL_IPV6, IPV6_RECVERR, &on, sizeof on)
                    : ::setsockopt(s.native_handle(), SOL_IP, IP_RECVERR, &on, sizeof on);
  if (rc != 0) {
    return fail(Errc::io, std::string("cannot enable ICMP error reports: ") + std::strerror(errno));
  }

  const asio::ip::udp::endpoint bound = s.local_endpoint(ec);
  if (ec) return fail(Errc::io, "cannot read the bound UDP address: " + ec.message());
  socket->local = to_target(sip::TransportKind::udp, bound);
  socket->v6 = v6;
  socket->owner = this;
  sockets_.push_back(socket);
  wait_readable(socket);
  return socket->local;
}

void UdpTransport::close() {
  *alive_ = false;
  for (auto& socket : sockets_) {
    socket->owner = nullptr;
    std::error_code ec;
    socket->socket.close(ec);
  }
  sockets_.clear();
}

UdpTransport::Socket* UdpTransport::socket_for(const asio::ip::address& destination) const {
  const bool v6 = destination.is_v6() && !destination.to_v6().is_v4_mapped();
  for (const auto& socket : sockets_) {
    if (socket->v6 == v6) return socket.get();
  }
  return nullptr;
}

SendOutcome UdpTransport::send(std::string_view bytes, const sip::Target& to) {
  auto address = parse_address(to.address);
  if (!address) return TransportFailure{sip::TransportError::unreachable, address.error().message};
  asio::ip::address destination = *address;
  if (destination.is_v6() && destination.to_v6().is_v4_mapped()) {
    destination = asio::ip::make_address_v4(asio::ip::v4_mapped, destination.to_v6());
  }
  Socket* socket = socket_for(destination);
  if (socket == nullptr) {
    return TransportFailure{sip::TransportError::unreachable,
                            destination.is_v6() ? "no IPv6 UDP socket" : "no IPv4 UDP socket"};
  }
  const asio::ip::udp::endpoint endpoint(destination, to.port);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::error_code ec;
    socket->socket.send_to(asio::buffer(bytes.data(), bytes.size()), endpoint, 0, ec);
    if (!ec) return {};
    if (ec == asio::error::would_block || ec == asio::error::no_buffer_space) {
      // A full socket buffer loses the datagram like the network would;
      // retransmission timers cover it.
      ++upcalls_.dropped_sends;
      return {};
    }
    if (ec == asio::error::message_size) {
      return TransportFailure{
          sip::TransportError::unreachable,
          "message too large for UDP (" + std::to_string(bytes.size()) + " bytes)"};
    }
    if (attempt == 0 &&
        (ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
         ec == asio::error::network_unreachable)) {
      // The kernel hands a pending ICMP error for *another* destination to
      // the next send on the socket; consume the queue and try once more.
      drain_errors(*socket, true);
      continue;
    }
    return failure_from(ec);
  }
  return TransportFailure{sip::TransportError::unreachable, "send failed"};
}

Result<sip::Target> UdpTransport::local_address_for(const sip::Target& to) const {
  auto address = parse_address(to.address);
  if (!address) return address.error();
  Socket* socket = socket_for(*address);
  if (socket == nullptr) return fail(Errc::not_found, "no UDP socket for " + to.address);
  sip::Target local = socket->local;
  auto bound = parse_address(local.address);
  if (bound && bound->is_unspecified()) {
    auto source = route_source(io_, *address);
    if (!source) return source.error();
    local.address = to_target(sip::TransportKind::udp, *source, local.port).address;
  }
  return local;
}

std::vector<sip::Target> UdpTransport::local_addresses() const {
  std::vector<sip::Target> out;
  for (const auto& socket : sockets_) out.push_back(socket->local);
  return out;
}

void UdpTransport::wait_readable(const std::shared_ptr<Socket>& socket) {
  // An ICMP error makes the socket poll as readable with EPOLLERR, which
  // completes a read wait too: one wait covers datagrams and errors.
  socket->socket.async_wait(asio::socket_base::wait_read, [socket](const std::error_code& ec) {
    if (ec || socket->owner == nullptr) return;
    socket->owner->on_readable(*socket);
    if (socket->owner != nullptr) socket->owner->wait_readable(socket);
  });
}

void UdpTransport::on_readable(Socket& socket) {
  drain_errors(socket, false);
  for (int i = 0; i < max_batch && socket.owner != nullptr; ++i) {
    asio::ip::udp::endpoint from;
    std::error_code ec;
    const std::size_t n = socket.socket.receive_from(asio::buffer(buffer_), from, 0, ec);
    if (ec == asio::error::would_block) break;
    if (ec) {
      // A pending ICMP error surfaces here as well; it was reported from the
      // error queue.
      continue;
    }
    on_datagram(socket, std::string_view(buffer_.data(), n), from);
  }
}

void UdpTransport::drain_errors(Socket& socket, bool defer) {
  for (int i = 0; i < max_batch; ++i) {
    std::array<char, 512> payload{};
    std::array<char, 512> control{};
    sockaddr_storage destination{};
    iovec iov{payload.data(), payload.size()};
    msghdr message{};
    message.msg_name = &destination;
    message.msg_namelen = sizeof destination;
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    if (::recvmsg(socket.socket.native_handle(), &message, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;

    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      const bool recverr = (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                           (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR);
      if (!recverr || c->cmsg_len < CMSG_LEN(sizeof(sock_extended_err))) continue;
      sock_extended_err error{};
      std::memcpy(&error, CMSG_DATA(c), sizeof error);
      auto failure = failure_from_icmp(error);
      std::uint16_t port = 0;
      auto address = address_from(destination, port);
      if (!failure || !address) continue;
      report(to_target(sip::TransportKind::udp, *address, port), std::move(*failure), defer);
    }
  }
}

void UdpTransport::on_datagram(Socket& socket, std::string_view bytes,
                               const asio::ip::udp::endpoint& from) {
  if (bytes.empty()) return;
  const sip::Target source = to_target(sip::TransportKind::udp, from);
  if (is_stun(bytes)) {
    if (upcalls_.stun != nullptr) {
      upcalls_.stun->on_stun(std::span<const std::uint8_t>(
                                 reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                             source, socket.local);
    }
    return;
  }
  // Stray CRLF keep-alives (sent by some devices over UDP) carry nothing.
  if (only_line_breaks(bytes)) return;
  if (bytes.size() > limits_.max_message_size) {
    ++upcalls_.malformed_datagrams;
    return;
  }
  Result<sip::Message> message = sip::Message::parse(bytes, limits_);
  if (!message) {
    ++upcalls_.malformed_datagrams;
    return;
  }
  if (upcalls_.events != nullptr) {
    upcalls_.events->on_message(std::move(message).value(), source, socket.local);
  }
}

void UdpTransport::report(const sip::Target& target, TransportFailure failure, bool defer) {
  if (!defer) {
    if (upcalls_.events != nullptr) upcalls_.events->on_transport_error(target, failure);
    return;
  }
  asio::post(io_,
             [alive = std::weak_ptr<bool>(alive_), this, target, failure = std::move(failure)] {
               const auto token = alive.lock();
               if (!token || !*token) return;
               if (upcalls_.events != nullptr) upcalls_.events->on_transport_error(target, failure);
             });
}

}  // namespace sipline::transport

#include "transport/endpoints.hpp"

#include <asio/error.hpp>
#include <cerrno>
#include <string>

namespace sipline::transport {

Result<asio::ip::address> parse_address(std::string_view text) {
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(std::string(text), ec);
  if (ec) return fail(Errc::malformed, "not a numeric IP address: '" + std::string(text) + "'");
  return address;
}

sip::Target to_target(sip::TransportKind transport, const asio::ip::address& address,
                      std::uint16_t port) {
  asio::ip::address plain = address;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    plain = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return sip::Target{transport, plain.to_string(), port, {}};
}

TransportFailure failure_from(const std::error_code& ec) {
  using sip::TransportError;
  if (ec.category() == std::system_category() ||
      ec.category() == asio::error::get_system_category()) {
    switch (ec.value()) {
      case ECONNREFUSED:
        return {TransportError::refused, "connection refused"};
      case ECONNRESET:
      case EPIPE:
      case ECONNABORTED:
        return {TransportError::reset, "connection reset by peer"};
      case ETIMEDOUT:
        return {TransportError::timeout, "connection timed out"};
      case EHOSTUNREACH:
      case EHOSTDOWN:
        return {TransportError::unreachable, "host unreachable"};
      case ENETUNREACH:
      case ENETDOWN:
        return {TransportError::unreachable, "network unreachable"};
      default:
        break;
    }
  }
  if (ec == asio::error::eof) return {TransportError::reset, "connection closed by peer"};
  return {TransportError::unreachable, ec.message()};
}

}  // namespace sipline::transport

namespace sipline::transport {

Result<asio::ip::address> route_source(asio::io_context& io, const asio::ip::address& to) {
  // Connecting a UDP socket only selects a route and a source address.
  asio::ip::udp::socket probe(io);
  std::error_code ec;
  probe.open(to.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (!ec) probe.connect(asio::ip::udp::endpoint(to, 9), ec);
  if (ec) return fail(Errc::io, "no route to " + to.to_string() + ": " + ec.message());
  const asio::ip::udp::endpoint local = probe.local_endpoint(ec);
  if (ec) return fail(Errc::io, "no route to " + to.to_string() + ": " + ec.message());
  return local.address();
}

}  // namespace sipline::transport

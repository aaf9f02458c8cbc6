#pragma once
// Conversions between sip::Target and Asio addresses. Internal to the socket
// transports (it names Asio types).

#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <string_view>
#include <system_error>

#include "common/result.hpp"
#include "sip/target.hpp"
#include "transport/transport.hpp"

namespace sipline::transport {

// A numeric IPv4 or IPv6 address (no brackets, no host names: resolution
// happens above this layer).
Result<asio::ip::address> parse_address(std::string_view text);

// The Target for a socket address; an IPv4-mapped IPv6 address is reported
// as plain IPv4.
sip::Target to_target(sip::TransportKind transport, const asio::ip::address& address,
                      std::uint16_t port);

template <class Endpoint>
sip::Target to_target(sip::TransportKind transport, const Endpoint& endpoint) {
  return to_target(transport, endpoint.address(), endpoint.port());
}

// The failure an errno-style error from connect/send/recv stands for.
TransportFailure failure_from(const std::error_code& ec);

}  // namespace sipline::transport

namespace sipline::transport {

// The local address the kernel would use to reach `to` (no packet is sent).
Result<asio::ip::address> route_source(asio::io_context& io, const asio::ip::address& to);

}  // namespace sipline::transport

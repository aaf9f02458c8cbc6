#pragma once
// Where the socket transports deliver upward events. Owned by SocketTransport
// and shared by its UDP and stream parts, so set_events() reaches all of them.

#include <cstdint>

#include "transport/transport.hpp"

namespace sipline::transport {

struct Upcalls {
  TransportEvents* events = nullptr;
  StunHandler* stun = nullptr;

  // Counters for diagnostics and tests.
  std::uint64_t malformed_datagrams = 0;  // UDP datagrams that were not a parseable message
  std::uint64_t malformed_stream_messages = 0;
  std::uint64_t dropped_sends = 0;         // UDP sends dropped for lack of socket buffer
  std::uint64_t rejected_connections = 0;  // inbound connections over the limit
};

}  // namespace sipline::transport

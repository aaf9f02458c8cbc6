#pragma once
// Settings of the socket transports. Defaults suit a phone: listeners are
// given explicitly (port 0 = ephemeral), TLS verifies the server by default.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/clock.hpp"
#include "sip/limits.hpp"
#include "sip/target.hpp"

namespace sipline::transport {

struct TlsOptions {
  // Trust anchors. Both empty: the system's default verify paths.
  std::string ca_file;
  std::string ca_dir;
  // Our certificate chain and key: required to accept TLS connections,
  // presented as a client certificate when set.
  std::string cert_file;
  std::string key_file;
  // Verify the server's chain and name (RFC 5922 §7.3). Turning it off is for
  // lab setups only.
  bool verify_server = true;
  // Ask accepted clients for a certificate and verify it (mutual TLS).
  bool verify_client = false;
};

struct TransportOptions {
  // Local addresses to bind: transport, numeric address ("0.0.0.0", "::",
  // "127.0.0.1"), port (0 = ephemeral). One UDP socket per entry is used both
  // to send and to receive (symmetric signalling, RFC 3581 §4); a TCP or TLS
  // entry is a listener for inbound connections. Outbound connections need no
  // entry.
  std::vector<sip::Target> listen;

  // TCP connect plus TLS handshake, outbound and inbound.
  runtime::Duration connect_timeout = std::chrono::seconds(10);
  // A connection with no traffic either way for this long is closed;
  // zero keeps connections until the peer closes them.
  runtime::Duration idle_timeout = std::chrono::seconds(120);
  // A partial message that makes no progress for this long closes the
  // connection (slow-loris defence).
  runtime::Duration incomplete_message_timeout = std::chrono::seconds(32);
  // RFC 5626 §4.4.1: a pong must follow a ping within 10 s.
  runtime::Duration pong_timeout = std::chrono::seconds(10);
  // Lower bound of the keep-alive jitter, as a fraction of the interval
  // (RFC 5626 §4.4.1: between 80 % and 100 %).
  double keepalive_min_fraction = 0.8;

  std::size_t max_connections = 256;
  // Bytes queued on one connection waiting for the socket; beyond it send()
  // fails rather than letting memory grow.
  std::size_t max_queued_bytes = 1 << 20;

  sip::Limits limits;
  TlsOptions tls;
};

}  // namespace sipline::transport

#pragma once
// The whole configuration of one sipline process: global settings (local SIP
// address, SIP timers, DNS, TLS, logging, keep-alive defaults) plus the
// accounts. Plain aggregates with documented defaults; docs/configuration.md
// lists every field beside its TOML and Yealink key.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/account.hpp"

namespace sipline::config {

enum class LogLevel : std::uint8_t { trace, debug, info, warning, error };

// Where a key was set, for error messages and `sipline config check`.
struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;  // 1-based; 0 = not from a file (a default)
};

// Following the host's addresses (interface up/down, DHCP, Wi-Fi, VPN).
struct NetworkSettings {
  bool watch = true;              // re-register when the local address toward a server changes
  std::uint32_t settle_ms = 500;  // 0-60000: wait for the changes to settle before acting
  bool operator==(const NetworkSettings&) const = default;
};

struct TlsSettings {
  std::string ca_file;      // PEM bundle; blank -> the system store
  std::string ca_dir;       // hashed CA directory; blank -> the system store
  bool verify_peer = true;  // RFC 5922 §7: verify the server certificate and its name
  std::string client_cert;  // PEM certificate for mutual TLS; blank -> none
  std::string client_key;   // PEM private key for client_cert
  bool operator==(const TlsSettings&) const = default;
};

// RFC 3261 §17.1.1.1 timer values, in milliseconds.
struct SipTimers {
  std::uint32_t t1_ms = 500;
  std::uint32_t t2_ms = 4000;
  std::uint32_t t4_ms = 5000;
  bool operator==(const SipTimers&) const = default;
};

struct Settings {
  Dialect dialect = Dialect::native;

  std::string listen_address = "0.0.0.0";  // local SIP address
  std::uint16_t listen_port = 5060;        // 0 = ephemeral
  SipTimers timers;
  std::vector<std::string> dns_servers;  // "addr" or "addr:port"; empty -> resolv.conf
  TlsSettings tls;
  LogLevel log_level = LogLevel::info;
  KeepAlive keepalive;  // default for accounts that set none
  NetworkSettings network;
  std::uint32_t surge_prevention = 0;  // 0-60 s: default random delay before the first REGISTER

  std::vector<Account> accounts;

  // Key -> where it was set: Yealink keys as written in the file
  // ("account.1.sip_server.1.port"), TOML keys as dotted paths with 1-based
  // array positions ("account[1].server[2].port").
  std::map<std::string, SourceLocation> sources;
};

const char* to_string(LogLevel level) noexcept;

}  // namespace sipline::config

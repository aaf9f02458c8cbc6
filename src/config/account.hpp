#pragma once
// The account model: what a phone's account page configures. Plain
// aggregates with documented defaults; loaders (TOML, Yealink .cfg) fill them
// and validate() applies the vendors' ranges and clamps. Durations are in
// seconds unless the name says otherwise.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace sipline::config {

// Which vendor's defaults apply where they differ (e.g. registration expiry:
// FLX 55 s, Yealink/Polycom 3600 s).
enum class Dialect : std::uint8_t { native, yealink, flx };

enum class ServerTransport : std::uint8_t { udp, tcp, tls, dns_naptr };

// Yealink account.X.sip_server.Y.failback_mode (0-3) and Polycom
// failOver.failBack.mode, plus FLX "monitor the primary and roll back".
enum class FailbackMode : std::uint8_t {
  new_requests = 0,  // every new request tries the primary first
  dns_ttl = 1,       // stay until the registered server's A-record TTL expires
  registration = 2,  // stay until the registration is renewed
  duration = 3,      // stay for failback_timeout, then try the primary
  monitor = 4,       // FLX: probe the primary every probe_interval, roll back when it answers
};

// Yealink account.X.fallback.redundancy_type.
enum class RedundancyType : std::uint8_t { concurrent = 0, successive = 1 };

// How idle flows to a registrar are kept alive and checked (RFC 5626 §4.4).
// `automatic` picks per transport: CRLF ping/pong on TCP/TLS, OPTIONS on UDP.
// `crlf` on UDP means OPTIONS (a UDP CRLF has no pong); `stun` means CRLF on
// TCP/TLS and STUN binding requests on UDP; `options` sends OPTIONS on all.
enum class KeepAliveKind : std::uint8_t { none, crlf, options, stun, automatic };

struct Password {
  std::string value;  // never printed: format with redacted()
  bool empty() const noexcept { return value.empty(); }
  static constexpr const char* redacted() noexcept { return "***"; }
  bool operator==(const Password&) const = default;
};

// One registrar (Yealink sip_server.Y, Polycom reg.x.server.y, FLX Registrar /
// Backup Registrar). A domain name may expand through DNS to several targets.
struct ServerEntry {
  std::string address;     // host name or IP literal
  std::uint16_t port = 0;  // 0 = default / SRV lookup
  ServerTransport transport = ServerTransport::udp;
  std::uint32_t expires = 0;       // 0 = the account's registration timeout
  int retry_counts = 3;            // 0-20: retransmission budget
  int invite_retry_counts = 3;     // 1-10
  bool register_on_enable = true;  // register before signalling through it
  bool only_signal_with_registered = false;
  FailbackMode failback_mode = FailbackMode::new_requests;
  std::uint32_t failback_timeout = 3600;  // 0 = never; 1-59 is raised to 60
  bool operator==(const ServerEntry&) const = default;
};

// An outbound proxy. Yealink's outbound_proxy.Y.* use -1 for "inherit the
// value of sip_server.Y"; here an unset optional means the same.
struct OutboundProxy {
  std::string address;  // may carry ";lr" (FLX) or be a full SIP URI
  std::uint16_t port = 0;
  std::optional<ServerTransport> transport;
  std::optional<int> retry_counts;
  std::optional<int> invite_retry_counts;
  std::optional<bool> register_on_enable;
  std::optional<bool> only_signal_with_registered;
  std::optional<FailbackMode> failback_mode;
  std::optional<std::uint32_t> failback_timeout;
  bool operator==(const OutboundProxy&) const = default;
};

enum class ProxyMode : std::uint8_t {
  chained,   // FLX: the list is a route set, every request passes all of them
  failover,  // Yealink: outbound_proxy.1 primary, .2 backup, with their own policy
};

struct RetryPolicy {
  std::uint32_t fixed_interval = 300;  // FLX "Auto Re-registration Retry Interval"
  // RFC 5626 §4.5 backoff; used instead of fixed_interval when max_time > 0.
  std::uint32_t base_time = 0;
  std::uint32_t max_time = 0;
  std::uint32_t permanent_error_interval = 1800;  // after 403/404
  bool operator==(const RetryPolicy&) const = default;
};

struct FailbackTuning {
  std::uint32_t probe_interval = 30;  // monitor mode and successive probing
  int good_probes = 2;                // hysteresis: answers in a row before rolling back
  std::uint32_t min_dwell = 30;       // seconds on a server before leaving it by policy
  bool operator==(const FailbackTuning&) const = default;
};

struct KeepAlive {
  KeepAliveKind kind = KeepAliveKind::automatic;
  // Seconds between keep-alives (jittered to 80-100 %). A Flow-Timer in the
  // registrar's 2xx (RFC 5626 §4.4.1) or a `keep=N` in its Via (RFC 6223)
  // replaces it for that flow.
  std::uint32_t interval = 30;
  // Seconds a CRLF or STUN keep-alive waits for its answer before the flow
  // counts as failed (default: the 10 s of RFC 5626 §4.4.1); OPTIONS get the
  // transaction's retry_counts budget instead.
  std::uint32_t pong_timeout = 10;
  bool operator==(const KeepAlive&) const = default;
};

// Bounds on an account's calls (the call layer's CallLimits).
struct CallSettings {
  // Seconds a call may ring either way before it is CANCELled (outgoing,
  // RFC 3261 §13.2.1) or answered 480 (incoming, §13.3.1.1).
  std::uint32_t ring_timeout = 180;
  // Live calls at once; an INVITE beyond is answered 486 Busy Here.
  std::uint32_t max_calls = 8;
  bool operator==(const CallSettings&) const = default;
};

struct Account {
  std::string name;  // label shown in status/events
  bool enabled = true;
  std::string id;            // AOR user part; blank -> username
  std::string display_name;  // blank -> username
  std::string username;      // SIP user name
  std::string auth_name;     // digest user name; blank -> username
  Password password;
  std::string domain;                      // AOR domain; blank -> first server's address
  std::uint32_t registration_timeout = 0;  // requested expiry; 0 = dialect default
  std::uint32_t expires_overlap = 0;       // 0 = automatic refresh margin
  RetryPolicy retry;
  std::vector<ServerEntry> servers;  // primary first
  std::vector<OutboundProxy> proxies;
  ProxyMode proxy_mode = ProxyMode::chained;
  bool use_proxy_for_registration = true;
  bool strict_routing = false;  // honour proxies without ;lr as strict routers
  std::uint32_t proxy_fallback_interval = 3600;
  RedundancyType redundancy = RedundancyType::successive;
  std::uint32_t fallback_timeout = 120;  // successive mode: probe the working server
  bool redundancy_with_reg_fail = false;
  FailbackTuning failback;
  KeepAlive keepalive;
  CallSettings calls;
  bool accept_only_from_registered = true;  // inbound trust
  std::string instance_id;                  // urn:uuid:...; generated when blank
  std::optional<std::uint32_t> reg_id;      // RFC 5626 reg-id
  std::uint32_t surge_prevention = 0;       // 0-60 s random delay before the first REGISTER
  // Yealink naptr_build: when NAPTR gives nothing, query SRV for UDP, TCP and
  // TLS (RFC 3263 §4.1) rather than for UDP only.
  bool srv_all_transports = false;

  // Effective values after the blank-means-username rules.
  const std::string& effective_id() const { return id.empty() ? username : id; }
  const std::string& effective_display_name() const {
    return display_name.empty() ? username : display_name;
  }
  const std::string& effective_auth_name() const {
    return auth_name.empty() ? username : auth_name;
  }

  bool operator==(const Account&) const = default;
};

// Registration expiry used when registration_timeout is 0.
std::uint32_t default_expires(Dialect dialect) noexcept;

// Applies vendor ranges and clamps in place (e.g. failback_timeout 1-59 ->
// 60; registration_timeout 0 -> dialect default). Returns the first value that
// is out of range and cannot be clamped, naming the key.
Result<void> normalize(Account& account, Dialect dialect);

// The outbound proxy with every unset field inherited from the server entry
// at the same position (Yealink -1 semantics; the last server when there are
// fewer servers than proxies).
ServerEntry resolve_proxy(const Account& account, std::size_t proxy_index);

}  // namespace sipline::config

#pragma once
// The registration event vocabulary. Every transition of an account is one
// event that says what happened, why, where it came from and went to, and
// when the engine will act next: enough to answer "why is this phone on the
// backup?". The daemon renders these as the `--events json` contract.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/clock.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

enum class EventType : std::uint8_t {
  registering,          // a REGISTER went out (first, refresh or after failover)
  registered,           // 2xx: a binding exists on `server`
  registration_failed,  // every candidate failed; `next_attempt` says when we retry
  failover,             // moved from `previous_server` to `server` because of `reason`
  failback,             // returned to a higher-priority `server` by policy
  unregistered,         // binding removed (stop, disable, after make-before-break)
  alarm,                // needs an administrator: 403/404, authentication rejected
  network_changed,      // the local address toward `server` changed; re-registering there
  // Calls (published by ua/ from call/ sessions; `call_id` and `peer` are set).
  call_incoming,  // an INVITE arrived and rings here
  call_ringing,   // the callee is alerting (180/183)
  call_answered,  // the call is established (2xx exchanged)
  call_updated,   // the call's re-INVITE is done; `reason` says whether it moved
  call_ended,     // the call is over; `status_code` and `reason` say why
};

std::string_view to_string(EventType type) noexcept;

// How a failure was noticed. Distinguishing them is what makes failover
// explainable (and what makes it fast: refused is known in milliseconds).
enum class FailureKind : std::uint8_t {
  none,
  timeout,              // no answer after the retransmission budget
  refused,              // ICMP port unreachable / TCP RST on connect
  unreachable,          // ICMP host/net unreachable, no route
  connection_reset,     // an established stream was reset or closed
  tls_failure,          // handshake or certificate verification failed
  service_unavailable,  // 503 (Retry-After honoured)
  server_error,         // another 5xx or 408/480 from the server
  auth_rejected,        // credentials refused (repeated identical challenge, 403)
  not_found,            // 404: the AOR is unknown to the registrar
  keepalive_lost,       // no pong / probe answer while idle
  dns_failure,          // the server name did not resolve
};

std::string_view to_string(FailureKind kind) noexcept;

// How a transport failure is named in events.
FailureKind failure_kind_of(sip::TransportError error) noexcept;

struct Event {
  EventType type = EventType::registering;
  std::string account;
  std::string server;           // target URI we are on / moved to, or empty
  std::string previous_server;  // for failover/failback
  FailureKind failure = FailureKind::none;
  std::string reason;   // human text, e.g. "503 Service Unavailable (Retry-After 60)"
  int status_code = 0;  // SIP status when a response caused it
  std::optional<std::uint32_t> expires;            // granted lifetime (registered)
  std::optional<runtime::TimePoint> next_attempt;  // next retry/probe/refresh
  runtime::TimePoint at{};                         // engine time of the transition
  std::string call_id;                             // call events: the daemon's call id ("c1", ...)
  std::string peer;                                // call events: the remote party's URI
};

}  // namespace sipline::reg

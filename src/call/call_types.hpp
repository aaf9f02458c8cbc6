#pragma once
// The vocabulary shared by the call sessions and the manager: what a call
// needs from outside (CallEnv, RouteProvider), who we are in it (LocalParty)
// and what it reports (CallEvent, CallInfo).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credential_set.hpp"
#include "auth/digest_client.hpp"
#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "txn/timer_config.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::call {

enum class Direction : std::uint8_t { outgoing, incoming };

enum class CallState : std::uint8_t {
  calling,      // outgoing: INVITE sent, nothing heard but 100
  ringing,      // outgoing: 180/183 received; incoming: 180 sent, waiting for answer()
  answering,    // incoming: 200 sent, waiting for the ACK
  established,  // 2xx and ACK exchanged
  ended,
};
std::string_view to_string(CallState state) noexcept;
std::string_view to_string(Direction direction) noexcept;

// updated: an established call's re-INVITE (§14.1) is done: answered 2xx,
// the call now uses the new address; or refused, the call kept its old one.
enum class CallEventType : std::uint8_t { incoming, ringing, answered, updated, ended };

struct CallEvent {
  CallEventType type = CallEventType::incoming;
  std::string call_id;  // "c1", "c2"... unique per manager
  std::string account;
  std::string server;   // the server URI the call goes through, or empty
  std::string peer;     // the remote party's URI
  int status_code = 0;  // the SIP status that ended the call, if any
  std::string reason;   // human text ("486 Busy Here", "remote hangup", "timeout")
};

// A snapshot of one live call, for status.
struct CallInfo {
  std::string call_id;
  std::string account;
  Direction direction = Direction::outgoing;
  CallState state = CallState::calling;
  std::string peer;
  std::string server;
  runtime::TimePoint since{};  // when the call was created
};

// Bounds on calls: an account's [account.calls] settings (documented in
// docs/configuration.md), or the manager's defaults.
struct CallLimits {
  // How long a call may ring, either way: an incoming one is then answered
  // 480, an outgoing one CANCELled (RFC 3261 §13.3.1.1 leaves the UAS its
  // own timer; §13.2.1 suggests the UAC one).
  runtime::Duration ring_timeout = std::chrono::seconds(180);
  // Live calls per account; an INVITE beyond is answered 486 Busy Here.
  std::size_t max_calls_per_account = 8;
};

// Who we are in a call: one account's identity and credentials.
struct LocalParty {
  std::string account;
  std::string display_name;
  std::string user;    // AOR user, also the Contact user
  std::string domain;  // AOR domain
  auth::CredentialSet credentials;
  // This account's bounds; the manager's own when absent.
  std::optional<CallLimits> limits;

  std::string aor() const { return "sip:" + user + "@" + domain; }
};

// Where an out-of-dialog INVITE goes, decided by the account's redundancy
// policy (reg::RedundancyEngine::route_for_new_request(true) in ua/).
struct OutboundRoute {
  sip::Target target;
  std::vector<std::string> route_set;  // Route values, first hop first
  std::string server_uri;
  int retransmit_budget = 3;  // invite_retry_counts
};

// How an INVITE failed at its first hop (fed back to the policy).
enum class RouteFailure : std::uint8_t {
  timeout,
  refused,
  unreachable,
  reset,
  tls_failure,
  service_unavailable,  // 503, with Retry-After
};
std::string_view to_string(RouteFailure failure) noexcept;

class RouteProvider {
 public:
  virtual ~RouteProvider() = default;
  // The route for a new INVITE now, avoiding the targets in `avoid` (where
  // this call's INVITE already failed): the next usable server at once, not
  // after the policy's own failover. Empty when the account may not signal
  // or no server is left.
  virtual std::optional<OutboundRoute> route(const std::vector<sip::Target>& avoid) = 0;
  virtual void report_failure(const sip::Target& target, RouteFailure failure,
                              std::uint32_t retry_after) = 0;
  // How many different targets one call may try: one per configured server.
  virtual std::size_t max_attempts() const = 0;
};

// Everything a call needs from the stack below, injected.
struct CallEnv {
  txn::TransactionLayer& layer;
  sip::TransportSink& wire;  // ACKs for 2xx go straight to the transport (§13.2.2.4)
  runtime::TimerService& timers;
  txn::TimerConfig timer_config;  // T1/T2 for 2xx retransmission and CANCEL guard
  // The local address a request to `target` leaves from (Via, Contact, SDP).
  std::function<std::optional<sip::Target>(const sip::Target&)> local_address;
  std::function<std::string()> random_token;  // Call-ID material
  auth::CnonceSource cnonce;
  std::uint16_t media_port = 40000;  // advertised in SDP; no RTP flows yet
};

}  // namespace sipline::call

#pragma once
// RegistrationClient: the mechanism of one binding (RFC 3261 §10.2) of one
// account at one target. It registers, authenticates (401/407 once per new
// nonce), adopts Min-Expires (423), refreshes before expiry, unregisters, and
// reports every outcome as a ClientEvent. It never chooses another server or
// schedules a retry after a failure: that is the redundancy policy's job.
// Sans-I/O: time from the TimerService, requests through a RequestSender.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/digest_client.hpp"
#include "reg/events.hpp"
#include "reg/request_sender.hpp"
#include "runtime/clock.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

struct BindingConfig {
  std::string account;          // for events
  std::string aor;              // To/From URI: sip:user@domain
  std::string display_name;     // From display name (blank: none)
  std::string registrar_uri;    // Request-URI: sip:domain (no user part, §10.2)
  sip::Target target;           // first hop: the registrar or the outbound proxy
  std::string target_uri;       // the server as the user wrote it, for events
  std::vector<std::string> route_set;  // preloaded Route URIs (use proxy for registration)
  bool strict_routing = false;  // first route without ;lr is a strict router (§12.2.1.1)
  std::uint32_t expires = 3600;        // requested lifetime
  std::uint32_t overlap = 0;           // refresh margin (0 = automatic)
  int retransmit_budget = 3;           // retry_counts
  std::string call_id;                 // stable for the binding (§10.2)
  std::string instance_id;             // +sip.instance (RFC 5626 §4.1), urn:uuid:...
  std::optional<std::uint32_t> reg_id; // RFC 5626 reg-id
  std::string contact_user;            // user part of our Contact
  std::string user_agent = "sipline";
  bool rewrite_contact_on_nat = true;  // rport/received differ -> re-register once
};

enum class ClientState : std::uint8_t {
  idle,           // nothing registered, nothing in flight
  registering,    // first REGISTER (or after a failure) in flight
  registered,     // binding valid; a refresh timer runs
  refreshing,     // refresh in flight; the binding is still valid
  unregistering,  // Expires: 0 in flight
  failed,         // the last attempt failed; waits for the policy
};

// What the mechanism tells the policy.
struct ClientEvent {
  enum class Kind : std::uint8_t {
    registered,    // 2xx: first registration or a refresh
    failed,        // final failure of an attempt (see failure, status, retry_after)
    unregistered,  // the Expires: 0 REGISTER completed (or failed: binding assumed gone)
  };
  Kind kind = Kind::registered;
  FailureKind failure = FailureKind::none;
  int status_code = 0;
  std::string reason;
  std::uint32_t retry_after = 0;                // seconds, from Retry-After
  std::uint32_t granted_expires = 0;            // registered: lifetime the server granted
  std::vector<std::string> service_route;       // registered: RFC 3608 route (may be empty)
  std::vector<std::string> path;                // registered: RFC 3327, for information
  bool refresh = false;                         // registered/failed: it was a refresh
};

class RegistrationClient {
 public:
  using RandomSource = std::function<double()>;  // uniform in [0, 1)

  RegistrationClient(BindingConfig config, auth::DigestClient digest, RequestSender& sender,
                     runtime::TimerService& timers, RandomSource random,
                     std::function<void(const ClientEvent&)> on_event);
  ~RegistrationClient();
  RegistrationClient(const RegistrationClient&) = delete;
  RegistrationClient& operator=(const RegistrationClient&) = delete;

  void start();        // REGISTER now (from idle or failed)
  void refresh_now();  // refresh early (e.g. a policy probe); no-op unless registered
  void stop();         // unregister if a binding may exist, else go idle
  void abandon();      // forget everything without sending (server known dead)

  ClientState state() const noexcept;
  const BindingConfig& config() const noexcept;
  std::optional<runtime::TimePoint> expires_at() const noexcept;  // binding validity
  std::optional<runtime::TimePoint> next_refresh() const noexcept;
  const std::vector<std::string>& service_route() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::reg

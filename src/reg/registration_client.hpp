#pragma once
// RegistrationClient: the mechanism of one binding (RFC 3261 §10.2) of one
// account at one target. It registers, authenticates (401/407 once per new
// nonce), adopts Min-Expires (423), refreshes before expiry, unregisters, and
// reports every outcome as a ClientEvent. It never chooses another server or
// schedules a retry after a failure: that is the redundancy policy's job.
// Sans-I/O: time from the TimerService, requests through a RequestSender.
//
// Re-entrancy: events are reported last, once the client's state is final,
// so the handler may call any method, or destroy the client (the sender must
// then allow a finished request's handle to be destroyed from inside its
// `done`). Nothing is reported from inside a method call: an error found
// there (a configuration the REGISTER cannot be built from) is reported from
// a zero-delay timer.

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
  std::string account;                  // for events
  std::string aor;                      // To/From URI: sip:user@domain
  std::string display_name;             // From display name (blank: none)
  std::string registrar_uri;            // Request-URI: sip:domain (no user part, §10.2)
  sip::Target target;                   // first hop: the registrar or the outbound proxy
  std::string target_uri;               // the server as the user wrote it, for events
  std::vector<std::string> route_set;   // preloaded Route URIs (use proxy for registration)
  bool strict_routing = false;          // first route without ;lr is a strict router (§12.2.1.1);
                                        // otherwise every route is taken as loose (;lr added)
  std::uint32_t expires = 3600;         // requested lifetime (0: 3600)
  std::uint32_t overlap = 0;            // refresh margin (0 = automatic)
  int retransmit_budget = 3;            // retry_counts
  std::string call_id;                  // stable for the binding (§10.2)
  std::string instance_id;              // +sip.instance (RFC 5626 §4.1), urn:uuid:...
  std::optional<std::uint32_t> reg_id;  // RFC 5626 reg-id
  std::string contact_user;             // user part of our Contact
  std::string user_agent = "sipline";
  // The 2xx's top Via received/rport differ from our Contact: re-register
  // once with the address the registrar saw (once per distinct address).
  bool rewrite_contact_on_nat = true;
  // Keep-alives are on: offer to send them to the next hop (RFC 6223 §4.1).
  bool offer_keep = false;
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
  std::uint32_t retry_after = 0;               // seconds, from Retry-After (at most 3600)
  std::uint32_t granted_expires = 0;           // registered: lifetime the server granted
  std::vector<std::string> service_route;      // registered: RFC 3608 route (may be empty)
  std::vector<std::string> path;               // registered: RFC 3327, for information
  bool refresh = false;                        // registered/failed: it was a refresh
  std::optional<std::uint32_t> flow_timer;     // registered: RFC 5626 Flow-Timer seconds
  std::optional<std::uint32_t> keep_interval;  // registered: RFC 6223 keep=N of the 2xx's Via
  // registered: this 2xx confirms the Contact moved to a new local address
  // (network_changed()); the text names the new Contact.
  std::string contact_moved_to;
};

// What RegistrationClient::network_changed() found.
struct AddressChange {
  bool moved = false;  // the Contact moves (now, or with the outcome of the REGISTER in flight)
  std::string from;    // "10.0.0.2:5060": the local address the Contact was built on
  std::string to;      // the local address requests to the registrar leave from now
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

  // REGISTER now, from idle (a new binding: new From tag, Contact from the
  // sender's local address) or failed (same binding). While unregistering it
  // is queued until the Expires: 0 completes; while a REGISTER is in flight
  // it cancels a queued stop(); when registered it does nothing.
  void start();
  // Refresh early (e.g. a policy probe or a network change); no-op unless registered.
  void refresh_now();
  // The host's addresses or routes changed: asks the sender for the local
  // address toward the registrar again. When it moved, the binding moves
  // with it: registered, a REGISTER with the new Contact that also removes
  // the old one goes out at once; with a REGISTER in flight, that happens
  // on its outcome; failed, the next attempt carries the new Contact.
  AddressChange network_changed();
  // Unregister (Expires: 0 for our Contact only, never "Contact: *", §10.2.2)
  // when a binding may exist: when registered, or failed while the last
  // granted lifetime has not run out. With a REGISTER in flight the stop is
  // queued and acts on its outcome (a 2xx is followed by the unregister).
  // Reports `unregistered` when that is done; when nothing may be bound it
  // goes idle at once, without an event.
  void stop();
  // Forget everything without sending (server known dead): no event, no
  // callback of an earlier request or timer, digest state reset.
  void abandon();

  ClientState state() const noexcept;
  const BindingConfig& config() const noexcept;
  // Until when the last 2xx said the binding is valid; kept after a failed
  // refresh (the binding may still exist), cleared when unregistered.
  std::optional<runtime::TimePoint> expires_at() const noexcept;
  std::optional<runtime::TimePoint> next_refresh() const noexcept;
  const std::vector<std::string>& service_route() const noexcept;  // URIs, topmost first
  const std::vector<std::string>& path() const noexcept;           // URIs, as the last 2xx listed
  // Our Contact URI for this binding (empty before the first REGISTER).
  const std::string& contact() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::reg

#pragma once
// The redundancy policy of one account: which server to register with, when
// to fail over, when and how to fail back. It consumes RegistrationClient
// outcomes (the mechanism) and DNS server location, and reports every
// transition as a reg::Event. Sans-I/O: time from the TimerService, requests
// through a RequestSender, names through a dns::Locator.
//
// Vendor semantics (Yealink sip_server.Y.*, fallback.*, Polycom reg.x.server.y,
// failOver.*, FLX backup registrar / monitor) are described in
// docs/configuration.md; the model is config::Account.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/account.hpp"
#include "dns/locator.hpp"
#include "reg/events.hpp"
#include "reg/request_sender.hpp"
#include "runtime/clock.hpp"
#include "sip/target.hpp"

namespace sipline::reg {

// Everything the engine needs from outside, injected.
struct EngineDeps {
  RequestSender& sender;
  runtime::TimerService& timers;
  dns::Locator& locator;
  std::function<double()> random;             // uniform [0, 1): jitter, cnonce seeds
  std::function<std::string()> random_token;  // Call-ID / instance material
};

// Where the account stands, for `sipline status`.
enum class AccountState : std::uint8_t {
  disabled,     // not started, or stopped
  registering,  // no binding yet; a REGISTER is in flight
  registered,   // a binding exists on `server`
  failed,       // every candidate failed; waiting for `next_attempt`
  stopping,     // unregistering
};
std::string_view to_string(AccountState state) noexcept;

struct ServerStatus {
  std::string uri;          // as configured, e.g. "sip:pbx1.example.com:5060;transport=udp"
  std::size_t index = 0;    // position in the account's server list (0 = primary)
  std::string target;       // resolved address:port/transport in use, or empty
  std::string health;       // "ok", "greylisted until ...", "blacklisted (503) until ..."
  bool registered = false;  // a binding exists there now
};

struct AccountStatus {
  std::string account;
  AccountState state = AccountState::disabled;
  std::optional<std::size_t> active_server;  // index into servers
  std::string role;                          // "primary", "backup", "backup 2"...
  std::optional<runtime::TimePoint> since;   // on this server since
  std::optional<runtime::TimePoint> expires_at;
  std::optional<runtime::TimePoint> next_attempt;  // retry / probe / refresh
  FailureKind last_failure = FailureKind::none;
  std::string last_failure_reason;
  std::optional<runtime::TimePoint> last_failure_at;
  std::vector<ServerStatus> servers;
  std::vector<std::string> route_set;  // Route for out-of-dialog requests now
  std::string contact;                 // our Contact on the active server while registered
};

class RedundancyEngine {
 public:
  using EventSink = std::function<void(const Event&)>;

  // `account` must have passed config::normalize(). Nothing happens until start().
  RedundancyEngine(config::Account account, config::Dialect dialect, EngineDeps deps,
                   EventSink on_event);
  ~RedundancyEngine();
  RedundancyEngine(const RedundancyEngine&) = delete;
  RedundancyEngine& operator=(const RedundancyEngine&) = delete;

  // Registers (after the surge-prevention delay, if configured).
  void start();
  // Unregisters every binding, then reports `unregistered`; `done` runs when
  // nothing is left in flight (at most one transaction timeout later).
  void stop(std::function<void()> done = {});

  // Calls: failback modes that wait for an idle account consult this.
  void call_started();
  void call_ended();

  // The host's addresses or routes changed. Every binding whose requests
  // now leave from another local address re-registers on the same server
  // with its Contact moved (the old Contact removed in the same REGISTER)
  // and a `network_changed` event says from where to where. No failover:
  // the server did not fail.
  void network_changed();

  // Where an out-of-dialog request (INVITE, OPTIONS...) of this account goes
  // now: the registered server (server affinity) or, in new-requests failback
  // mode, the primary first. Empty when the account may not signal
  // (only_signal_with_registered and nothing registered).
  //
  // `exclude`: targets this request already failed at (a call retrying its
  // INVITE). The answer is then the next usable target at once, without
  // waiting for the engine's own failover: another registered binding
  // first, then the servers in configured order (their last DNS answer;
  // every backup is located when the engine starts). With
  // only_signal_with_registered in effect (register_on_enable on and a
  // failback mode other than newRequests, Yealink semantics) only
  // registered bindings qualify. Empty when nothing is left.
  struct RequestRoute {
    sip::Target target;
    std::vector<std::string> route_set;  // Route header values, topmost first
    std::string server_uri;
    int retransmit_budget = 3;  // invite_retry_counts for INVITE
  };
  std::optional<RequestRoute> route_for_new_request(
      bool is_invite, const std::vector<sip::Target>& exclude = {}) const;
  // A new request sent via route_for_new_request() failed at its target:
  // feeds the health lists exactly like a failed REGISTER would.
  void report_request_failure(const sip::Target& target, FailureKind kind,
                              std::uint32_t retry_after = 0);

  // Inbound trust: an out-of-dialog request from `source` is accepted only
  // when the account is registered with it (or trust is switched off).
  bool accepts_request_from(const sip::Target& source) const;

  AccountStatus status() const;
  const config::Account& account() const noexcept;

  // How long a target that timed out or refused is skipped (default 32 s,
  // one Timer F). Call before start().
  void set_greylist_duration(runtime::Duration duration);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::reg

#pragma once
// Internal to the redundancy engine (redundancy_engine.cpp, engine_failback.cpp,
// engine_queries.cpp):
// the state the engine keeps per account. Not part of the public API.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/account.hpp"
#include "dns/locator.hpp"
#include "reg/candidates.hpp"
#include "reg/events.hpp"
#include "reg/failback_policy.hpp"
#include "reg/redundancy_engine.hpp"
#include "reg/registration_client.hpp"
#include "reg/target_health.hpp"
#include "runtime/clock.hpp"

namespace sipline::reg::detail {

// One RegistrationClient at one resolved target of one hop.
struct Binding {
  std::uint64_t id = 0;
  std::size_t hop = 0;
  dns::ResolvedTarget resolved;
  sip::Target target;
  std::uint64_t slot = 0;                // the ClientSlot whose client this is
  RegistrationClient* client = nullptr;  // owned by the slot
  bool registered = false;
  bool leaving = false;  // stop() sent: make-before-break tail or shutdown
  runtime::TimePoint since{};
  // Keep-alive (engine_keepalive.cpp).
  std::optional<std::uint32_t> server_interval;  // Flow-Timer or keep=N of the last 2xx
  bool keepalive_running = false;
  std::unique_ptr<FlowWatch> watch;
  runtime::Timer options_timer;
  std::unique_ptr<PendingRequest> options_request;
};

// A RegistrationClient kept per (hop, target) across failovers: one Call-ID
// per registrar with CSeq increasing for the boot cycle (RFC 3261 §10.2), so
// a registrar that still holds our old binding takes the new REGISTER as
// its refresh instead of rejecting a CSeq that went backwards (§10.3 step 7).
struct ClientSlot {
  std::size_t hop = 0;
  sip::Target target;
  std::unique_ptr<RegistrationClient> client;
  std::uint64_t binding = 0;  // the binding using it now (0: free)
};

struct HopState {
  Hop hop;
  std::vector<dns::ResolvedTarget> targets;  // last resolution
  // Concurrent mode: this hop's own registration lane.
  std::uint64_t lane_binding = 0;
  std::size_t lane_pos = 0;
  std::vector<dns::ResolvedTarget> lane_targets;
  unsigned lane_failures = 0;
  dns::Lookup lane_lookup;
  runtime::Timer lane_retry;
  std::optional<runtime::TimePoint> lane_next_attempt;
  // Successive mode: the backup located ahead of need, so that a request
  // failing at the active server can go to it at once.
  dns::Lookup early_lookup;
};

// A walk through candidates in priority order: the registration cycle when
// nothing is registered, or a failback walk over the candidates better than
// the active one.
struct Cycle {
  bool running = false;
  bool failback = false;
  std::size_t hop = 0;
  std::vector<dns::ResolvedTarget> targets;
  std::size_t pos = 0;
  dns::Lookup lookup;
  std::uint64_t binding = 0;
  // The failure that moved us (for the failover event) and where from.
  FailureKind failure = FailureKind::none;
  std::string reason;
  int status_code = 0;
  std::string from_server;
  bool permanent = false;
  // REGISTERs sent in this walk; a walk that skipped every target because
  // all were greylisted is run again with the greylist ignored (it only
  // exists to prefer other targets, never to stop trying altogether).
  std::size_t attempts = 0;
  bool ignore_greylist = false;
};

}  // namespace sipline::reg::detail

namespace sipline::reg {

struct RedundancyEngine::Impl {
  Impl(config::Account a, config::Dialect d, EngineDeps deps, EventSink sink);
  ~Impl();

  // ---- commands (redundancy_engine.cpp) ----
  void start();
  void stop(std::function<void()> done);
  void call_started();
  void call_ended();
  std::optional<RequestRoute> route_for_new_request(bool is_invite) const;
  std::optional<RequestRoute> route_avoiding(bool is_invite,
                                             const std::vector<sip::Target>& exclude) const;
  RequestRoute route_via(std::size_t hop, const sip::Target& target, bool is_invite) const;
  void locate_backups();
  void report_request_failure(const sip::Target& target, FailureKind kind,
                              std::uint32_t retry_after);
  bool accepts_request_from(const sip::Target& source) const;
  AccountStatus status() const;

  // ---- successive registration (redundancy_engine.cpp) ----
  void begin_cycle(bool failback);
  void cycle_locate();
  void cycle_try_target();
  void cycle_next_target();
  void cycle_next_hop();
  void cycle_exhausted();
  void cancel_cycle();
  void on_event(std::uint64_t slot, const ClientEvent& event);
  RegistrationClient& client_for(detail::Binding& b);
  void on_attempt_event(detail::Binding& b, const ClientEvent& event);
  void on_active_event(detail::Binding& b, const ClientEvent& event);
  void on_leaving_event(detail::Binding& b, const ClientEvent& event);
  void become_active(detail::Binding& b);
  void active_lost(FailureKind kind, std::string reason, int status, std::uint32_t retry_after);
  void schedule_retry(FailureKind kind, const std::string& reason, int status, bool permanent);

  // ---- failback and probing (engine_failback.cpp) ----
  bool better_candidate_possible() const;
  void schedule_failback();
  void failback_due();
  void monitor_probe();
  void finish_failback(detail::Binding& b);
  void failback_failed();

  // ---- keep-alives (engine_keepalive.cpp) ----
  struct KeepAlivePlan {
    FlowKeepAlive flow;    // what the sender does on the flow
    bool options = false;  // OPTIONS probes from the engine
    runtime::Duration interval{};
  };
  KeepAlivePlan keepalive_plan(const detail::Binding& b) const;
  bool keeps_alive(const detail::Binding& b) const;
  void start_keepalive(detail::Binding& b);
  void stop_keepalive(detail::Binding& b);
  void arm_keepalive();
  bool note_server_interval(detail::Binding& b, const ClientEvent& event);
  void options_keepalive(std::uint64_t id);
  void flow_lost(std::uint64_t id, const FlowLoss& loss);
  void network_changed();
  void contact_moved(detail::Binding& b, const ClientEvent& event);
  void binding_lost(std::uint64_t id, FailureKind kind, const std::string& reason, int status,
                    FailureKind health_kind, std::uint32_t retry_after);

  // ---- concurrent registration (engine_failback.cpp) ----
  void lane_start(std::size_t hop);
  void lane_try(std::size_t hop);
  void lane_event(detail::Binding& b, const ClientEvent& event);
  void lane_retry(std::size_t hop, FailureKind kind, std::uint32_t retry_after, bool permanent);
  void elect_active(FailureKind kind, const std::string& reason);

  // ---- helpers (redundancy_engine.cpp) ----
  detail::Binding& new_binding(std::size_t hop, const dns::ResolvedTarget& resolved);
  detail::Binding* find(std::uint64_t id);
  const detail::Binding* find(std::uint64_t id) const;
  void retire(std::uint64_t id, bool unregister);
  void emit(EventType type, std::string server, std::string previous = {},
            FailureKind failure = FailureKind::none, std::string reason = {}, int status = 0,
            std::optional<std::uint32_t> expires = std::nullopt,
            std::optional<runtime::TimePoint> next = std::nullopt);
  void note_failure(FailureKind kind, const std::string& reason);
  void maybe_finish_stop();
  std::string server_name(std::size_t hop) const { return hops[hop].hop.uri; }
  runtime::TimePoint now() const { return deps.timers.now(); }
  double draw() const;
  std::string token() const;
  bool fails_over(FailureKind kind) const;

  config::Account account;
  config::Dialect dialect;
  EngineDeps deps;
  EventSink sink;
  HealthTable health;
  std::vector<detail::HopState> hops;
  std::string instance_id;

  AccountState state = AccountState::disabled;
  bool started = false;
  bool stopping = false;
  std::function<void()> stop_done;
  std::vector<std::unique_ptr<detail::Binding>> bindings;
  std::map<std::uint64_t, detail::ClientSlot> slots;
  std::uint64_t next_slot = 1;
  std::vector<std::unique_ptr<RegistrationClient>> graveyard;
  runtime::Timer graveyard_timer;
  std::uint64_t next_id = 1;

  std::uint64_t active = 0;               // binding carrying traffic (0: none)
  std::optional<std::size_t> active_hop;  // concurrent mode: hop of the elected binding
  detail::Cycle cycle;
  unsigned failures = 0;  // consecutive failed registration cycles
  std::optional<runtime::TimePoint> next_attempt;
  runtime::Timer surge_timer;
  runtime::Timer retry_timer;

  // Failback.
  runtime::Timer failback_timer;
  std::optional<runtime::TimePoint> failback_at;
  runtime::TimePoint failback_base{};
  bool failback_deferred = false;
  ProbeStreak streak;
  std::unique_ptr<PendingRequest> monitor_request;
  std::unique_ptr<PendingRequest> finished_request;  // kept past its own callback
  unsigned flaps = 0;
  std::optional<runtime::TimePoint> last_failback_at;
  std::optional<runtime::TimePoint> last_flap_at;

  int calls = 0;

  // Status.
  FailureKind last_failure = FailureKind::none;
  std::string last_failure_reason;
  std::optional<runtime::TimePoint> last_failure_at;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
};

}  // namespace sipline::reg

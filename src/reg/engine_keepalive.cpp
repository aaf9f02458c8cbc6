// The redundancy engine's flows. Keep-alives: every binding that carries (or, in
// concurrent mode, could carry) the account's traffic has its flow watched
// and kept alive while idle, so that a dead server is noticed within one
// keep-alive interval plus its pong timeout instead of at the next refresh.
//
// The mechanism per flow: CRLF ping/pong on TCP/TLS (RFC 5626 §4.4.1), STUN
// binding requests on UDP (§4.4.2) through RequestSender::watch_flow(), or
// OPTIONS requests (RFC 3261 §11) sent by the engine itself. The interval is
// the account's, replaced per flow by the registrar's Flow-Timer (RFC 5626
// §4.4.1, §5.2) or its next hop's `keep=N` (RFC 6223 §4.2).
//
// Local address changes: when the host's addresses or routes change, every
// binding checks whether requests to its registrar now leave from another
// address, and if so moves its Contact there on the same registrar. The
// server did not fail, so this is not a failover: the health table and the
// active server stay as they are.

#include <algorithm>
#include <chrono>

#include "reg/engine_state.hpp"
#include "reg/prober.hpp"
#include "reg/timing.hpp"

namespace sipline::reg {

using detail::Binding;
using runtime::Duration;

namespace {

// The delay before an OPTIONS keep-alive: 80-100 % of the interval.
Duration jittered(Duration interval, double unit_random) {
  return std::chrono::duration_cast<Duration>(keepalive_delay(Seconds(interval), unit_random));
}

}  // namespace

RedundancyEngine::Impl::KeepAlivePlan RedundancyEngine::Impl::keepalive_plan(
    const Binding& b) const {
  KeepAlivePlan plan;
  std::uint32_t seconds = account.keepalive.interval;
  if (b.server_interval) seconds = *b.server_interval;
  plan.interval = std::chrono::seconds(seconds);
  const bool reliable = sip::is_reliable(b.target.transport);
  switch (account.keepalive.kind) {
    case config::KeepAliveKind::none:
      // No pings, but a connection the peer closes is still noticed.
      break;
    case config::KeepAliveKind::options:
      plan.options = true;
      break;
    case config::KeepAliveKind::automatic:
    case config::KeepAliveKind::crlf:
      // A CRLF over UDP gets no pong and detects nothing: OPTIONS instead.
      if (reliable) {
        plan.flow.method = FlowKeepAlive::Method::crlf;
      } else {
        plan.options = true;
      }
      break;
    case config::KeepAliveKind::stun:
      plan.flow.method = reliable ? FlowKeepAlive::Method::crlf : FlowKeepAlive::Method::stun;
      break;
  }
  if (seconds == 0) {
    plan.options = false;
    plan.flow.method = FlowKeepAlive::Method::none;
  }
  plan.flow.interval = plan.interval;
  // CRLF and STUN alike; the setting's default is RFC 5626 §4.4.1's 10 s.
  plan.flow.pong_timeout = std::chrono::seconds(account.keepalive.pong_timeout);
  return plan;
}

bool RedundancyEngine::Impl::keeps_alive(const Binding& b) const {
  if (b.leaving || stopping || !started) return false;
  if (account.redundancy == config::RedundancyType::concurrent) return b.registered;
  return b.id == active;
}

// (Re)starts the watch and keep-alive of `b` with the current plan.
void RedundancyEngine::Impl::start_keepalive(Binding& b) {
  stop_keepalive(b);
  if (!keeps_alive(b)) return;
  KeepAlivePlan plan = keepalive_plan(b);
  const std::uint64_t id = b.id;
  const std::weak_ptr<int> guard = alive;
  // Only a registered binding has a flow to watch: one that signals without
  // registering (register_on_enable off) may have no connection yet.
  const ClientState client = b.client->state();
  if (client == ClientState::registered || client == ClientState::refreshing) {
    b.watch = deps.sender.watch_flow(b.target, plan.flow, [this, id, guard](const FlowLoss& loss) {
      if (!guard.expired()) flow_lost(id, loss);
    });
  } else if (plan.flow.method != FlowKeepAlive::Method::none) {
    plan.options = true;  // still checked while idle, by OPTIONS
  }
  b.keepalive_running = true;
  if (plan.options) {
    b.options_timer =
        deps.timers.start(jittered(plan.interval, draw()), [this, id] { options_keepalive(id); });
  }
}

void RedundancyEngine::Impl::stop_keepalive(Binding& b) {
  b.watch.reset();
  b.options_timer.cancel();
  b.options_request.reset();
  b.keepalive_running = false;
}

void RedundancyEngine::Impl::network_changed() {
  if (!started || stopping) return;
  // Collected first: a client's REGISTER completes later, never inside this
  // call, but events go out only after every binding has been asked.
  struct Move {
    std::string server;
    std::string reason;
  };
  std::vector<Move> moves;
  for (const auto& b : bindings) {
    if (b->leaving || b->client == nullptr) continue;
    const AddressChange change = b->client->network_changed();
    if (!change.moved) continue;
    // The flow it watched may be gone with the old address (a TCP
    // connection from it was closed): the keep-alive starts again, on the
    // new flow, with the 2xx of the move.
    stop_keepalive(*b);
    moves.push_back({server_name(b->hop), "local address " + change.from + " -> " + change.to +
                                              " toward " + describe(b->target)});
  }
  for (Move& move : moves) {
    emit(EventType::network_changed, std::move(move.server), {}, FailureKind::none,
         std::move(move.reason));
  }
}

// The registrar confirmed a moved Contact: say so, as a registration.
void RedundancyEngine::Impl::contact_moved(Binding& b, const ClientEvent& event) {
  emit(EventType::registered, server_name(b.hop), {}, FailureKind::none,
       "Contact moved to " + event.contact_moved_to + "; registered at " + describe(b.target),
       event.status_code, event.granted_expires, b.client->next_refresh());
}

// Keep-alive of the active binding (successive mode), after it changed.
void RedundancyEngine::Impl::arm_keepalive() {
  if (Binding* b = find(active)) start_keepalive(*b);
}

// A 2xx may carry a new interval for its flow; true when it changed.
bool RedundancyEngine::Impl::note_server_interval(Binding& b, const ClientEvent& event) {
  std::optional<std::uint32_t> interval;
  if (event.flow_timer) interval = event.flow_timer;
  if (event.keep_interval && (!interval || *event.keep_interval < *interval)) {
    interval = event.keep_interval;
  }
  if (interval == b.server_interval) return false;
  b.server_interval = interval;
  return true;
}

void RedundancyEngine::Impl::options_keepalive(std::uint64_t id) {
  Binding* b = find(id);
  if (b == nullptr || !keeps_alive(*b)) return;
  const sip::Target target = b->target;
  const Hop& hop = hops[b->hop].hop;
  ProbeRequest probe;
  probe.request_uri = hop.registrar_uri;
  probe.from_uri = "sip:" + account.effective_id() + "@" + account.domain;
  probe.route_set = hop.route_set;
  probe.call_id = token();
  probe.from_tag = token();
  const Duration interval = keepalive_plan(*b).interval;
  auto rearm = [this, id, interval] {
    if (Binding* again = find(id)) {
      again->options_timer =
          deps.timers.start(jittered(interval, draw()), [this, id] { options_keepalive(id); });
    }
  };
  b->options_request =
      send_probe(deps.sender, probe, target, register_budget(hop.policy.retry_counts),
                 [this, id, target, rearm](const ProbeResult& result) {
                   Binding* bound = find(id);
                   if (bound == nullptr) return;
                   finished_request = std::move(bound->options_request);
                   if (result.alive) {
                     health.report_success(target);
                     rearm();
                     return;
                   }
                   binding_lost(id, FailureKind::keepalive_lost, result.reason, result.status_code,
                                result.failure, result.retry_after);
                 });
  if (!b->options_request) rearm();
}

// The transport says the flow of binding `id` failed (or was rebound).
void RedundancyEngine::Impl::flow_lost(std::uint64_t id, const FlowLoss& loss) {
  Binding* b = find(id);
  if (b == nullptr || !keeps_alive(*b)) return;
  if (loss.rebinding) {
    // RFC 5626 §4.4.2: the NAT gave us a new public address; the registrar
    // must learn it (the 2xx's received/rport rewrite the Contact).
    b->client->refresh_now();
    return;
  }
  stop_keepalive(*b);
  if (loss.kind == FailureKind::connection_reset && b->client->state() == ClientState::registered) {
    // The peer closed the connection while idle: it may have restarted or
    // dropped an idle connection. RFC 5626 §4.4: re-register at once over a
    // new connection; if the server is gone that REGISTER is refused within
    // milliseconds and the refresh failure fails over. The keep-alive starts
    // again with the 2xx.
    b->client->refresh_now();
    return;
  }
  binding_lost(id, loss.kind, loss.reason, 0, loss.kind, 0);
}

// Binding `id` is dead for `kind`: like a failed refresh of it.
// `health_kind` and `retry_after` are what the target's health learns (a 503
// to an OPTIONS blacklists it like a 503 to a REGISTER).
void RedundancyEngine::Impl::binding_lost(std::uint64_t id, FailureKind kind,
                                          const std::string& reason, int status,
                                          FailureKind health_kind, std::uint32_t retry_after) {
  Binding* b = find(id);
  if (b == nullptr) return;
  if (account.redundancy == config::RedundancyType::concurrent) {
    // The lane reports the failure to the health table itself.
    ClientEvent event;
    event.kind = ClientEvent::Kind::failed;
    event.failure = kind;
    event.retry_after = retry_after;
    event.status_code = status;
    event.reason = "keep-alive: " + reason;
    lane_event(*b, event);
    return;
  }
  if (id != active) return;
  health.report_failure(b->target, health_kind, retry_after, now());
  const std::string where = "keep-alive: " + reason + " from " + describe(b->target);
  note_failure(kind, where);
  active_lost(kind, where, status, 0);
}

}  // namespace sipline::reg

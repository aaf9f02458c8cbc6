// The redundancy engine's failback and concurrent-registration
// parts (see redundancy_engine.cpp for the registration cycle).

#include <algorithm>
#include <chrono>

#include "reg/engine_state.hpp"
#include "reg/prober.hpp"
#include "reg/timing.hpp"

namespace sipline::reg {

using detail::Binding;
using runtime::Duration;
using runtime::TimePoint;

namespace {

// Flap damping forgets after an hour without an early departure.
constexpr auto kFlapMemory = std::chrono::hours(1);

Duration to_duration(Seconds s) {
  return std::chrono::duration_cast<Duration>(s);
}

}  // namespace

// ---------------------------------------------------------------------------
// Failback (successive mode)

bool RedundancyEngine::Impl::better_candidate_possible() const {
  const Binding* b = find(active);
  if (b == nullptr) return false;
  if (b->hop > 0) return true;
  const auto& top = hops.front().targets;
  return !top.empty() && to_sip_target(top.front()) != b->target;
}

void RedundancyEngine::Impl::schedule_failback() {
  failback_timer.cancel();
  failback_at.reset();
  if (!started || stopping || account.redundancy == config::RedundancyType::concurrent) return;
  const Binding* b = find(active);
  if (b == nullptr || cycle.running || monitor_request || !better_candidate_possible()) return;
  if (last_flap_at && now() - *last_flap_at > kFlapMemory) flaps = 0;
  const config::ServerEntry& top = hops.front().hop.policy;
  FailbackSchedule schedule;
  schedule.mode = top.failback_mode;
  schedule.failback_timeout = top.failback_timeout;
  // Yealink: fallback.timeout for servers, outbound_proxy_fallback_interval
  // when the hops are a failover pair of outbound proxies.
  const bool proxy_pair = account.proxy_mode == config::ProxyMode::failover &&
                          account.use_proxy_for_registration && !account.proxies.empty();
  schedule.fallback_timeout =
      proxy_pair ? account.proxy_fallback_interval : account.fallback_timeout;
  schedule.probe_interval = account.failback.probe_interval;
  schedule.dwell = damped_dwell(account.failback.min_dwell, flaps);
  const auto due = next_failback(schedule, b->since, std::max(failback_base, b->since),
                                 b->client->next_refresh(), b->resolved.address_ttl);
  if (!due) return;
  failback_at = due;
  failback_timer = deps.timers.start(*due - now(), [this] { failback_due(); });
}

void RedundancyEngine::Impl::failback_due() {
  failback_timer.cancel();
  failback_at.reset();
  if (find(active) == nullptr || cycle.running || stopping) return;
  const config::FailbackMode mode = hops.front().hop.policy.failback_mode;
  if (mode == config::FailbackMode::monitor) {
    monitor_probe();
    return;
  }
  if (waits_for_idle(mode) && calls > 0) {
    // Yealink: DNSTTL, Registration and duration failback only while idle;
    // call_ended() picks it up.
    failback_deferred = true;
    return;
  }
  begin_cycle(true);
}

// FLX "monitor the primary": OPTIONS to the primary's first target; after
// good_probes answers in a row, REGISTER there (make-before-break).
void RedundancyEngine::Impl::monitor_probe() {
  const auto& targets = hops.front().targets;
  if (targets.empty()) {
    begin_cycle(true);  // never resolved: the REGISTER is the probe
    return;
  }
  const sip::Target target = to_sip_target(targets.front());
  if (health.state(target, now()) == TargetHealth::blacklisted) {
    streak.reset();
    failback_base = now();
    schedule_failback();
    return;
  }
  ProbeRequest probe;
  probe.request_uri = hops.front().hop.registrar_uri;
  probe.from_uri = "sip:" + account.effective_id() + "@" + account.domain;
  probe.route_set = hops.front().hop.route_set;
  probe.call_id = token();
  probe.from_tag = token();
  monitor_request =
      send_probe(deps.sender, probe, target, register_budget(hops.front().hop.policy.retry_counts),
                 [this, target](const ProbeResult& result) {
                   finished_request = std::move(monitor_request);
                   failback_base = now();
                   if (result.alive) {
                     health.report_success(target);
                     streak.record(true);
                   } else {
                     health.report_failure(target, result.failure, result.retry_after, now());
                     streak.record(false);
                   }
                   const Binding* b = find(active);
                   if (b == nullptr) return;
                   if (streak.satisfied() &&
                       now() >= b->since + damped_dwell(account.failback.min_dwell, flaps)) {
                     begin_cycle(true);
                   } else {
                     schedule_failback();
                   }
                 });
  if (!monitor_request) {
    failback_base = now();
    schedule_failback();
  }
}

// The better server took the REGISTER: switch, then remove the binding on
// the server we leave (make-before-break: at no moment is the account
// unregistered, and afterwards exactly one binding remains).
void RedundancyEngine::Impl::finish_failback(Binding& b) {
  Binding* old = find(active);
  const std::string previous = old != nullptr ? server_name(old->hop) : std::string();
  const std::uint64_t old_id = old != nullptr ? old->id : 0;
  b.registered = true;
  b.since = now();
  active = b.id;
  failures = 0;
  state = AccountState::registered;
  last_failback_at = now();
  next_attempt = b.client->next_refresh();
  const auto expires = b.client->expires_at();
  std::optional<std::uint32_t> granted;
  if (expires) {
    granted = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(*expires - now()).count());
  }
  emit(EventType::failback, server_name(b.hop), previous, FailureKind::none,
       "higher-priority server answered; registered at " + describe(b.target), 200, granted,
       next_attempt);
  emit(EventType::registered, server_name(b.hop), {}, FailureKind::none,
       "registered at " + describe(b.target), 200, granted, next_attempt);
  if (old_id != 0) retire(old_id, true);
  arm_keepalive();
  streak.reset();
  failback_base = now();
  schedule_failback();
}

void RedundancyEngine::Impl::failback_failed() {
  streak.reset();
  failback_base = now();
  schedule_failback();
}

// ---------------------------------------------------------------------------
// Concurrent registration: every hop has its own lane; the best registered
// one is active.

void RedundancyEngine::Impl::lane_start(std::size_t hop) {
  detail::HopState& hs = hops[hop];
  hs.lane_next_attempt.reset();
  hs.lane_lookup = deps.locator.locate(
      hs.hop.locate, [this, hop](Result<std::vector<dns::ResolvedTarget>> result) {
        detail::HopState& h = hops[hop];
        if (!result) {
          note_failure(FailureKind::dns_failure,
                       "cannot resolve " + h.hop.locate.host + ": " + result.error().message);
          lane_retry(hop, FailureKind::dns_failure, 0, false);
          return;
        }
        h.targets = *result;
        h.lane_targets = usable_targets(*result, health, now());
        h.lane_pos = 0;
        if (h.lane_targets.empty()) {
          lane_retry(hop, last_failure, 0, false);
          return;
        }
        lane_try(hop);
      });
}

void RedundancyEngine::Impl::lane_try(std::size_t hop) {
  detail::HopState& hs = hops[hop];
  Binding& b = new_binding(hop, hs.lane_targets[hs.lane_pos]);
  hs.lane_binding = b.id;
  emit(EventType::registering, server_name(hop), {}, FailureKind::none,
       "REGISTER to " + describe(b.target));
  b.client->start();
}

void RedundancyEngine::Impl::lane_event(Binding& b, const ClientEvent& event) {
  const std::size_t hop = b.hop;
  detail::HopState& hs = hops[hop];
  if (event.kind == ClientEvent::Kind::registered) {
    health.report_success(b.target);
    if (b.registered) {  // a refresh
      if (!event.contact_moved_to.empty()) contact_moved(b, event);
      return;
    }
    b.registered = true;
    b.since = now();
    hs.lane_failures = 0;
    const auto expires = b.client->expires_at();
    std::optional<std::uint32_t> granted;
    if (expires) {
      granted = static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::seconds>(*expires - now()).count());
    }
    emit(EventType::registered, server_name(hop), {}, FailureKind::none,
         "registered at " + describe(b.target), 200, granted, b.client->next_refresh());
    elect_active(FailureKind::none, {});
    return;
  }
  if (event.kind != ClientEvent::Kind::failed) return;
  health.report_failure(b.target, event.failure, event.retry_after, now());
  const std::string reason = event.reason + " from " + describe(b.target);
  note_failure(event.failure, reason);
  const bool was_registered = b.registered;
  const bool permanent =
      event.failure == FailureKind::auth_rejected || event.failure == FailureKind::not_found;
  retire(b.id, false);
  hs.lane_binding = 0;
  if (fails_over(event.failure) && hs.lane_pos + 1 < hs.lane_targets.size()) {
    ++hs.lane_pos;
    lane_try(hop);
  } else {
    lane_retry(hop, event.failure, event.retry_after, permanent);
  }
  if (was_registered) elect_active(event.failure, reason);
}

void RedundancyEngine::Impl::lane_retry(std::size_t hop, FailureKind kind,
                                        std::uint32_t retry_after, bool permanent) {
  detail::HopState& hs = hops[hop];
  ++hs.lane_failures;
  const Seconds delay = retry_delay(account.retry, hs.lane_failures,
                                    permanent ? FailureClass::permanent : FailureClass::transient,
                                    retry_after, draw());
  hs.lane_next_attempt = now() + to_duration(delay);
  hs.lane_retry = deps.timers.start(to_duration(delay), [this, hop] { lane_start(hop); });
  if (permanent) {
    emit(EventType::alarm, server_name(hop), {}, kind,
         last_failure_reason + ": check the account's credentials and AOR");
  }
  const bool any_registered = std::any_of(
      bindings.begin(), bindings.end(), [](const auto& b) { return b->registered && !b->leaving; });
  const bool all_waiting = std::all_of(hops.begin(), hops.end(), [](const detail::HopState& h) {
    return h.lane_next_attempt.has_value();
  });
  if (!any_registered && all_waiting) {
    std::optional<TimePoint> earliest;
    for (const auto& h : hops) {
      if (!earliest || *h.lane_next_attempt < *earliest) earliest = h.lane_next_attempt;
    }
    state = AccountState::failed;
    next_attempt = earliest;
    emit(EventType::registration_failed, {}, {}, kind, last_failure_reason, 0, std::nullopt,
         earliest);
  }
}

// The active binding is the registered one of the highest priority.
void RedundancyEngine::Impl::elect_active(FailureKind kind, const std::string& reason) {
  const Binding* best = nullptr;
  for (const auto& b : bindings) {
    if (b->registered && !b->leaving && (best == nullptr || b->hop < best->hop)) best = b.get();
  }
  const std::optional<std::size_t> previous = active_hop;
  if (best == nullptr) {
    active = 0;
    active_hop.reset();
    if (state == AccountState::registered) state = AccountState::registering;
    return;
  }
  if (best->id == active) return;
  active = best->id;
  active_hop = best->hop;
  state = AccountState::registered;
  next_attempt = best->client->next_refresh();
  if (!previous || *previous == best->hop) return;
  if (best->hop < *previous) {
    emit(EventType::failback, server_name(best->hop), server_name(*previous), FailureKind::none,
         "higher-priority server registered at " + describe(best->target));
  } else {
    emit(EventType::failover, server_name(best->hop), server_name(*previous), kind, reason);
  }
}

}  // namespace sipline::reg

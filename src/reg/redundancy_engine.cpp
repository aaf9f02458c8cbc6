#include "reg/redundancy_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "auth/credential_set.hpp"
#include "auth/digest_client.hpp"
#include "reg/engine_state.hpp"
#include "reg/timing.hpp"

namespace sipline::reg {

using detail::Binding;
using runtime::Duration;
using runtime::TimePoint;

std::string_view to_string(AccountState state) noexcept {
  switch (state) {
    case AccountState::disabled:
      return "disabled";
    case AccountState::registering:
      return "registering";
    case AccountState::registered:
      return "registered";
    case AccountState::failed:
      return "failed";
    case AccountState::stopping:
      return "stopping";
  }
  return "unknown";
}

namespace {

Duration to_duration(Seconds s) {
  return std::chrono::duration_cast<Duration>(s);
}

// A version 4 UUID (RFC 4122 §4.4) from the injected randomness: stable for
// the engine's life, so a binding on the backup replaces rather than
// duplicates (RFC 5626 §4.1).
std::string make_instance(const std::function<double()>& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 32; ++i) {
    const double u = random ? random() : 0.5;
    const auto v = static_cast<unsigned>(std::clamp(u, 0.0, 0.999999) * 16.0);
    hex += kHex[v & 0xfU];
  }
  hex[12] = '4';
  hex[16] = kHex[8 + (static_cast<unsigned>(hex[16]) & 0x3U)];
  return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

// ---------------------------------------------------------------------------
// Construction and helpers

RedundancyEngine::Impl::Impl(config::Account a, config::Dialect d, EngineDeps dp, EventSink s)
    : account(std::move(a)),
      dialect(d),
      deps(std::move(dp)),
      sink(std::move(s)),
      streak(account.failback.good_probes) {
  for (Hop& hop : build_hops(account)) {
    detail::HopState hop_state;
    hop_state.hop = std::move(hop);
    hops.push_back(std::move(hop_state));
  }
  instance_id = account.instance_id.empty() ? make_instance(deps.random) : account.instance_id;
}

RedundancyEngine::Impl::~Impl() {
  // Handles first: nothing may call back into a half-destroyed engine.
  monitor_request.reset();
  bindings.clear();
  slots.clear();
  graveyard.clear();
}

double RedundancyEngine::Impl::draw() const {
  const double u = deps.random ? deps.random() : 0.5;
  return std::isfinite(u) ? std::clamp(u, 0.0, 0.999999) : 0.5;
}

std::string RedundancyEngine::Impl::token() const {
  std::string t = deps.random_token ? deps.random_token() : std::string();
  if (t.empty()) t = std::to_string(static_cast<std::uint64_t>(draw() * 1e15));
  return t;
}

bool RedundancyEngine::Impl::fails_over(FailureKind kind) const {
  // RFC 3263 §4.3: timeouts, transport errors and 503 move to the next
  // target. Yealink redundancy_with_reg_fail: any failed REGISTER does.
  if (is_target_failure(kind)) return true;
  return account.redundancy_with_reg_fail && kind != FailureKind::none;
}

Binding& RedundancyEngine::Impl::new_binding(std::size_t hop, const dns::ResolvedTarget& resolved) {
  auto b = std::make_unique<Binding>();
  b->id = next_id++;
  b->hop = hop;
  b->resolved = resolved;
  b->target = to_sip_target(resolved);
  b->client = &client_for(*b);
  bindings.push_back(std::move(b));
  return *bindings.back();
}

// The free client of (hop, target), or a new one with its own Call-ID.
RegistrationClient& RedundancyEngine::Impl::client_for(Binding& b) {
  for (auto& [id, slot] : slots) {
    if (slot.hop == b.hop && slot.target == b.target && slot.binding == 0 &&
        slot.client->state() == ClientState::idle) {
      slot.binding = b.id;
      b.slot = id;
      return *slot.client;
    }
  }
  // Bounded: free slots beyond the limit go (destroyed from a timer, never
  // inside their own callback).
  constexpr std::size_t kMaxSlots = 32;
  for (auto it = slots.begin(); slots.size() >= kMaxSlots && it != slots.end();) {
    if (it->second.binding == 0) {
      it->second.client->abandon();
      graveyard.push_back(std::move(it->second.client));
      it = slots.erase(it);
    } else {
      ++it;
    }
  }
  if (!graveyard.empty() && !graveyard_timer.armed()) {
    graveyard_timer = deps.timers.start(Duration::zero(), [this] { graveyard.clear(); });
  }
  const Hop& h = hops[b.hop].hop;
  BindingConfig c;
  c.account = account.name;
  c.aor = "sip:" + account.effective_id() + "@" + account.domain;
  c.display_name = account.effective_display_name();
  c.registrar_uri = h.registrar_uri;
  c.target = b.target;
  c.target_uri = h.uri;
  c.route_set = h.route_set;
  c.strict_routing = account.strict_routing;
  c.expires = h.policy.expires != 0 ? h.policy.expires : account.registration_timeout;
  c.overlap = account.expires_overlap;
  c.retransmit_budget = register_budget(h.policy.retry_counts);
  c.call_id = token();
  c.instance_id = instance_id;
  c.reg_id = account.reg_id;
  c.contact_user = account.effective_id();
  // RFC 6223 §4.1: offer keep-alives to the next hop when we send them.
  c.offer_keep =
      account.keepalive.kind != config::KeepAliveKind::none && account.keepalive.interval > 0;

  auth::CredentialSet credentials;
  credentials.set_default(
      auth::UserCredential{account.effective_auth_name(), auth::Secret(account.password.value)});
  auth::DigestClient digest(std::move(credentials), [this] { return token(); });

  const std::uint64_t id = next_slot++;
  const std::weak_ptr<int> guard = alive;
  detail::ClientSlot& slot = slots[id];
  slot.hop = b.hop;
  slot.target = b.target;
  slot.binding = b.id;
  slot.client = std::make_unique<RegistrationClient>(
      std::move(c), std::move(digest), deps.sender, deps.timers, [this] { return draw(); },
      [this, id, guard](const ClientEvent& event) {
        if (!guard.expired()) on_event(id, event);
      });
  b.slot = id;
  return *slot.client;
}

Binding* RedundancyEngine::Impl::find(std::uint64_t id) {
  for (auto& b : bindings) {
    if (b->id == id) return b.get();
  }
  return nullptr;
}

const Binding* RedundancyEngine::Impl::find(std::uint64_t id) const {
  for (const auto& b : bindings) {
    if (b->id == id) return b.get();
  }
  return nullptr;
}

// Drops a binding. With `unregister` its client sends Expires: 0 first and
// the binding stays (leaving) until that completes; otherwise the client is
// abandoned (the server is known dead) and its slot is free for reuse.
void RedundancyEngine::Impl::retire(std::uint64_t id, bool unregister) {
  auto it =
      std::find_if(bindings.begin(), bindings.end(), [id](const auto& b) { return b->id == id; });
  if (it == bindings.end()) return;
  if (active == id) active = 0;
  Binding& b = **it;
  stop_keepalive(b);
  if (unregister && b.client->state() != ClientState::idle) {
    b.leaving = true;
    b.registered = false;
    b.client->stop();
    if (b.client->state() != ClientState::idle) return;
  }
  b.client->abandon();
  auto slot = slots.find(b.slot);
  if (slot != slots.end() && slot->second.binding == id) slot->second.binding = 0;
  bindings.erase(it);
}

void RedundancyEngine::Impl::emit(EventType type, std::string server, std::string previous,
                                  FailureKind failure, std::string reason, int status,
                                  std::optional<std::uint32_t> expires,
                                  std::optional<TimePoint> next) {
  if (!sink) return;
  Event e;
  e.type = type;
  e.account = account.name;
  e.server = std::move(server);
  e.previous_server = std::move(previous);
  e.failure = failure;
  e.reason = std::move(reason);
  e.status_code = status;
  e.expires = expires;
  e.next_attempt = next;
  e.at = now();
  sink(e);
}

void RedundancyEngine::Impl::note_failure(FailureKind kind, const std::string& reason) {
  last_failure = kind;
  last_failure_reason = reason;
  last_failure_at = now();
}

// ---------------------------------------------------------------------------
// Commands

void RedundancyEngine::Impl::start() {
  if (started || !account.enabled || hops.empty()) return;
  started = true;
  stopping = false;
  state = AccountState::registering;
  const Duration surge = to_duration(surge_delay(account.surge_prevention, draw()));
  auto go = [this] {
    if (account.redundancy == config::RedundancyType::concurrent) {
      for (std::size_t i = 0; i < hops.size(); ++i) lane_start(i);
    } else {
      begin_cycle(false);
      locate_backups();
    }
  };
  if (surge > Duration::zero()) {
    next_attempt = now() + surge;
    surge_timer = deps.timers.start(surge, go);
  } else {
    go();
  }
}

void RedundancyEngine::Impl::stop(std::function<void()> done) {
  stop_done = std::move(done);
  if (!started) {
    if (stop_done) {
      auto cb = std::move(stop_done);
      cb();
    }
    return;
  }
  stopping = true;
  started = false;
  state = AccountState::stopping;
  surge_timer.cancel();
  retry_timer.cancel();
  failback_timer.cancel();
  monitor_request.reset();
  // A REGISTER in flight is not abandoned: its client unregisters once it
  // is answered (a queued stop), so no binding is left behind.
  cycle.lookup.cancel();
  cycle.running = false;
  cycle.binding = 0;
  for (auto& hop : hops) {
    hop.lane_lookup.cancel();
    hop.early_lookup.cancel();
    hop.lane_retry.cancel();
    hop.lane_binding = 0;
  }
  active = 0;
  std::vector<std::uint64_t> ids;
  for (const auto& b : bindings) ids.push_back(b->id);
  for (std::uint64_t id : ids) retire(id, true);
  maybe_finish_stop();
}

void RedundancyEngine::Impl::maybe_finish_stop() {
  if (!stopping || !bindings.empty()) return;
  stopping = false;
  state = AccountState::disabled;
  next_attempt.reset();
  emit(EventType::unregistered, {}, {}, FailureKind::none, "account stopped");
  if (stop_done) {
    auto cb = std::move(stop_done);
    cb();
  }
}

void RedundancyEngine::Impl::call_started() {
  ++calls;
}

void RedundancyEngine::Impl::call_ended() {
  if (calls > 0) --calls;
  if (calls == 0 && failback_deferred) {
    failback_deferred = false;
    failback_due();
  }
}

// ---------------------------------------------------------------------------
// Successive registration: walk the candidates in order.

void RedundancyEngine::Impl::begin_cycle(bool failback) {
  cancel_cycle();
  cycle.running = true;
  cycle.failback = failback;
  cycle.hop = 0;
  if (!failback) {
    state = AccountState::registering;
    next_attempt.reset();
  }
  cycle_locate();
}

void RedundancyEngine::Impl::cancel_cycle() {
  cycle.lookup.cancel();
  if (cycle.binding != 0) retire(cycle.binding, false);
  const bool failback = cycle.failback;
  cycle = detail::Cycle{};
  cycle.failback = failback;
}

void RedundancyEngine::Impl::cycle_locate() {
  const std::size_t hop = cycle.hop;
  cycle.lookup = deps.locator.locate(
      hops[hop].hop.locate, [this, hop](Result<std::vector<dns::ResolvedTarget>> result) {
        if (!cycle.running || cycle.hop != hop) return;
        if (!result) {
          const std::string reason =
              "cannot resolve " + hops[hop].hop.locate.host + ": " + result.error().message;
          note_failure(FailureKind::dns_failure, reason);
          if (!cycle.failback) {
            cycle.failure = FailureKind::dns_failure;
            cycle.reason = reason;
            cycle.from_server = server_name(hop);
          }
          cycle_next_hop();
          return;
        }
        hops[hop].targets = *result;
        if (cycle.ignore_greylist) {
          cycle.targets.clear();
          for (const auto& t : *result) {
            if (health.state(to_sip_target(t), now()) != TargetHealth::blacklisted) {
              cycle.targets.push_back(t);
            }
          }
        } else {
          cycle.targets = usable_targets(*result, health, now());
        }
        cycle.pos = 0;
        cycle_try_target();
      });
}

void RedundancyEngine::Impl::cycle_try_target() {
  if (cycle.pos >= cycle.targets.size()) {
    cycle_next_hop();
    return;
  }
  const dns::ResolvedTarget resolved = cycle.targets[cycle.pos];
  if (cycle.failback) {
    // Only candidates better than the active one.
    const Binding* current = find(active);
    if (current == nullptr ||
        (cycle.hop == current->hop && to_sip_target(resolved) == current->target)) {
      cycle.running = false;
      failback_failed();
      return;
    }
  }
  const std::string server = server_name(cycle.hop);
  // Yealink register_on_enable = 0 / Polycom reRegisterOn = 0: the servers
  // share registration state, so a failover signals through the next one
  // without registering there. FLX always registers.
  if (!cycle.failback && cycle.failure != FailureKind::none && dialect != config::Dialect::flx &&
      !hops[cycle.hop].hop.policy.register_on_enable) {
    Binding& b = new_binding(cycle.hop, resolved);
    emit(EventType::failover, server, cycle.from_server, cycle.failure,
         cycle.reason + "; signalling through " + describe(b.target) +
             " without registering (register_on_enable off)",
         cycle.status_code);
    cycle.running = false;
    active = b.id;
    b.since = now();
    failures = 0;
    state = AccountState::registered;
    next_attempt.reset();
    cycle.failure = FailureKind::none;
    streak.reset();
    failback_base = now();
    arm_keepalive();
    schedule_failback();
    return;
  }
  Binding& b = new_binding(cycle.hop, resolved);
  cycle.binding = b.id;
  ++cycle.attempts;
  if (!cycle.failback && cycle.failure != FailureKind::none) {
    emit(EventType::failover, server, cycle.from_server, cycle.failure,
         cycle.reason + "; trying " + describe(b.target), cycle.status_code);
  }
  emit(EventType::registering, server, {}, FailureKind::none,
       (cycle.failback ? "failback attempt to " : "REGISTER to ") + describe(b.target));
  b.client->start();
}

void RedundancyEngine::Impl::cycle_next_target() {
  ++cycle.pos;
  cycle_try_target();
}

void RedundancyEngine::Impl::cycle_next_hop() {
  ++cycle.hop;
  if (cycle.failback) {
    const Binding* current = find(active);
    if (current == nullptr || cycle.hop > current->hop) {
      cycle.running = false;
      failback_failed();
      return;
    }
  }
  if (cycle.hop >= hops.size()) {
    cycle_exhausted();
    return;
  }
  cycle_locate();
}

// Every candidate failed: RFC 5626 §4.5 backoff or the fixed interval,
// jittered; a Retry-After of the target that frees up first is the floor.
void RedundancyEngine::Impl::cycle_exhausted() {
  if (cycle.attempts == 0 && !cycle.ignore_greylist) {
    bool greylisted = false;
    for (const auto& hop : hops) {
      for (const auto& t : hop.targets) {
        greylisted |= health.state(to_sip_target(t), now()) == TargetHealth::greylisted;
      }
    }
    if (greylisted) {
      cycle.ignore_greylist = true;
      cycle.hop = 0;
      cycle_locate();
      return;
    }
  }
  cycle.running = false;
  const FailureKind kind = cycle.failure != FailureKind::none ? cycle.failure : last_failure;
  schedule_retry(kind, cycle.reason.empty() ? last_failure_reason : cycle.reason, cycle.status_code,
                 cycle.permanent);
}

void RedundancyEngine::Impl::schedule_retry(FailureKind kind, const std::string& reason, int status,
                                            bool permanent) {
  ++failures;
  std::uint32_t floor = 0;
  std::optional<TimePoint> earliest;
  bool any_usable = false;
  for (const auto& hop : hops) {
    for (const auto& t : hop.targets) {
      // Greylists do not count: an all-greylisted walk asks them anyway.
      const sip::Target target = to_sip_target(t);
      auto at = health.usable_at(target, now());
      if (!at || health.state(target, now()) != TargetHealth::blacklisted) {
        any_usable = true;
      } else if (!earliest || *at < *earliest) {
        earliest = at;
      }
    }
  }
  if (!any_usable && earliest) {
    floor = static_cast<std::uint32_t>(
        std::chrono::ceil<std::chrono::seconds>(*earliest - now()).count());
  }
  const Seconds delay =
      retry_delay(account.retry, failures,
                  permanent ? FailureClass::permanent : FailureClass::transient, floor, draw());
  state = AccountState::failed;
  next_attempt = now() + to_duration(delay);
  if (permanent) {
    emit(EventType::alarm, {}, {}, kind, reason + ": check the account's credentials and AOR",
         status);
  }
  emit(EventType::registration_failed, {}, {}, kind, reason, status, std::nullopt, next_attempt);
  retry_timer = deps.timers.start(to_duration(delay), [this] { begin_cycle(false); });
}

// ---------------------------------------------------------------------------
// Client events

void RedundancyEngine::Impl::on_event(std::uint64_t slot_id, const ClientEvent& event) {
  auto slot = slots.find(slot_id);
  if (slot == slots.end() || slot->second.binding == 0) return;
  const std::uint64_t id = slot->second.binding;
  Binding* b = find(id);
  if (b == nullptr) return;
  const bool registered = event.kind == ClientEvent::Kind::registered;
  const bool new_interval = registered && note_server_interval(*b, event);
  if (b->leaving) {
    on_leaving_event(*b, event);
  } else if (account.redundancy == config::RedundancyType::concurrent) {
    lane_event(*b, event);
  } else if (id == cycle.binding) {
    on_attempt_event(*b, event);
  } else if (id == active) {
    on_active_event(*b, event);
  }
  // Keep-alives start with a registration (or restart: a new interval, or a
  // re-registration over a new connection after the old one was closed).
  if (!registered) return;
  Binding* now_bound = find(id);
  if (now_bound != nullptr && keeps_alive(*now_bound) &&
      (new_interval || !now_bound->keepalive_running)) {
    start_keepalive(*now_bound);
  }
}

void RedundancyEngine::Impl::on_attempt_event(Binding& b, const ClientEvent& event) {
  if (event.kind == ClientEvent::Kind::registered) {
    health.report_success(b.target);
    cycle.binding = 0;
    cycle.running = false;
    if (cycle.failback) {
      finish_failback(b);
    } else {
      become_active(b);
    }
    return;
  }
  if (event.kind != ClientEvent::Kind::failed) return;
  const std::string where = " from " + describe(b.target);
  health.report_failure(b.target, event.failure, event.retry_after, now());
  note_failure(event.failure, event.reason + where);
  const std::size_t hop = b.hop;
  const std::uint64_t id = b.id;
  cycle.binding = 0;
  retire(id, false);
  if (cycle.failback) {
    cycle_next_target();
    return;
  }
  cycle.failure = event.failure;
  cycle.reason = event.reason + where;
  cycle.status_code = event.status_code;
  cycle.from_server = server_name(hop);
  cycle.permanent =
      !is_target_failure(event.failure) &&
      (event.failure == FailureKind::auth_rejected || event.failure == FailureKind::not_found);
  if (fails_over(event.failure)) {
    cycle_next_target();
  } else {
    // The server answered and refused us: another server would not help
    // (unless redundancy_with_reg_fail); retry it later.
    cycle.running = false;
    schedule_retry(event.failure, cycle.reason, event.status_code, cycle.permanent);
  }
}

void RedundancyEngine::Impl::become_active(Binding& b) {
  const std::uint64_t previous = active;
  const bool moved_after_failure = cycle.failure != FailureKind::none;
  active = b.id;
  b.registered = true;
  b.since = now();
  failures = 0;
  state = AccountState::registered;
  next_attempt = b.client->next_refresh();
  if (previous != 0 && previous != b.id) retire(previous, false);
  // Flap damping: leaving a server soon after failing back to it.
  if (moved_after_failure && last_failback_at &&
      now() - *last_failback_at < std::chrono::minutes(10)) {
    ++flaps;
    last_flap_at = now();
  }
  const auto expires = b.client->expires_at();
  std::optional<std::uint32_t> granted;
  if (expires) {
    granted = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(*expires - now()).count());
  }
  emit(EventType::registered, server_name(b.hop), {}, FailureKind::none,
       "registered at " + describe(b.target), 200, granted, next_attempt);
  cycle.failure = FailureKind::none;
  streak.reset();
  failback_base = now();
  arm_keepalive();
  schedule_failback();
}

void RedundancyEngine::Impl::on_active_event(Binding& b, const ClientEvent& event) {
  if (event.kind == ClientEvent::Kind::registered) {
    health.report_success(b.target);
    next_attempt = b.client->next_refresh();
    if (!event.contact_moved_to.empty()) contact_moved(b, event);
    // Renewal-based failback modes follow the new refresh time.
    if (!failback_deferred && !cycle.running) schedule_failback();
    return;
  }
  if (event.kind != ClientEvent::Kind::failed) return;
  health.report_failure(b.target, event.failure, event.retry_after, now());
  const std::string reason = event.reason + " from " + describe(b.target);
  note_failure(event.failure, reason);
  active_lost(event.failure, reason, event.status_code, event.retry_after);
}

// The active server failed (refresh, keep-alive, a request): walk the
// candidates again from the top; the failed target is grey/blacklisted now.
void RedundancyEngine::Impl::active_lost(FailureKind kind, std::string reason, int status,
                                         std::uint32_t /*retry_after*/) {
  Binding* b = find(active);
  if (b == nullptr) return;
  const std::size_t hop = b->hop;
  const bool permanent = kind == FailureKind::auth_rejected || kind == FailureKind::not_found;
  failback_timer.cancel();
  failback_deferred = false;
  monitor_request.reset();
  if (cycle.running) cancel_cycle();
  retire(active, false);
  active = 0;
  if (!fails_over(kind)) {
    schedule_retry(kind, reason, status, permanent);
    return;
  }
  begin_cycle(false);
  cycle.failure = kind;
  cycle.reason = std::move(reason);
  cycle.status_code = status;
  cycle.from_server = server_name(hop);
}

void RedundancyEngine::Impl::on_leaving_event(Binding& b, const ClientEvent& event) {
  if (event.kind != ClientEvent::Kind::unregistered && event.kind != ClientEvent::Kind::failed) {
    return;
  }
  const std::string server = server_name(b.hop);
  const std::string reason = "binding removed at " + describe(b.target);
  const std::uint64_t id = b.id;
  b.leaving = false;
  retire(id, false);
  emit(EventType::unregistered, server, {}, FailureKind::none, reason, event.status_code);
  maybe_finish_stop();
}

// ---------------------------------------------------------------------------
// Public API

RedundancyEngine::RedundancyEngine(config::Account account, config::Dialect dialect,
                                   EngineDeps deps, EventSink on_event)
    : impl_(std::make_unique<Impl>(std::move(account), dialect, std::move(deps),
                                   std::move(on_event))) {}

RedundancyEngine::~RedundancyEngine() = default;

void RedundancyEngine::start() {
  impl_->start();
}
void RedundancyEngine::stop(std::function<void()> done) {
  impl_->stop(std::move(done));
}
void RedundancyEngine::call_started() {
  impl_->call_started();
}
void RedundancyEngine::call_ended() {
  impl_->call_ended();
}

void RedundancyEngine::network_changed() {
  impl_->network_changed();
}

std::optional<RedundancyEngine::RequestRoute> RedundancyEngine::route_for_new_request(
    bool is_invite, const std::vector<sip::Target>& exclude) const {
  if (!exclude.empty()) return impl_->route_avoiding(is_invite, exclude);
  return impl_->route_for_new_request(is_invite);
}

void RedundancyEngine::report_request_failure(const sip::Target& target, FailureKind kind,
                                              std::uint32_t retry_after) {
  impl_->report_request_failure(target, kind, retry_after);
}

bool RedundancyEngine::accepts_request_from(const sip::Target& source) const {
  return impl_->accepts_request_from(source);
}

AccountStatus RedundancyEngine::status() const {
  return impl_->status();
}
const config::Account& RedundancyEngine::account() const noexcept {
  return impl_->account;
}

void RedundancyEngine::set_greylist_duration(runtime::Duration duration) {
  impl_->health.set_greylist_duration(duration);
}

}  // namespace sipline::reg

// The redundancy engine's read side: where new requests go, inbound trust,
// and the account status (see redundancy_engine.cpp for the state machine).

#include <algorithm>
#include <string>

#include "reg/engine_state.hpp"

namespace sipline::reg {

using detail::Binding;

namespace {

std::string role_of(std::size_t index) {
  if (index == 0) return "primary";
  if (index == 1) return "backup";
  return "backup " + std::to_string(index);
}

}  // namespace

// ---------------------------------------------------------------------------
// Queries

std::optional<RedundancyEngine::RequestRoute> RedundancyEngine::Impl::route_for_new_request(
    bool is_invite) const {
  const Binding* b = find(active);
  std::size_t hop = b != nullptr ? b->hop : 0;
  std::optional<sip::Target> target;
  if (b != nullptr) target = b->target;
  const config::ServerEntry& top = hops.front().hop.policy;
  const bool primary_first = top.failback_mode == config::FailbackMode::new_requests &&
                             account.redundancy == config::RedundancyType::successive;
  if ((b == nullptr || primary_first) && !hops.front().targets.empty()) {
    // Yealink failback_mode 0: every new request tries the primary first;
    // unregistered, the primary is the only sensible first hop.
    for (const auto& t : hops.front().targets) {
      if (health.usable(to_sip_target(t), now())) {
        hop = 0;
        target = to_sip_target(t);
        break;
      }
    }
  }
  if (b == nullptr) {
    if (hops[hop].hop.policy.only_signal_with_registered || !target) return std::nullopt;
  }
  if (!target) return std::nullopt;
  return route_via(hop, *target, is_invite);
}

RedundancyEngine::RequestRoute RedundancyEngine::Impl::route_via(std::size_t hop,
                                                                 const sip::Target& target,
                                                                 bool is_invite) const {
  RequestRoute route;
  route.target = target;
  route.server_uri = hops[hop].hop.uri;
  route.route_set = hops[hop].hop.request_route_set;
  // RFC 3608 §6.1: the Service-Route of the registration we send through.
  for (const auto& b : bindings) {
    if (b->hop == hop && b->target == target && b->registered && !b->leaving) {
      for (const std::string& r : b->client->service_route()) route.route_set.push_back(r);
      break;
    }
  }
  route.retransmit_budget = is_invite ? hops[hop].hop.policy.invite_retry_counts
                                      : register_budget(hops[hop].hop.policy.retry_counts);
  return route;
}

// A request that failed at some targets retries at once on the next one,
// rather than waiting for the engine's failover (which re-registers first).
std::optional<RedundancyEngine::RequestRoute> RedundancyEngine::Impl::route_avoiding(
    bool is_invite, const std::vector<sip::Target>& exclude) const {
  auto excluded = [&](const sip::Target& t) {
    return std::find(exclude.begin(), exclude.end(), t) != exclude.end();
  };
  if (auto usual = route_for_new_request(is_invite); usual && !excluded(usual->target)) {
    return usual;
  }
  // A server known to hold our binding comes first: it is alive and will
  // route calls back to us (concurrent registration, or a failover that
  // already completed).
  for (const auto& hop : hops) {
    for (const auto& b : bindings) {
      if (b->hop == hop.hop.index && b->registered && !b->leaving && !excluded(b->target) &&
          health.usable(b->target, now())) {
        return route_via(b->hop, b->target, is_invite);
      }
    }
  }
  // Yealink only_signal_with_registered: "only send requests to the
  // registered server in failover", effective only with register_on_enable
  // on and failback_mode 1-3. Otherwise any configured server, in order: a
  // greylisted target only when nothing better is left (the greylist ranks,
  // it never forbids); a blacklisted one (503 Retry-After) never.
  for (const bool allow_greylisted : {false, true}) {
    for (std::size_t h = 0; h < hops.size(); ++h) {
      const config::ServerEntry& policy = hops[h].hop.policy;
      const bool registered_only = policy.only_signal_with_registered &&
                                   policy.register_on_enable &&
                                   policy.failback_mode != config::FailbackMode::new_requests;
      if (registered_only) continue;
      for (const auto& resolved : hops[h].targets) {
        const sip::Target t = to_sip_target(resolved);
        if (excluded(t)) continue;
        const TargetHealth target_health = health.state(t, now());
        if (target_health == TargetHealth::blacklisted) continue;
        if (target_health == TargetHealth::greylisted && !allow_greylisted) continue;
        return route_via(h, t, is_invite);
      }
    }
  }
  return std::nullopt;
}

// Successive registration locates only the hop it tries; the others are
// located once, up front, so route_avoiding() knows where the backup is
// when the primary fails under a call (RFC 3263 §4.3: the client may try
// the next target of the list without asking DNS again).
void RedundancyEngine::Impl::locate_backups() {
  for (std::size_t h = 1; h < hops.size(); ++h) {
    if (!hops[h].targets.empty()) continue;
    hops[h].early_lookup = deps.locator.locate(
        hops[h].hop.locate, [this, h](Result<std::vector<dns::ResolvedTarget>> result) {
          if (result && hops[h].targets.empty()) hops[h].targets = *result;
        });
  }
}

void RedundancyEngine::Impl::report_request_failure(const sip::Target& target, FailureKind kind,
                                                    std::uint32_t retry_after) {
  health.report_failure(target, kind, retry_after, now());
  const Binding* b = find(active);
  if (b != nullptr && b->target == target && is_target_failure(kind) &&
      account.redundancy == config::RedundancyType::successive) {
    const std::string reason =
        "request failed at " + describe(target) + " (" + std::string(to_string(kind)) + ")";
    note_failure(kind, reason);
    active_lost(kind, reason, 0, retry_after);
  }
}

bool RedundancyEngine::Impl::accepts_request_from(const sip::Target& source) const {
  if (!account.accept_only_from_registered) return true;
  for (const auto& b : bindings) {
    if (!b->registered && b->id != active) continue;
    if (b->target.address == source.address && b->target.port == source.port) return true;
  }
  return false;
}

AccountStatus RedundancyEngine::Impl::status() const {
  AccountStatus s;
  s.account = account.name;
  s.state = state;
  s.next_attempt = next_attempt;
  s.last_failure = last_failure;
  s.last_failure_reason = last_failure_reason;
  s.last_failure_at = last_failure_at;
  if (const Binding* b = find(active)) {
    s.active_server = b->hop;
    s.role = role_of(b->hop);
    s.since = b->since;
    s.expires_at = b->client->expires_at();
    // Read live from the client: the copy taken at the last transition goes
    // stale once a refresh has run.
    if (b->registered && state == AccountState::registered) {
      s.next_attempt = b->client->next_refresh();
      s.contact = b->client->contact();
    }
    if (failback_at && (!s.next_attempt || *failback_at < *s.next_attempt)) {
      s.next_attempt = failback_at;
    }
  }
  for (const auto& hop : hops) {
    ServerStatus server;
    server.uri = hop.hop.uri;
    server.index = hop.hop.index;
    server.health = "ok";
    for (const auto& t : hop.targets) {
      const std::string h = health.describe(to_sip_target(t), now());
      if (h != "ok") {
        server.health = describe(to_sip_target(t)) + " " + h;
        break;
      }
    }
    for (const auto& b : bindings) {
      if (b->hop != hop.hop.index || b->leaving) continue;
      if (b->registered) server.registered = true;
      if (b->registered || server.target.empty()) server.target = describe(b->target);
    }
    s.servers.push_back(std::move(server));
  }
  if (auto route = route_for_new_request(false)) s.route_set = route->route_set;
  return s;
}

}  // namespace sipline::reg

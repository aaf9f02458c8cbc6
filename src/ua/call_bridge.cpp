#include "ua/call_bridge.hpp"

#include <chrono>
#include <utility>

namespace sipline::ua {

namespace {

reg::FailureKind failure_kind(call::RouteFailure failure) {
  switch (failure) {
    case call::RouteFailure::timeout:
      return reg::FailureKind::timeout;
    case call::RouteFailure::refused:
      return reg::FailureKind::refused;
    case call::RouteFailure::unreachable:
      return reg::FailureKind::unreachable;
    case call::RouteFailure::reset:
      return reg::FailureKind::connection_reset;
    case call::RouteFailure::tls_failure:
      return reg::FailureKind::tls_failure;
    case call::RouteFailure::service_unavailable:
      return reg::FailureKind::service_unavailable;
  }
  return reg::FailureKind::timeout;
}

class EngineRoutes final : public call::RouteProvider {
 public:
  EngineRoutes(std::function<reg::RedundancyEngine*()> engine, std::size_t servers)
      : engine_(std::move(engine)), servers_(servers) {}

  std::optional<call::OutboundRoute> route(const std::vector<sip::Target>& avoid) override {
    reg::RedundancyEngine* engine = engine_();
    if (engine == nullptr) return std::nullopt;
    auto r = engine->route_for_new_request(/*is_invite=*/true, avoid);
    if (!r) return std::nullopt;
    return call::OutboundRoute{r->target, r->route_set, r->server_uri, r->retransmit_budget};
  }
  void report_failure(const sip::Target& target, call::RouteFailure failure,
                      std::uint32_t retry_after) override {
    if (reg::RedundancyEngine* engine = engine_()) {
      engine->report_request_failure(target, failure_kind(failure), retry_after);
    }
  }
  std::size_t max_attempts() const override { return servers_; }

 private:
  std::function<reg::RedundancyEngine*()> engine_;
  std::size_t servers_;
};

}  // namespace

call::LocalParty local_party(const config::Account& account) {
  call::LocalParty p;
  p.account = account.name;
  p.display_name = account.effective_display_name();
  p.user = account.effective_id();
  p.domain = account.domain;
  if (p.domain.empty() && !account.servers.empty()) p.domain = account.servers.front().address;
  p.credentials.set_default(
      auth::UserCredential{account.effective_auth_name(), auth::Secret(account.password.value)});
  call::CallLimits limits;
  limits.ring_timeout = std::chrono::seconds(account.calls.ring_timeout);
  limits.max_calls_per_account = account.calls.max_calls;
  p.limits = limits;
  return p;
}

std::shared_ptr<call::RouteProvider> engine_routes(std::function<reg::RedundancyEngine*()> engine,
                                                   std::size_t servers) {
  return std::make_shared<EngineRoutes>(std::move(engine), servers);
}

reg::Event to_reg_event(const call::CallEvent& e, runtime::TimePoint at) {
  reg::Event out;
  switch (e.type) {
    case call::CallEventType::incoming:
      out.type = reg::EventType::call_incoming;
      break;
    case call::CallEventType::ringing:
      out.type = reg::EventType::call_ringing;
      break;
    case call::CallEventType::answered:
      out.type = reg::EventType::call_answered;
      break;
    case call::CallEventType::updated:
      out.type = reg::EventType::call_updated;
      break;
    case call::CallEventType::ended:
      out.type = reg::EventType::call_ended;
      break;
  }
  out.account = e.account;
  out.server = e.server;
  out.status_code = e.status_code;
  out.reason = e.reason;
  out.call_id = e.call_id;
  out.peer = e.peer;
  out.at = at;
  return out;
}

bool invite_is_for(const config::Account& account, const sip::Message& invite) {
  const std::string_view user = invite.request_uri().user;
  return !user.empty() && (user == account.effective_id() || user == account.username);
}

}  // namespace sipline::ua

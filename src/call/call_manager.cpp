#include "call/call_manager.hpp"

#include <algorithm>
#include <utility>

namespace sipline::call {

CallManager::CallManager(CallEnv env, EventSink sink, CallLimits limits)
    : env_(std::move(env)), sink_(std::move(sink)), limits_(limits) {}

CallManager::~CallManager() {
  // Sessions are destroyed without events; their transactions are abandoned
  // or left to the layer.
  sink_ = nullptr;
  calls_.clear();
  lingering_.clear();
}

CallLimits CallManager::limits_for(const LocalParty& party) const {
  return party.limits.value_or(limits_);
}

std::string CallManager::next_id() {
  return "c" + std::to_string(next_++);
}

void CallManager::publish(const CallEvent& event) {
  if (event.type == CallEventType::ended) {
    std::erase_if(invites_, [&](const auto& entry) { return entry.second == event.call_id; });
    if (auto it = calls_.find(event.call_id); it != calls_.end()) {
      // An ended call lingers for 64*T1 (RFC 6026 Timer M) so that a
      // retransmitted 2xx still gets its ACK (§13.2.2.4); it no longer
      // matches requests, which get 481.
      Lingering& l = lingering_[event.call_id];
      l.session = std::move(it->second);
      const std::string id = event.call_id;
      l.timer = env_.timers.start(64 * env_.timer_config.t1, [this, id] { lingering_.erase(id); });
      calls_.erase(it);
    }
  }
  if (sink_) sink_(event);
}

Result<std::string> CallManager::place(LocalParty party, std::string uri,
                                       std::shared_ptr<RouteProvider> routes) {
  auto parsed = sip::parse_uri(uri);
  if (!parsed ||
      (parsed->scheme != sip::UriScheme::sip && parsed->scheme != sip::UriScheme::sips)) {
    return fail(Errc::invalid_argument, "not a SIP URI: " + uri);
  }
  if (!routes) return fail(Errc::invalid_argument, "no route provider");
  std::string id = next_id();
  const CallLimits limits = limits_for(party);
  auto call =
      std::make_shared<OutgoingCall>(env_, id, std::move(party), std::move(uri), std::move(routes),
                                     [this](const CallEvent& e) { publish(e); });
  calls_.emplace(id, call);
  call->set_limits(limits);
  call->start();
  return id;
}

Result<void> CallManager::answer(const std::string& id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return fail(Errc::not_found, "no call " + id);
  auto* incoming = dynamic_cast<IncomingCall*>(it->second.get());
  if (incoming == nullptr) return fail(Errc::invalid_state, "call " + id + " is outgoing");
  return incoming->answer();
}

Result<void> CallManager::hangup(const std::string& id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return fail(Errc::not_found, "no call " + id);
  auto call = it->second;  // may be erased by its own ended event
  call->hangup();
  return ok();
}

void CallManager::hangup_account(const std::string& account) {
  std::vector<std::shared_ptr<Session>> hit;
  for (const auto& [id, call] : calls_) {
    if (call->account() == account) hit.push_back(call);
  }
  for (const auto& call : hit) call->hangup();
}

bool CallManager::in_dialog(const sip::Message& request) {
  return !request.to_tag().empty() || request.method() == sip::Method::cancel ||
         request.method() == sip::Method::ack;
}

std::shared_ptr<Session> CallManager::find_dialog(const sip::Message& request) const {
  for (const auto& [id, call] : calls_) {
    if (call->matches(request)) return call;
  }
  return nullptr;
}

void CallManager::on_request(txn::TransactionId id, const sip::Message& request) {
  auto respond = [&](int code) {
    auto r = sip::response_to(request, code).build();
    if (r) (void)env_.layer.respond(id, std::move(*r));
  };
  if (request.method() == sip::Method::cancel) {
    // §9.2: a CANCEL matching an INVITE server transaction gets 200, even
    // when the INVITE has had its final response; the 200 carries the To
    // tag of the INVITE's response.
    auto invite = env_.layer.find_invite(request);
    if (!invite) {
      respond(481);
      return;
    }
    std::string tag;
    if (const auto* txn = env_.layer.server(*invite); txn && txn->last_response()) {
      tag = std::string(txn->last_response()->to_tag());
    }
    if (tag.empty()) tag = env_.layer.new_tag();
    if (auto r = sip::response_to(request, 200, {}, tag).build()) {
      (void)env_.layer.respond(id, std::move(*r));
    }
    auto it = invites_.find(*invite);
    if (it == invites_.end()) return;
    auto call_it = calls_.find(it->second);
    if (call_it == calls_.end()) return;
    auto call = std::static_pointer_cast<IncomingCall>(call_it->second);
    call->on_cancel();
    return;
  }
  auto call = find_dialog(request);
  if (!call) {
    // §12.2.2: a request for a dialog we do not know.
    respond(481);
    return;
  }
  call->on_in_dialog_request(id, request);
}

bool CallManager::on_invite(txn::TransactionId id, const sip::Message& invite,
                            const sip::Target& source, LocalParty party, std::string server) {
  const auto live = std::count_if(calls_.begin(), calls_.end(), [&](const auto& entry) {
    return entry.second->account() == party.account;
  });
  const CallLimits limits = limits_for(party);
  if (static_cast<std::size_t>(live) >= limits.max_calls_per_account) {
    // §21.4.24: the callee is busy; the cap is documented in configuration.md.
    if (auto r = sip::response_to(invite, 486, "Busy Here", env_.layer.new_tag()).build()) {
      (void)env_.layer.respond(id, std::move(*r));
    }
    return false;
  }
  std::string call_id = next_id();
  auto call =
      std::make_shared<IncomingCall>(env_, call_id, std::move(party), id, invite, source,
                                     std::move(server), [this](const CallEvent& e) { publish(e); });
  calls_.emplace(call_id, call);
  invites_.emplace(id, call_id);
  call->set_limits(limits);
  if (!call->start()) {
    calls_.erase(call_id);
    invites_.erase(id);
    return false;
  }
  return true;
}

void CallManager::on_ack(const sip::Message& ack) {
  if (auto call = find_dialog(ack)) call->on_ack(ack);
}

void CallManager::on_server_terminated(txn::TransactionId id, txn::EndReason reason) {
  auto it = invites_.find(id);
  if (it == invites_.end()) return;
  auto call_it = calls_.find(it->second);
  if (call_it == calls_.end()) return;
  auto call = std::static_pointer_cast<IncomingCall>(call_it->second);
  call->on_invite_terminated(reason);
}

void CallManager::network_changed(bool sockets_replaced) {
  // A copy: a refresh that finds its dialog gone ends its call, which
  // leaves calls_.
  std::vector<std::shared_ptr<Session>> live;
  for (const auto& [id, call] : calls_) live.push_back(call);
  for (const auto& call : live) call->refresh_if_moved(sockets_replaced);
}

std::vector<CallInfo> CallManager::calls() const {
  std::vector<CallInfo> out;
  for (const auto& [id, call] : calls_) out.push_back(call->info());
  return out;
}

}  // namespace sipline::call

#include "call/call_manager.hpp"

#include <utility>

namespace sipline::call {

CallManager::CallManager(CallEnv env, EventSink sink)
    : env_(std::move(env)), sink_(std::move(sink)) {}

CallManager::~CallManager() {
  // Sessions are destroyed without events; their transactions are abandoned
  // or left to the layer.
  sink_ = nullptr;
  calls_.clear();
  lingering_.clear();
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
  auto call =
      std::make_shared<OutgoingCall>(env_, id, std::move(party), std::move(uri), std::move(routes),
                                     [this](const CallEvent& e) { publish(e); });
  calls_.emplace(id, call);
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
    // §9.2: the CANCEL matches the INVITE's server transaction.
    auto invite = env_.layer.find_invite(request);
    auto it = invite ? invites_.find(*invite) : invites_.end();
    if (it == invites_.end()) {
      respond(481);
      return;
    }
    respond(200);
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
  std::string call_id = next_id();
  auto call =
      std::make_shared<IncomingCall>(env_, call_id, std::move(party), id, invite, source,
                                     std::move(server), [this](const CallEvent& e) { publish(e); });
  calls_.emplace(call_id, call);
  invites_.emplace(id, call_id);
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

std::vector<CallInfo> CallManager::calls() const {
  std::vector<CallInfo> out;
  for (const auto& [id, call] : calls_) out.push_back(call->info());
  return out;
}

}  // namespace sipline::call

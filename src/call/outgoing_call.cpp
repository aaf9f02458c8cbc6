#include "call/outgoing_call.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <utility>

#include "sip/header_id.hpp"

namespace sipline::call {

namespace {

constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

std::string describe(const sip::Target& t) {
  return t.address + ":" + std::to_string(t.port) + "/" + std::string(sip::to_string(t.transport));
}

std::optional<RouteFailure> route_failure(txn::EndReason reason) {
  switch (reason) {
    case txn::EndReason::timeout:
      return RouteFailure::timeout;
    case txn::EndReason::refused:
      return RouteFailure::refused;
    case txn::EndReason::unreachable:
      return RouteFailure::unreachable;
    case txn::EndReason::reset:
      return RouteFailure::reset;
    case txn::EndReason::tls_failure:
      return RouteFailure::tls_failure;
    case txn::EndReason::completed:
      break;
  }
  return std::nullopt;
}

std::string status_text(const sip::Message& response) {
  return std::to_string(response.status_code()) + " " + std::string(response.reason_phrase());
}

// How many ended forks are remembered, oldest forgotten first.
constexpr std::size_t max_killed_dialogs = 16;

std::string dialog_key(const sip::Message& response) {
  return std::string(response.to_tag()) + " " + std::to_string(response.cseq().number);
}

}  // namespace

OutgoingCall::OutgoingCall(CallEnv& env, std::string id, LocalParty party, std::string callee,
                           std::shared_ptr<RouteProvider> routes, EventSink sink)
    : Session(env, std::move(id), std::move(party), Direction::outgoing, std::move(sink)),
      callee_(std::move(callee)),
      routes_(std::move(routes)),
      call_id_(env.random_token()),
      local_tag_(env.layer.new_tag()),
      digest_(party_.credentials, env.cnonce) {
  peer_ = callee_;
  // RFC 4566 §5.2: any number unique enough; the Call-ID's hash will do.
  local_media_.session_id = std::hash<std::string>{}(call_id_)&0xffffffffu;
}

OutgoingCall::~OutgoingCall() {
  if (invite_txn_ && !final_) (void)env_.layer.abandon(*invite_txn_);
}

void OutgoingCall::start() {
  try_next_route(0, "no server to send the INVITE through");
}

void OutgoingCall::try_next_route(int code, std::string reason) {
  if (cancel_wanted_) {
    end(0, "cancelled");
    return;
  }
  while (tried_.size() < std::max<std::size_t>(1, routes_->max_attempts())) {
    // At most once per target: the policy is told where this INVITE failed
    // and answers with the next server at once (or nothing is left).
    auto route = routes_->route(tried_);
    if (!route || std::find(tried_.begin(), tried_.end(), route->target) != tried_.end()) break;
    tried_.push_back(route->target);
    auth_retried_ = false;
    // The ring time is per server: a new server's first 1xx starts it anew
    // (§13.2.1), so ringing through the last one does not eat into it.
    ring_timer_.cancel();
    if (send_invite(*route, {})) return;
    routes_->report_failure(route->target, RouteFailure::unreachable, 0);
    reason = "cannot send to " + describe(route->target);
  }
  end(code, std::move(reason));
}

bool OutgoingCall::send_invite(const OutboundRoute& route,
                               const std::vector<auth::AuthorizationHeader>& credentials) {
  route_ = route;
  first_hop_ = route.target;
  server_ = route.server_uri;
  provisional_ = false;
  final_ = false;
  auto b = sip::MessageBuilder::request(sip::Method::invite, callee_);
  for (const auto& r : route.route_set) b.add(sip::HeaderId::route, r);
  std::string from = party_.aor();
  if (!party_.display_name.empty()) {
    from = "\"" + party_.display_name + "\" <" + from + ">";
  } else {
    from = "<" + from + ">";
  }
  b.add(sip::HeaderId::from, from + ";tag=" + local_tag_);
  b.add(sip::HeaderId::to, "<" + callee_ + ">");
  b.add(sip::HeaderId::call_id, call_id_);
  b.add(sip::HeaderId::cseq, std::to_string(++cseq_) + " INVITE");
  b.add(sip::HeaderId::contact, contact_value(route.target));
  b.add(sip::HeaderId::allow, allow);
  for (const auto& c : credentials) b.add(c.header_name(), c.value);
  local_sdp_ = build_offer(media_for(route.target));
  b.body("application/sdp", local_sdp_);
  auto rendered = b;  // what the Via-less request looks like, for CANCEL
  std::weak_ptr<Session> weak = weak_from_this();
  auto self_id = std::make_shared<std::optional<txn::TransactionId>>();
  txn::ClientCallbacks callbacks;
  callbacks.on_response = [weak, self_id](const sip::Message& r) {
    auto s = std::static_pointer_cast<OutgoingCall>(weak.lock());
    if (s && *self_id) s->on_response(**self_id, r);
  };
  callbacks.on_terminated = [weak, self_id](txn::EndReason reason) {
    auto s = std::static_pointer_cast<OutgoingCall>(weak.lock());
    if (s && *self_id) s->on_terminated(**self_id, reason);
  };
  auto id = send_request(std::move(b), route.target, std::move(callbacks), route.retransmit_budget);
  if (!id) return false;
  *self_id = *id;
  invite_txn_ = *id;
  if (const auto* txn = env_.layer.client(*id)) invite_ = txn->request();
  return true;
}

void OutgoingCall::on_response(txn::TransactionId id, const sip::Message& response) {
  const int code = response.status_code();
  if (code >= 200 && code < 300) {
    // Every 2xx, also of an earlier attempt's transaction, needs its ACK.
    on_success(response);
    return;
  }
  if (id != invite_txn_ || ended()) return;
  if (code < 200) {
    on_provisional(response);
    return;
  }
  final_ = true;
  cancel_guard_.cancel();
  on_failure(response);
}

void OutgoingCall::on_provisional(const sip::Message& response) {
  if (!provisional_ && !ring_timer_.armed()) {
    // §13.2.1: the UAC's own limit on ringing; CANCEL when it runs out.
    ring_timer_ = env_.timers.start(limits_.ring_timeout, [this] { on_ring_timeout(); });
  }
  provisional_ = true;
  if (!response.to_tag().empty() && !dialog_ && invite_) {
    // §12.1.2: a provisional response with a To tag makes an early dialog.
    if (auto d = Dialog::as_uac(*invite_, response)) dialog_ = std::move(*d);
  }
  if (cancel_wanted_ && !cancel_sent_) {
    send_cancel();
    return;
  }
  if ((response.status_code() == 180 || response.status_code() == 183) && !ringing_emitted_ &&
      !cancel_wanted_) {
    ringing_emitted_ = true;
    state_ = CallState::ringing;
    emit(CallEventType::ringing, response.status_code(), status_text(response));
  }
}

void OutgoingCall::on_success(const sip::Message& response) {
  if (!invite_) return;
  if (dialog_ && !dialog_->early) {
    if (response.to_tag() == dialog_->remote_tag && response.call_id() == dialog_->call_id) {
      // A retransmission: the peer did not get our ACK (§13.2.2.4).
      if (ack_ && ack_target_) (void)env_.wire.send(*ack_, *ack_target_);
      return;
    }
    // A second dialog from a forking proxy: acknowledge and end it (§13.2.2.4).
    kill_dialog(response);
    return;
  }
  if (ended() || response.cseq().number != invite_->cseq().number) {
    // A 2xx to an INVITE we gave up on (an earlier attempt, or after the
    // call ended): acknowledge it, then end that dialog (§13.2.2.4, §15).
    kill_dialog(response);
    return;
  }
  final_ = true;
  cancel_guard_.cancel();
  auto d = Dialog::as_uac(*invite_, response);
  if (!d) {
    end(response.status_code(), "2xx without a usable Contact");
    return;
  }
  dialog_ = std::move(*d);
  digest_.on_accepted();
  send_ack(*dialog_, response, true);
  if (cancel_wanted_) {
    // §9.1: the CANCEL lost the race with the 2xx; the call is up, so end it.
    send_bye();
    end(0, "cancelled");
    return;
  }
  if (!answer_acceptable(response.body())) {
    // §13.2.1: an unusable answer is ended by ACK then BYE.
    send_bye();
    end(488, "no common codec in the answer");
    return;
  }
  state_ = CallState::established;
  emit(CallEventType::answered, response.status_code(), status_text(response));
  // The address moved while the INVITE was out: its Contact is stale.
  recheck_target();
}

void OutgoingCall::kill_dialog(const sip::Message& response) {
  auto d = Dialog::as_uac(*invite_, response);
  if (!d) return;
  send_ack(*d, response, false);
  const std::string key = dialog_key(response);
  // A retransmitted 2xx of a dialog already ended gets its ACK, not a BYE.
  if (std::find(killed_.begin(), killed_.end(), key) != killed_.end()) return;
  if (killed_.size() >= max_killed_dialogs) killed_.erase(killed_.begin());
  killed_.push_back(key);
  auto keep = std::move(dialog_);
  dialog_ = std::move(*d);
  send_bye();
  dialog_ = std::move(keep);
}

void OutgoingCall::on_ring_timeout() {
  if (final_ || ended() || cancel_wanted_) return;
  ring_timed_out_ = true;
  hangup();
}

void OutgoingCall::send_ack(const Dialog& dialog, const sip::Message& response, bool main) {
  // §13.2.2.4: the ACK is part of the dialog, with the INVITE's CSeq number
  // and credentials, and its own branch; it goes straight to the transport.
  auto b = dialog.request_with_cseq(sip::Method::ack, response.cseq().number);
  for (const auto& field : invite_->headers()) {
    if (field.id == sip::HeaderId::authorization ||
        field.id == sip::HeaderId::proxy_authorization) {
      b.add(field.id, field.value);
    }
  }
  Dialog copy = dialog;
  const sip::Target target = [&] {
    if (auto t = literal_target(copy.next_hop_uri(), first_hop_.transport)) return *t;
    return first_hop_;
  }();
  auto ack = send_ack_for_2xx(std::move(b), target);
  if (!ack || !main) return;
  ack_ = std::move(ack);
  ack_target_ = target;
}

void OutgoingCall::on_failure(const sip::Message& response) {
  const int code = response.status_code();
  if (cancel_wanted_) {
    if (ring_timed_out_) {
      end(code, "no answer (ring timeout)");
      return;
    }
    end(code, code == 487 ? "cancelled" : status_text(response));
    return;
  }
  if ((code == 401 || code == 407) && retry_with_credentials(response)) return;
  if (code == 503 && route_) {
    // RFC 3261 §21.5.4 / RFC 3263 §4.3: try the next server.
    std::uint32_t retry_after = 0;
    if (auto ra = response.retry_after()) retry_after = ra->seconds;
    routes_->report_failure(route_->target, RouteFailure::service_unavailable, retry_after);
    dialog_.reset();
    try_next_route(code, status_text(response));
    return;
  }
  end(code, status_text(response));
}

bool OutgoingCall::retry_with_credentials(const sip::Message& response) {
  if (auth_retried_ || !route_ || !invite_) return false;
  std::vector<auth::ChallengeValue> challenges;
  for (const auto& field : response.headers()) {
    if (field.id == sip::HeaderId::www_authenticate) {
      challenges.push_back({auth::ChallengeOrigin::www_authenticate, field.value});
    } else if (field.id == sip::HeaderId::proxy_authenticate) {
      challenges.push_back({auth::ChallengeOrigin::proxy_authenticate, field.value});
    }
  }
  auto answer = digest_.respond(challenges, {"INVITE", callee_, local_sdp_});
  if (!answer) return false;
  auth_retried_ = true;
  dialog_.reset();
  // §22.2: the same request again with credentials and a new CSeq.
  return send_invite(*route_, *answer);
}

void OutgoingCall::on_terminated(txn::TransactionId id, txn::EndReason reason) {
  if (id != invite_txn_ || final_ || ended()) return;
  invite_txn_.reset();
  auto failure = route_failure(reason);
  if (!failure) return;
  if (cancel_wanted_) {
    end(0, "cancelled");
    return;
  }
  const std::string reason_text =
      std::string(to_string(*failure)) + " at " + (route_ ? describe(route_->target) : "?");
  if (route_) routes_->report_failure(route_->target, *failure, 0);
  if (provisional_) {
    // The first server answered 1xx: the callee may still be ringing
    // through it, so a fresh INVITE elsewhere could ring twice.
    end(0, reason_text);
    return;
  }
  dialog_.reset();
  try_next_route(0, reason_text);
}

void OutgoingCall::hangup() {
  if (ended()) return;
  if (state_ == CallState::established) {
    send_bye();
    end(0, "local hangup");
    return;
  }
  if (cancel_wanted_) return;
  cancel_wanted_ = true;
  // §9.1: no CANCEL before a provisional response; it goes out when one
  // arrives, and a final response or the transaction's end settles it.
  if (provisional_) send_cancel();
}

void OutgoingCall::send_cancel() {
  if (!invite_ || !invite_txn_ || cancel_sent_) return;
  cancel_sent_ = true;
  // §9.1: Request-URI, Call-ID, To, From, CSeq number and Route as in the
  // INVITE; the same top Via, so it matches the INVITE's transaction.
  auto b = sip::MessageBuilder::request(sip::Method::cancel, invite_->request_uri().raw);
  for (const auto& field : invite_->headers()) {
    if (field.id == sip::HeaderId::via) {
      b.add(sip::HeaderId::via, field.value);
      break;
    }
  }
  for (const auto& field : invite_->headers()) {
    switch (field.id) {
      case sip::HeaderId::route:
      case sip::HeaderId::from:
      case sip::HeaderId::to:
      case sip::HeaderId::call_id:
      case sip::HeaderId::max_forwards:
        b.add(field.id, field.value);
        break;
      default:
        break;
    }
  }
  b.add(sip::HeaderId::cseq, std::to_string(invite_->cseq().number) + " CANCEL");
  auto cancel = b.build();
  if (!cancel || !route_) return;
  (void)env_.layer.send_request(std::move(*cancel), route_->target, {}, env_.timer_config);
  // §9.1: without a final response within 64*T1 the INVITE is given up.
  cancel_guard_ = env_.timers.start(64 * env_.timer_config.t1, [this] { cancel_expired(); });
}

void OutgoingCall::cancel_expired() {
  if (final_ || ended()) return;
  auto self = shared_from_this();  // ending may drop the manager's reference
  if (invite_txn_) (void)env_.layer.abandon(*invite_txn_);
  invite_txn_.reset();
  end(0, "cancelled (no final response)");
}

}  // namespace sipline::call

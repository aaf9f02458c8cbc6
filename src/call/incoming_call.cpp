#include "call/incoming_call.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <utility>

#include "sip/header_id.hpp"

namespace sipline::call {

namespace {
constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "application/SDP ; charset=x" -> "application/sdp".
std::string media_type(std::string_view content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  const auto first = type.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = type.find_last_not_of(" \t");
  return type.substr(first, last - first + 1);
}

// §12.1.1: a response that establishes a dialog carries the request's
// Record-Route, so the caller learns the same route set.
void copy_record_route(const sip::Message& request, sip::MessageBuilder& response) {
  for (const auto& field : request.headers()) {
    if (field.id == sip::HeaderId::record_route) response.add(field.id, field.value);
  }
}
}  // namespace

IncomingCall::IncomingCall(CallEnv& env, std::string id, LocalParty party, txn::TransactionId txn,
                           const sip::Message& invite, const sip::Target& source,
                           std::string server, EventSink sink)
    : Session(env, std::move(id), std::move(party), Direction::incoming, std::move(sink)),
      txn_(txn),
      invite_(invite) {
  first_hop_ = source;
  server_ = std::move(server);
  peer_ = std::string(invite.from().uri.raw);
  local_media_.session_id = std::hash<std::string_view>{}(invite.call_id()) & 0xffffffffu;
}

std::optional<sip::MessageBuilder> IncomingCall::refusal() const {
  // §8.2.2.3: we implement no extension, so every Require option is unknown.
  if (auto required = invite_.tokens(sip::HeaderId::require); required && !required->empty()) {
    std::string names;
    for (auto token : *required) names += (names.empty() ? "" : ", ") + std::string(token);
    auto r = sip::response_to(invite_, 420, "Bad Extension", env_.layer.new_tag());
    r.add(sip::HeaderId::unsupported, names);
    return r;
  }
  // §8.2.3: a body we cannot read is refused 415 with what we accept.
  const auto encoding = invite_.header(sip::HeaderId::content_encoding);
  const bool bad_encoding = encoding && lower(*encoding) != "identity" && !encoding->empty();
  const bool bad_type =
      !invite_.body().empty() && media_type(invite_.content_type()) != "application/sdp";
  if (bad_encoding || bad_type) {
    auto r = sip::response_to(invite_, 415, "Unsupported Media Type", env_.layer.new_tag());
    r.add(sip::HeaderId::accept, "application/sdp");
    r.add(sip::HeaderId::accept_encoding, "identity");
    return r;
  }
  return std::nullopt;
}

bool IncomingCall::start() {
  if (auto refused = refusal()) {
    refused->add(sip::HeaderId::allow, allow);
    respond(txn_, *refused);
    state_ = CallState::ended;
    return false;
  }
  auto dialog = Dialog::as_uas(invite_, env_.layer.new_tag());
  if (!dialog) {
    respond(txn_, sip::response_to(invite_, 400, "Missing Contact", env_.layer.new_tag()));
    state_ = CallState::ended;
    return false;
  }
  dialog_ = std::move(*dialog);
  offer_in_invite_ = !invite_.body().empty();
  if (offer_in_invite_) {
    auto answer = build_answer(invite_.body(), media_for(first_hop_));
    if (!answer && answer.error().code == Errc::malformed) {
      // §21.4.1: the SDP itself cannot be parsed.
      respond(txn_, sip::response_to(invite_, 400, "Malformed SDP", dialog_->local_tag));
      state_ = CallState::ended;
      return false;
    }
    if (!answer) {
      // RFC 3264 §6, RFC 3261 §13.3.1.4 / §21.4.26: no stream we can take.
      auto r = sip::response_to(invite_, 488, "Not Acceptable Here", dialog_->local_tag);
      r.add(sip::HeaderId::warning, "304 sipline \"Media type not available\"");
      respond(txn_, r);
      state_ = CallState::ended;
      return false;
    }
    local_sdp_ = std::move(*answer);
  } else {
    // No offer: ours goes in the 200 and the answer comes in the ACK (§13.3.1.1).
    local_sdp_ = build_offer(media_for(first_hop_));
  }
  auto ringing = sip::response_to(invite_, 180, {}, dialog_->local_tag);
  copy_record_route(invite_, ringing);
  ringing.add(sip::HeaderId::contact, contact_value(first_hop_));
  respond(txn_, ringing);
  state_ = CallState::ringing;
  if (auto expires = invite_.expires()) {
    // §13.3.1: the invitation is withdrawn when its Expires runs out.
    expires_timer_ = env_.timers.start(std::chrono::seconds(*expires),
                                       [this] { stop_ringing(487, "the invitation expired"); });
  }
  ring_timer_ = env_.timers.start(limits_.ring_timeout, [this] {
    // §21.4.18: nobody answered in time.
    stop_ringing(480, "not answered");
  });
  emit(CallEventType::incoming);
  return true;
}

void IncomingCall::stop_ringing(int code, std::string reason) {
  if (state_ != CallState::ringing) return;
  auto self = shared_from_this();  // ending drops the manager's reference
  respond(txn_, sip::response_to(invite_, code, {}, dialog_->local_tag));
  end(code, std::move(reason));
}

void IncomingCall::on_invite_terminated(txn::EndReason reason) {
  if (state_ != CallState::ringing) return;
  auto self = shared_from_this();
  end(0, "INVITE transaction ended (" + std::string(txn::to_string(reason)) + ")");
}

Result<void> IncomingCall::answer() {
  if (state_ != CallState::ringing) return fail(Errc::invalid_state, "the call is not ringing");
  auto r = sip::response_to(invite_, 200, {}, dialog_->local_tag);
  copy_record_route(invite_, r);
  r.add(sip::HeaderId::contact, contact_value(first_hop_));
  r.add(sip::HeaderId::allow, allow);
  r.body("application/sdp", local_sdp_);
  auto response = r.build();
  if (!response) return response.error();
  auto sent = env_.layer.respond(txn_, *response);
  if (!sent) return sent;
  state_ = CallState::answering;
  expires_timer_.cancel();
  ring_timer_.cancel();
  retransmit_2xx(txn_, std::move(*response), [this] {
    // §13.3.1.4: no ACK within 64*T1: the dialog is confirmed, then ended.
    dialog_->early = false;
    send_bye();
    if (hangup_pending_) {
      end(0, "local hangup");
    } else {
      end(408, "no ACK for our 200");
    }
  });
  return ok();
}

void IncomingCall::on_ack(const sip::Message& ack) {
  if (!ack_stops_2xx(ack)) return;
  if (state_ != CallState::answering) {
    // The ACK of the peer's re-INVITE: a target refresh that waited may go.
    recheck_target();
    return;
  }
  dialog_->early = false;
  if (hangup_pending_) {
    // §15: the BYE the user asked for, now that the ACK has come.
    send_bye();
    end(0, "local hangup");
    return;
  }
  if (!offer_in_invite_ && !answer_acceptable(ack.body())) {
    // §13.3.1.1 / RFC 3264: the answer in the ACK is unusable.
    send_bye();
    end(488, "no common codec in the answer");
    return;
  }
  state_ = CallState::established;
  emit(CallEventType::answered, 200, "200 OK");
  // The address moved while the call rang or awaited this ACK.
  recheck_target();
}

void IncomingCall::hangup() {
  if (ended()) return;
  if (state_ == CallState::ringing) {
    respond(txn_, sip::response_to(invite_, 486, "Busy Here", dialog_->local_tag));
    end(486, "rejected");
    return;
  }
  if (state_ == CallState::answering) {
    // §15: the callee must not send BYE on a confirmed dialog before the
    // ACK arrives or the 2xx retransmissions give up; they go on, and the
    // BYE follows the first of the two.
    hangup_pending_ = true;
    return;
  }
  send_bye();
  end(0, "local hangup");
}

void IncomingCall::on_cancel() {
  if (state_ != CallState::ringing) return;  // §9.2: too late, the 200 stands
  respond(txn_, sip::response_to(invite_, 487, "Request Terminated", dialog_->local_tag));
  end(487, "cancelled by caller");
}

void IncomingCall::on_remote_bye() {
  if (state_ == CallState::ringing) {
    // §15.1.2: a BYE in the early dialog; the INVITE gets 487.
    respond(txn_, sip::response_to(invite_, 487, "Request Terminated", dialog_->local_tag));
  }
  end(0, "remote hangup");
}

}  // namespace sipline::call

// Session: the re-INVITE of RFC 3261 §14.1 that moves an established call
// to a new local address (target_refresh.hpp).

#include "call/target_refresh.hpp"

#include <chrono>
#include <utility>

#include "call/session.hpp"
#include "sip/header_id.hpp"

namespace sipline::call {

namespace {

constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO";

std::string status_text(const sip::Message& response) {
  return std::to_string(response.status_code()) + " " + std::string(response.reason_phrase());
}

}  // namespace

runtime::Duration glare_retry_delay(bool call_id_owner, std::uint64_t random) noexcept {
  using std::chrono::milliseconds;
  // 2.1 s + 0..190 steps of 10 ms, or 0..200 steps of 10 ms.
  if (call_id_owner) return milliseconds(2100 + 10 * static_cast<std::int64_t>(random % 191));
  return milliseconds(10 * static_cast<std::int64_t>(random % 201));
}

std::uint64_t hex_value(std::string_view hex) noexcept {
  std::uint64_t value = 0;
  for (char c : hex) {
    std::uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint64_t>(c - 'a') + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint64_t>(c - 'A') + 10;
    } else {
      continue;
    }
    value = (value << 4) | digit;
  }
  return value;
}

void Session::refresh_if_moved(bool sockets_replaced) {
  if (ended()) return;
  if (sockets_replaced) refresh_.sockets_replaced = true;
  if (state_ != CallState::established || !dialog_ || pending_2xx_ || refresh_.in_flight) {
    // §14.1: no re-INVITE while an INVITE transaction is in progress in
    // either direction; an early call's INVITE carried the old Contact, so
    // it is checked once established.
    refresh_.recheck = true;
    return;
  }
  if (refresh_.retry.armed()) return;  // the retry after a 491 checks then
  refresh_.recheck = false;
  if (address_moved()) start_reinvite();
}

void Session::recheck_target() {
  if (!refresh_.recheck || ended()) return;
  refresh_.recheck = false;
  refresh_if_moved();
}

bool Session::address_moved() const {
  auto now = env_.local_address(in_dialog_target());
  if (!now) return false;
  if (media_address(now->address) != local_media_.address) return true;
  if (!contact_local_) return true;
  if (now->address != contact_local_->address) return true;
  // New listening sockets closed the connection whose port (or the old
  // listener's) a Contact over TCP/TLS named (§18.2.1).
  if (refresh_.sockets_replaced && now->transport != sip::TransportKind::udp) return true;
  // Over UDP the port is the listening socket's, so a rebind to another
  // port moves the Contact too; over TCP/TLS it may be a connection's
  // ephemeral port (§18.2.1), which says nothing.
  return now->transport == sip::TransportKind::udp &&
         contact_local_->transport == sip::TransportKind::udp && now->port != contact_local_->port;
}

void Session::start_reinvite() {
  const sip::Target target = in_dialog_target();
  auto local = env_.local_address(target);
  if (!local) return;
  refresh_.media_before = local_media_;
  refresh_.contact_before = contact_local_;
  refresh_.sockets_replaced_before = std::exchange(refresh_.sockets_replaced, false);
  refresh_.auth_retried = false;
  // RFC 3264 §8: the same session from the new address, o= version + 1.
  local_media_.address = media_address(local->address);
  ++local_media_.version;
  auto attempt = std::make_shared<ReInvite>();
  attempt->offer = reoffer(local_sdp_, media_for(target));
  send_reinvite(attempt);
}

void Session::send_reinvite(const std::shared_ptr<ReInvite>& attempt) {
  const sip::Target target = in_dialog_target();
  // §14.1: in the dialog (§12.2.1.1), the next CSeq, our new Contact.
  auto request = dialog_->request(sip::Method::invite);
  attempt->cseq = dialog_->local_cseq;
  request.add(sip::HeaderId::contact, contact_value(target));
  request.add(sip::HeaderId::allow, allow);
  for (const auto& c : attempt->credentials) request.add(c.header_name(), c.value);
  request.body("application/sdp", attempt->offer);
  std::weak_ptr<Session> weak = weak_from_this();
  txn::ClientCallbacks callbacks;
  callbacks.on_response = [weak, attempt](const sip::Message& response) {
    if (auto self = weak.lock()) self->on_reinvite_response(attempt, response);
  };
  callbacks.on_terminated = [weak, attempt](txn::EndReason reason) {
    if (auto self = weak.lock()) self->on_reinvite_ended(attempt, reason);
  };
  refresh_.in_flight = attempt;
  auto sent = send_request(std::move(request), target, std::move(callbacks));
  if (!sent && refresh_.in_flight == attempt) {
    attempt->answered = true;
    refresh_.in_flight.reset();
    reinvite_failed();
    emit(CallEventType::updated, 503,
         "re-INVITE could not be sent: the call keeps " + local_media_.address);
  }
}

void Session::on_reinvite_response(const std::shared_ptr<ReInvite>& attempt,
                                   const sip::Message& response) {
  const int code = response.status_code();
  if (code < 200) return;
  if (code < 300) {
    if (attempt->answered) {
      // A retransmission: the peer did not get our ACK (§13.2.2.4).
      if (attempt->ack) (void)env_.wire.send(*attempt->ack, attempt->ack_target);
      return;
    }
    attempt->answered = true;
    if (!dialog_) return;
    // §12.2.1.2: the 2xx to a target refresh carries the peer's target.
    if (!ended()) dialog_->refresh_target(response);
    ack_reinvite(*attempt);
    if (refresh_.in_flight != attempt || ended()) return;
    refresh_.in_flight.reset();
    // Our offer is the session now; the answer is the peer's side of it,
    // and no media flows yet to apply it to.
    local_sdp_ = attempt->offer;
    emit(CallEventType::updated, code,
         "re-INVITE answered " + status_text(response) + ": the call moved to " +
             local_media_.address);
    recheck_target();
    return;
  }
  if (attempt->answered || refresh_.in_flight != attempt) return;
  attempt->answered = true;
  if (ended()) {
    refresh_.in_flight.reset();
    return;
  }
  if ((code == 401 || code == 407) && retry_reinvite_with_credentials(*attempt, response)) return;
  refresh_.in_flight.reset();
  if (code == 481 || code == 408) {
    dialog_gone(code, "re-INVITE answered " + status_text(response));
    return;
  }
  reinvite_failed();
  if (code == 491) {
    // §14.1: glare; whoever sent the initial INVITE (it chose the Call-ID)
    // waits longer, so the two sides do not collide again.
    const bool owner = direction_ == Direction::outgoing;
    refresh_.retry = env_.timers.start(glare_retry_delay(owner, hex_value(env_.layer.new_tag())),
                                       [this] { refresh_if_moved(); });
    return;
  }
  emit(CallEventType::updated, code,
       "re-INVITE answered " + status_text(response) + ": the call keeps " + local_media_.address);
  recheck_target();
}

void Session::on_reinvite_ended(const std::shared_ptr<ReInvite>& attempt, txn::EndReason reason) {
  if (attempt->answered || refresh_.in_flight != attempt) return;
  attempt->answered = true;
  refresh_.in_flight.reset();
  if (ended()) return;
  if (reason == txn::EndReason::timeout) {
    // §8.1.3.1: a timeout counts as 408, which ends the dialog (§12.2.1.2).
    dialog_gone(408, "re-INVITE timed out");
    return;
  }
  // §8.1.3.1: a transport error counts as 503: the old session stays.
  reinvite_failed();
  emit(CallEventType::updated, 503,
       "re-INVITE could not be sent: the call keeps " + local_media_.address);
  recheck_target();
}

bool Session::retry_reinvite_with_credentials(const ReInvite& attempt,
                                              const sip::Message& response) {
  if (refresh_.auth_retried || !dialog_) return false;
  auth::DigestClient digest(party_.credentials, env_.cnonce);
  auto answer =
      digest.respond(challenges_in(response), {"INVITE", dialog_->request_uri(), attempt.offer});
  if (!answer || answer->empty()) return false;
  refresh_.auth_retried = true;
  // §22.2: the same offer again with credentials and the next CSeq.
  auto again = std::make_shared<ReInvite>();
  again->offer = attempt.offer;
  again->credentials = std::move(*answer);
  send_reinvite(again);
  return true;
}

void Session::ack_reinvite(ReInvite& attempt) {
  // §13.2.2.4: the ACK is in the dialog, with the re-INVITE's CSeq number
  // and credentials and a branch of its own; it goes straight to the
  // transport, to the target just refreshed.
  const sip::Target target = in_dialog_target();
  auto b = dialog_->request_with_cseq(sip::Method::ack, attempt.cseq);
  for (const auto& c : attempt.credentials) b.add(c.header_name(), c.value);
  auto ack = send_ack_for_2xx(std::move(b), target);
  if (!ack) return;
  attempt.ack = std::move(ack);
  attempt.ack_target = target;
}

void Session::reinvite_failed() {
  local_media_ = refresh_.media_before;
  contact_local_ = refresh_.contact_before;
  refresh_.sockets_replaced = refresh_.sockets_replaced || refresh_.sockets_replaced_before;
}

void Session::dialog_gone(int code, std::string reason) {
  auto self = shared_from_this();  // ending drops the manager's reference
  send_bye();
  end(code, std::move(reason) + "; the dialog is gone");
}

}  // namespace sipline::call

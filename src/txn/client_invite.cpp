#include "txn/client_invite.hpp"

#include <string>
#include <utility>

#include "sip/builder.hpp"

namespace sipline::txn {

std::string_view to_string(ClientInviteTransaction::State state) noexcept {
  using State = ClientInviteTransaction::State;
  switch (state) {
    case State::calling:
      return "Calling";
    case State::proceeding:
      return "Proceeding";
    case State::completed:
      return "Completed";
    case State::accepted:
      return "Accepted";
    case State::terminated:
      return "Terminated";
  }
  return "Terminated";
}

Result<sip::Message> build_non2xx_ack(const sip::Message& invite, const sip::Message& response) {
  using sip::HeaderId;
  auto builder = sip::MessageBuilder::request(sip::Method::ack, invite.request_uri().raw);
  // Exactly one Via: the INVITE's top one, so the ACK matches the server's
  // INVITE transaction (§17.1.1.3, §17.2.3).
  builder.add(HeaderId::via, invite.top_via().raw);
  builder.add(HeaderId::max_forwards, "70");
  for (const sip::HeaderField& field : invite.headers()) {
    if (field.id == HeaderId::route) builder.add(HeaderId::route, field.value);
  }
  builder.add(HeaderId::from, invite.header(HeaderId::from).value_or(""));
  builder.add(HeaderId::to, response.header(HeaderId::to).value_or(""));
  builder.add(HeaderId::call_id, invite.call_id());
  builder.add(HeaderId::cseq, std::to_string(invite.cseq().number) + " ACK");
  return builder.build();
}

ClientInviteTransaction::ClientInviteTransaction(TransactionEnv& env, TransactionId id,
                                                 sip::Message request, sip::Target target,
                                                 const TimerConfig& config,
                                                 ClientCallbacks callbacks)
    : ClientTransaction(env, id, std::move(request), std::move(target), config,
                        std::move(callbacks)) {}

std::string_view ClientInviteTransaction::state_name() const noexcept {
  return to_string(state_);
}

void ClientInviteTransaction::start() {
  send(request_, target_);
  // §17.1.1.2: Timer A only over unreliable transports; Timer B always.
  if (!sip::is_reliable(target_.transport)) {
    interval_ = config_.timer_a();
    timer_a_ = env_.start_timer(interval_, [this] { on_timer_a(); });
  } else if (config_.retransmit_budget) {
    // Reliable: no retransmissions, but the same silence budget in time;
    // Calling ends with the first response, so only silence counts.
    timer_a_ =
        env_.start_timer(budget_deadline(config_, *config_.retransmit_budget, false), [this] {
          if (state_ == State::calling) terminate(EndReason::timeout);
        });
  }
  timer_b_ = env_.start_timer(config_.timer_b(), [this] { on_timer_b(); });
}

void ClientInviteTransaction::on_timer_a() {
  if (state_ != State::calling) return;
  const auto& budget = config_.retransmit_budget;
  if (budget && retransmissions_ >= *budget) {
    terminate(EndReason::timeout);
    return;
  }
  send(request_, target_);
  ++retransmissions_;
  interval_ = next_interval(interval_, config_, false);
  timer_a_ = env_.start_timer(interval_, [this] { on_timer_a(); });
}

void ClientInviteTransaction::on_timer_b() {
  if (state_ == State::calling) terminate(EndReason::timeout);
}

void ClientInviteTransaction::on_timer_d() {
  if (state_ == State::completed) terminate(EndReason::completed);
}

void ClientInviteTransaction::on_timer_m() {
  if (state_ == State::accepted) terminate(EndReason::completed);
}

void ClientInviteTransaction::on_response(const sip::Message& response) {
  const int code = response.status_code();
  switch (state_) {
    case State::calling:
    case State::proceeding:
      // Any response stops retransmissions; Timer B only guards Calling
      // (§17.1.1.2): once the INVITE is answered provisionally the TU decides
      // how long to wait (Expires, CANCEL).
      timer_a_.cancel();
      timer_b_.cancel();
      if (code < 200) {
        state_ = State::proceeding;
      } else if (code < 300) {
        state_ = State::accepted;
        timer_m_ = env_.start_timer(config_.timer_m(), [this] { on_timer_m(); });
      } else {
        state_ = State::completed;
        if (auto ack = build_non2xx_ack(request_, response)) {
          ack_ = std::move(*ack);
          send(*ack_, target_);
        }
        timer_d_ = env_.start_timer(config_.timer_d(sip::is_reliable(target_.transport)),
                                    [this] { on_timer_d(); });
      }
      if (callbacks_.on_response) callbacks_.on_response(response);
      return;
    case State::completed:
      // A retransmitted final response: our ACK was lost (§17.1.1.2).
      if (code >= 300 && ack_) {
        send(*ack_, target_);
        ++retransmissions_;
      }
      return;
    case State::accepted:
      // RFC 6026 §8.4: 2xx retransmissions and forked 2xx go to the TU.
      if (code >= 200 && code < 300 && callbacks_.on_response) callbacks_.on_response(response);
      return;
    case State::terminated:
      return;
  }
}

void ClientInviteTransaction::on_transport_error(sip::TransportError error) {
  // Figure 5: Calling and Completed end on a transport error. Proceeding is
  // included because a lost connection (RST) means the final response can no
  // longer arrive on it; Accepted sends nothing and is left alone.
  if (state_ == State::calling || state_ == State::proceeding || state_ == State::completed) {
    terminate(end_reason(error));
  }
}

void ClientInviteTransaction::terminate(EndReason reason) {
  state_ = State::terminated;
  timer_a_.cancel();
  timer_b_.cancel();
  timer_d_.cancel();
  timer_m_.cancel();
  end(reason, callbacks_.on_terminated);
}

}  // namespace sipline::txn

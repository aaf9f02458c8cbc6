#include "txn/client_non_invite.hpp"

#include <utility>

namespace sipline::txn {

std::string_view to_string(ClientNonInviteTransaction::State state) noexcept {
  using State = ClientNonInviteTransaction::State;
  switch (state) {
    case State::trying:
      return "Trying";
    case State::proceeding:
      return "Proceeding";
    case State::completed:
      return "Completed";
    case State::terminated:
      return "Terminated";
  }
  return "Terminated";
}

ClientNonInviteTransaction::ClientNonInviteTransaction(TransactionEnv& env, TransactionId id,
                                                       sip::Message request, sip::Target target,
                                                       const TimerConfig& config,
                                                       ClientCallbacks callbacks)
    : ClientTransaction(env, id, std::move(request), std::move(target), config,
                        std::move(callbacks)) {}

std::string_view ClientNonInviteTransaction::state_name() const noexcept {
  return to_string(state_);
}

void ClientNonInviteTransaction::start() {
  send(request_, target_);
  // §17.1.2.2: Timer E only over unreliable transports; Timer F always.
  if (!sip::is_reliable(target_.transport)) {
    interval_ = config_.timer_e();
    timer_e_ = env_.start_timer(interval_, [this] { on_timer_e(); });
  } else if (config_.retransmit_budget) {
    // Reliable: no retransmissions, but the same silence budget in time.
    timer_e_ = env_.start_timer(budget_deadline(config_, *config_.retransmit_budget, true),
                                [this] { on_silence_deadline(); });
  }
  timer_f_ = env_.start_timer(config_.timer_f(), [this] { on_timer_f(); });
}

void ClientNonInviteTransaction::on_timer_e() {
  if (state_ != State::trying && state_ != State::proceeding) return;
  // The budget only covers silence: once anything was heard (Proceeding) the
  // server is alive and Timer F alone decides.
  const auto& budget = config_.retransmit_budget;
  if (state_ == State::trying && budget && retransmissions_ >= *budget) {
    terminate(EndReason::timeout);
    return;
  }
  send(request_, target_);
  ++retransmissions_;
  interval_ = state_ == State::proceeding ? config_.t2 : next_interval(interval_, config_, true);
  timer_e_ = env_.start_timer(interval_, [this] { on_timer_e(); });
}

void ClientNonInviteTransaction::on_silence_deadline() {
  // Like the budget over UDP, only silence counts: a provisional response
  // means the server is alive and Timer F alone decides.
  if (state_ == State::trying) terminate(EndReason::timeout);
}

void ClientNonInviteTransaction::on_timer_f() {
  if (state_ == State::trying || state_ == State::proceeding) terminate(EndReason::timeout);
}

void ClientNonInviteTransaction::on_timer_k() {
  if (state_ == State::completed) terminate(EndReason::completed);
}

void ClientNonInviteTransaction::on_response(const sip::Message& response) {
  if (state_ != State::trying && state_ != State::proceeding) return;  // Completed absorbs
  if (response.status_code() < 200) {
    state_ = State::proceeding;
  } else {
    state_ = State::completed;
    timer_e_.cancel();
    timer_f_.cancel();
    // §17.1.2.2: Timer K absorbs retransmitted final responses; zero over
    // reliable transports.
    timer_k_ = env_.start_timer(config_.timer_k(sip::is_reliable(target_.transport)),
                                [this] { on_timer_k(); });
  }
  if (callbacks_.on_response) callbacks_.on_response(response);
}

void ClientNonInviteTransaction::on_transport_error(sip::TransportError error) {
  // Figure 6: a transport error counts only while the request is outstanding.
  if (state_ == State::trying || state_ == State::proceeding) terminate(end_reason(error));
}

void ClientNonInviteTransaction::terminate(EndReason reason) {
  state_ = State::terminated;
  timer_e_.cancel();
  timer_f_.cancel();
  timer_k_.cancel();
  end(reason, callbacks_.on_terminated);
}

}  // namespace sipline::txn

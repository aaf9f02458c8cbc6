#include "txn/server_non_invite.hpp"

#include <utility>

namespace sipline::txn {

std::string_view to_string(ServerNonInviteTransaction::State state) noexcept {
  using State = ServerNonInviteTransaction::State;
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

ServerNonInviteTransaction::ServerNonInviteTransaction(TransactionEnv& env, TransactionId id,
                                                       sip::Message request,
                                                       sip::Target response_target,
                                                       const TimerConfig& config,
                                                       ServerCallbacks callbacks)
    : ServerTransaction(env, id, std::move(request), std::move(response_target), config,
                        std::move(callbacks)) {}

std::string_view ServerNonInviteTransaction::state_name() const noexcept {
  return to_string(state_);
}

void ServerNonInviteTransaction::start() {
  tu_deadline_ = env_.start_timer(config_.timer_f(), [this] { on_tu_deadline(); });
}

void ServerNonInviteTransaction::on_request(const sip::Message& /*request*/) {
  // §17.2.2: discarded in Trying, answered with the last response after.
  if (state_ == State::proceeding || state_ == State::completed) resend_last_response();
}

Result<void> ServerNonInviteTransaction::respond(sip::Message response) {
  if (!response.is_response()) return fail(Errc::malformed, "not a response");
  if (state_ != State::trying && state_ != State::proceeding) {
    return fail(Errc::invalid_state, "the transaction already sent its final response");
  }
  if (response.status_code() < 200) {
    state_ = State::proceeding;
    send_response(std::move(response));
    return ok();
  }
  state_ = State::completed;
  tu_deadline_.cancel();
  send_response(std::move(response));
  // §17.2.2: Timer J is 64*T1 over unreliable transports, zero otherwise.
  timer_j_ = env_.start_timer(config_.timer_j(reliable()), [this] { on_timer_j(); });
  return ok();
}

void ServerNonInviteTransaction::on_timer_j() {
  if (state_ == State::completed) terminate(EndReason::completed);
}

void ServerNonInviteTransaction::on_tu_deadline() {
  if (state_ == State::trying || state_ == State::proceeding) terminate(EndReason::timeout);
}

void ServerNonInviteTransaction::on_transport_error(sip::TransportError error) {
  // Figure 8: only states that have sent something can fail to send.
  if (state_ == State::proceeding || state_ == State::completed) terminate(end_reason(error));
}

void ServerNonInviteTransaction::terminate(EndReason reason) {
  state_ = State::terminated;
  timer_j_.cancel();
  tu_deadline_.cancel();
  end(reason, callbacks_.on_terminated);
}

}  // namespace sipline::txn

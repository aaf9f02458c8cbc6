#include "txn/server_invite.hpp"

#include <utility>

#include "sip/builder.hpp"

namespace sipline::txn {

std::string_view to_string(ServerInviteTransaction::State state) noexcept {
  using State = ServerInviteTransaction::State;
  switch (state) {
    case State::proceeding:
      return "Proceeding";
    case State::completed:
      return "Completed";
    case State::confirmed:
      return "Confirmed";
    case State::accepted:
      return "Accepted";
    case State::terminated:
      return "Terminated";
  }
  return "Terminated";
}

ServerInviteTransaction::ServerInviteTransaction(TransactionEnv& env, TransactionId id,
                                                 sip::Message request, sip::Target response_target,
                                                 const TimerConfig& config,
                                                 ServerCallbacks callbacks)
    : ServerTransaction(env, id, std::move(request), std::move(response_target), config,
                        std::move(callbacks)) {}

std::string_view ServerInviteTransaction::state_name() const noexcept {
  return to_string(state_);
}

void ServerInviteTransaction::start() {
  trying_ = env_.start_timer(config_.trying_delay, [this] { on_trying_timer(); });
}

void ServerInviteTransaction::send_trying() {
  trying_.cancel();
  // §8.2.6.2: a 100 may go without a To tag; choosing the tag is the TU's job.
  if (auto trying = sip::response_to(request_, 100).build()) send_response(std::move(*trying));
}

void ServerInviteTransaction::on_trying_timer() {
  if (state_ == State::proceeding && !last_response_) send_trying();
}

void ServerInviteTransaction::on_request(const sip::Message& request) {
  if (request.method() == sip::Method::ack) {
    if (state_ == State::completed) {
      state_ = State::confirmed;
      timer_g_.cancel();
      timer_h_.cancel();
      // §17.2.1: Timer I absorbs ACK retransmissions; zero over reliable transports.
      timer_i_ = env_.start_timer(config_.timer_i(reliable()), [this] { on_timer_i(); });
    } else if (state_ == State::accepted && callbacks_.on_ack) {
      callbacks_.on_ack(request);  // RFC 6026 §8.7
    }
    return;
  }
  switch (state_) {
    case State::proceeding:
      // Retransmitted INVITE: repeat the last provisional response, or send
      // the 100 Trying now if even that has not gone out yet.
      if (last_response_) {
        resend_last_response();
      } else {
        send_trying();
      }
      return;
    case State::completed:
      resend_last_response();
      return;
    case State::confirmed:
    case State::accepted:  // RFC 6026 §8.7: absorbed, not passed to the TU
    case State::terminated:
      return;
  }
}

Result<void> ServerInviteTransaction::respond(sip::Message response) {
  if (!response.is_response()) return fail(Errc::malformed, "not a response");
  const int code = response.status_code();
  if (state_ == State::accepted) {
    // RFC 6026 §8.7: the TU retransmits its 2xx through the transaction.
    if (code < 200 || code >= 300) {
      return fail(Errc::invalid_state, "only 2xx may follow a 2xx");
    }
    send_response(std::move(response));
    return ok();
  }
  if (state_ != State::proceeding) {
    return fail(Errc::invalid_state, "the transaction already sent its final response");
  }
  trying_.cancel();
  if (code < 200) {
    send_response(std::move(response));
  } else if (code < 300) {
    state_ = State::accepted;
    send_response(std::move(response));
    timer_l_ = env_.start_timer(config_.timer_l(), [this] { on_timer_l(); });
  } else {
    state_ = State::completed;
    send_response(std::move(response));
    if (!reliable()) {
      interval_ = config_.timer_g();
      timer_g_ = env_.start_timer(interval_, [this] { on_timer_g(); });
    }
    timer_h_ = env_.start_timer(config_.timer_h(), [this] { on_timer_h(); });
  }
  return ok();
}

void ServerInviteTransaction::on_timer_g() {
  if (state_ != State::completed) return;
  resend_last_response();
  interval_ = next_interval(interval_, config_, true);
  timer_g_ = env_.start_timer(interval_, [this] { on_timer_g(); });
}

void ServerInviteTransaction::on_timer_h() {
  // §17.2.1: the ACK never came.
  if (state_ == State::completed) terminate(EndReason::timeout);
}

void ServerInviteTransaction::on_timer_i() {
  if (state_ == State::confirmed) terminate(EndReason::completed);
}

void ServerInviteTransaction::on_timer_l() {
  if (state_ == State::accepted) terminate(EndReason::completed);
}

void ServerInviteTransaction::on_transport_error(sip::TransportError error) {
  // Figure 7 (and RFC 6026 Figure 7 for Accepted): states that send end on a
  // transport error; Confirmed sends nothing.
  if (state_ == State::proceeding || state_ == State::completed || state_ == State::accepted) {
    terminate(end_reason(error));
  }
}

void ServerInviteTransaction::terminate(EndReason reason) {
  state_ = State::terminated;
  trying_.cancel();
  timer_g_.cancel();
  timer_h_.cancel();
  timer_i_.cancel();
  timer_l_.cancel();
  end(reason, callbacks_.on_terminated);
}

}  // namespace sipline::txn

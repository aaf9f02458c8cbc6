#include "txn/transaction.hpp"

#include <utility>

namespace sipline::txn {

void TransactionBase::send(const sip::Message& message, const sip::Target& target) {
  const sip::SendResult result = env_.send(message, target);
  if (result.ok() || ended_ || send_error_timer_.armed()) return;
  pending_error_ = *result.error;
  send_error_timer_ = env_.start_timer(Duration::zero(), [this] { deliver_send_error(); });
}

void TransactionBase::deliver_send_error() {
  if (!ended_) on_transport_error(pending_error_);
}

void TransactionBase::end(EndReason reason, const std::function<void(EndReason)>& notify) {
  if (ended_) return;
  ended_ = true;
  send_error_timer_.cancel();
  env_.ended(id_);
  if (notify) notify(reason);
}

ClientTransaction::ClientTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                                     sip::Target target, const TimerConfig& config,
                                     ClientCallbacks callbacks)
    : TransactionBase(env, id, config),
      request_(std::move(request)),
      target_(std::move(target)),
      callbacks_(std::move(callbacks)) {}

ServerTransaction::ServerTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                                     sip::Target response_target, const TimerConfig& config,
                                     ServerCallbacks callbacks)
    : TransactionBase(env, id, config),
      request_(std::move(request)),
      target_(std::move(response_target)),
      callbacks_(std::move(callbacks)) {}

void ServerTransaction::send_response(sip::Message response) {
  last_response_ = std::move(response);
  send(*last_response_, target_);
}

void ServerTransaction::resend_last_response() {
  if (!last_response_) return;
  send(*last_response_, target_);
  ++retransmissions_;
}

}  // namespace sipline::txn

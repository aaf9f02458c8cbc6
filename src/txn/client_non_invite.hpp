#pragma once
// Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
//
//   Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
//   Trying --200-699--> Completed
//   Trying/Proceeding --Timer F, budget spent, transport error--> Terminated
//
// Over unreliable transports Timer E retransmits the request at T1, 2T1, ...
// capped at T2, and every T2 once in Proceeding.

#include <cstdint>
#include <string_view>

#include "txn/transaction.hpp"

namespace sipline::txn {

class ClientNonInviteTransaction final : public ClientTransaction {
 public:
  enum class State : std::uint8_t { trying, proceeding, completed, terminated };

  ClientNonInviteTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                             sip::Target target, const TimerConfig& config,
                             ClientCallbacks callbacks);

  // Sends the request and arms Timers E and F.
  void start() override;
  void on_response(const sip::Message& response) override;
  void on_transport_error(sip::TransportError error) override;

  State state() const noexcept { return state_; }
  std::string_view state_name() const noexcept override;

 private:
  void on_timer_e();
  void on_silence_deadline();
  void on_timer_f();
  void on_timer_k();
  void terminate(EndReason reason);

  State state_ = State::trying;
  Duration interval_{};
  runtime::Timer timer_e_;  // retransmission
  runtime::Timer timer_f_;  // transaction timeout
  runtime::Timer timer_k_;  // response absorption
};

std::string_view to_string(ClientNonInviteTransaction::State state) noexcept;

}  // namespace sipline::txn

#pragma once
// Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
//
//   Trying --1xx from TU--> Proceeding --200-699 from TU--> Completed
//   Trying --200-699 from TU--> Completed --Timer J--> Terminated
//   Proceeding/Completed --transport error--> Terminated
//
// Retransmitted requests are absorbed in Trying and answered with the last
// response afterwards. A TU that never answers would keep the transaction
// forever; after 64*T1 the client has given up (its Timer F), so the
// transaction ends then with EndReason::timeout.

#include <cstdint>
#include <string_view>

#include "txn/transaction.hpp"

namespace sipline::txn {

class ServerNonInviteTransaction final : public ServerTransaction {
 public:
  enum class State : std::uint8_t { trying, proceeding, completed, terminated };

  ServerNonInviteTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                             sip::Target response_target, const TimerConfig& config,
                             ServerCallbacks callbacks);

  void start() override;
  void on_request(const sip::Message& request) override;
  Result<void> respond(sip::Message response) override;
  void on_transport_error(sip::TransportError error) override;

  State state() const noexcept { return state_; }
  std::string_view state_name() const noexcept override;

 private:
  void on_timer_j();
  void on_tu_deadline();
  void terminate(EndReason reason);

  State state_ = State::trying;
  runtime::Timer timer_j_;      // absorbs request retransmissions after the final response
  runtime::Timer tu_deadline_;  // the TU must answer before the client gives up
};

std::string_view to_string(ServerNonInviteTransaction::State state) noexcept;

}  // namespace sipline::txn

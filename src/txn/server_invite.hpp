#pragma once
// INVITE server transaction (RFC 3261 §17.2.1, Figure 7, as amended by
// RFC 6026 §8.5-§8.7, Figure 7).
//
//   Proceeding --1xx from TU--> Proceeding
//   Proceeding --2xx from TU--> Accepted --Timer L--> Terminated
//   Proceeding --300-699 from TU--> Completed --ACK--> Confirmed --Timer I--> Terminated
//   Completed --Timer H (no ACK)--> Terminated (timeout)
//
// 100 Trying goes out when the TU has not answered within 200 ms. Timer G
// retransmits a non-2xx final response over unreliable transports (T1,
// doubling, capped at T2). In Accepted, the TU's own 2xx retransmissions
// (§13.3.1.4) are sent, INVITE retransmissions are absorbed and ACKs are
// passed up.

#include <cstdint>
#include <string_view>

#include "txn/transaction.hpp"

namespace sipline::txn {

class ServerInviteTransaction final : public ServerTransaction {
 public:
  enum class State : std::uint8_t { proceeding, completed, confirmed, accepted, terminated };

  ServerInviteTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                          sip::Target response_target, const TimerConfig& config,
                          ServerCallbacks callbacks);

  void start() override;
  void on_request(const sip::Message& request) override;
  Result<void> respond(sip::Message response) override;
  void on_transport_error(sip::TransportError error) override;

  State state() const noexcept { return state_; }
  std::string_view state_name() const noexcept override;

 private:
  void send_trying();
  void on_trying_timer();
  void on_timer_g();
  void on_timer_h();
  void on_timer_i();
  void on_timer_l();
  void terminate(EndReason reason);

  State state_ = State::proceeding;
  Duration interval_{};
  runtime::Timer trying_;   // 100 Trying if the TU is slow
  runtime::Timer timer_g_;  // final response retransmission
  runtime::Timer timer_h_;  // wait for the ACK
  runtime::Timer timer_i_;  // absorb ACK retransmissions
  runtime::Timer timer_l_;  // absorb INVITE retransmissions after a 2xx (RFC 6026)
};

std::string_view to_string(ServerInviteTransaction::State state) noexcept;

}  // namespace sipline::txn

#pragma once
// INVITE client transaction (RFC 3261 §17.1.1, Figure 5, as amended by
// RFC 6026 §8.4, Figure 5).
//
//   Calling --1xx--> Proceeding
//   Calling/Proceeding --2xx--> Accepted --Timer M--> Terminated
//   Calling/Proceeding --300-699, send ACK--> Completed --Timer D--> Terminated
//   Calling --Timer B, budget spent, transport error--> Terminated
//
// Over unreliable transports Timer A retransmits the INVITE at T1, 2T1, 4T1...
// (no T2 cap) while in Calling. The ACK for a non-2xx final response is built
// and sent here (§17.1.1.3); the ACK for a 2xx belongs to the TU (§13.2.2.4),
// which sees every 2xx while the transaction is Accepted.

#include <cstdint>
#include <optional>
#include <string_view>

#include "txn/transaction.hpp"

namespace sipline::txn {

class ClientInviteTransaction final : public ClientTransaction {
 public:
  enum class State : std::uint8_t { calling, proceeding, completed, accepted, terminated };

  ClientInviteTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                          sip::Target target, const TimerConfig& config, ClientCallbacks callbacks);

  // Sends the INVITE and arms Timers A and B.
  void start() override;
  void on_response(const sip::Message& response) override;
  void on_transport_error(sip::TransportError error) override;

  State state() const noexcept { return state_; }
  std::string_view state_name() const noexcept override;
  // The ACK sent for a non-2xx final response, once there is one.
  const std::optional<sip::Message>& ack() const noexcept { return ack_; }

 private:
  void on_timer_a();
  void on_timer_b();
  void on_timer_d();
  void on_timer_m();
  void terminate(EndReason reason);

  State state_ = State::calling;
  Duration interval_{};
  std::optional<sip::Message> ack_;
  runtime::Timer timer_a_;  // retransmission
  runtime::Timer timer_b_;  // transaction timeout
  runtime::Timer timer_d_;  // absorbs retransmitted non-2xx final responses
  runtime::Timer timer_m_;  // absorbs 2xx retransmissions and forks (RFC 6026)
};

std::string_view to_string(ClientInviteTransaction::State state) noexcept;

// The ACK for a non-2xx final response (§17.1.1.3): the INVITE's Request-URI,
// top Via, Route set, From, Call-ID and CSeq number, and the response's To.
Result<sip::Message> build_non2xx_ack(const sip::Message& invite, const sip::Message& response);

}  // namespace sipline::txn

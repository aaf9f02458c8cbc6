#pragma once
// What the four RFC 3261 §17 machines have in common: identity, how they end,
// the callbacks they raise, and the environment they run in.
//
// A transaction never does I/O and never reads a clock. It sends through, and
// starts timers with, a TransactionEnv (the TransactionLayer in production,
// a small fixture in tests). Every transaction ends exactly once, and says so
// through on_terminated with the reason.

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "runtime/clock.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "txn/timer_config.hpp"

namespace sipline::txn {

// Unique per TransactionLayer, never reused. The TU holds ids, not pointers,
// so a transaction that already ended cannot be reached by mistake.
enum class TransactionId : std::uint64_t {};

enum class EndReason : std::uint8_t {
  completed,  // ran its course (final response exchanged, absorbing timer ran out)
  timeout,    // client: Timer B/F or the retransmission budget, no final response;
              // server: Timer H (no ACK) or the TU never answered
  refused,    // the transport reported the error of the same name
  unreachable,
  reset,
  tls_failure,
};

constexpr EndReason end_reason(sip::TransportError error) noexcept {
  switch (error) {
    case sip::TransportError::refused:
      return EndReason::refused;
    case sip::TransportError::unreachable:
      return EndReason::unreachable;
    case sip::TransportError::reset:
      return EndReason::reset;
    case sip::TransportError::tls_failure:
      return EndReason::tls_failure;
    case sip::TransportError::timeout:
      return EndReason::timeout;
  }
  return EndReason::unreachable;
}

constexpr std::string_view to_string(EndReason reason) noexcept {
  switch (reason) {
    case EndReason::completed:
      return "completed";
    case EndReason::timeout:
      return "timeout";
    case EndReason::refused:
      return "refused";
    case EndReason::unreachable:
      return "unreachable";
    case EndReason::reset:
      return "reset";
    case EndReason::tls_failure:
      return "tls_failure";
  }
  return "completed";
}

// Raised by a client transaction towards the TU that started it.
struct ClientCallbacks {
  // Every response the TU must see: provisional ones, the final one, and for
  // INVITE every 2xx (retransmissions and forks, RFC 6026 §8.4). Response
  // retransmissions absorbed by the machine are not passed on.
  std::function<void(const sip::Message& response)> on_response;
  std::function<void(EndReason)> on_terminated;
};

// Raised by a server transaction. The request that created it is handed to
// the TU by whoever created it (the TransactionLayer).
struct ServerCallbacks {
  // An ACK that the TU must see: one received by an INVITE server transaction
  // in the Accepted state (RFC 6026 §8.7).
  std::function<void(const sip::Message& ack)> on_ack;
  std::function<void(EndReason)> on_terminated;
};

class TransactionEnv {
 public:
  virtual ~TransactionEnv() = default;
  virtual runtime::Timer start_timer(Duration delay, std::function<void()> fn) = 0;
  virtual sip::SendResult send(const sip::Message& message, const sip::Target& target) = 0;
  // The transaction has reached Terminated. Called once, before its
  // on_terminated callback, from inside one of the transaction's own methods:
  // the owner must not destroy it before that method returns.
  virtual void ended(TransactionId id) = 0;
};

// Behaviour shared by the machines: sending with deferred error handling and
// ending exactly once.
class TransactionBase {
 public:
  TransactionBase(const TransactionBase&) = delete;
  TransactionBase& operator=(const TransactionBase&) = delete;
  virtual ~TransactionBase() = default;

  TransactionId id() const noexcept { return id_; }
  bool terminated() const noexcept { return ended_; }
  const TimerConfig& timers() const noexcept { return config_; }
  // Messages handed to the transport again because of a timer or a
  // retransmitted request (not counting the first send of each message).
  unsigned retransmissions() const noexcept { return retransmissions_; }

  virtual std::string_view state_name() const noexcept = 0;
  // An error the transport reported for this transaction's destination.
  virtual void on_transport_error(sip::TransportError error) = 0;

 protected:
  TransactionBase(TransactionEnv& env, TransactionId id, const TimerConfig& config)
      : env_(env), id_(id), config_(config) {}

  // Sends `message`. An error the transport reports synchronously is handled
  // on the next turn of the loop, through on_transport_error, so that no
  // callback ever runs inside the TU call that caused the send.
  void send(const sip::Message& message, const sip::Target& target);
  // Marks the transaction ended, tells the owner, then the TU. Idempotent.
  void end(EndReason reason, const std::function<void(EndReason)>& notify);

  TransactionEnv& env_;
  TransactionId id_;
  TimerConfig config_;
  unsigned retransmissions_ = 0;

 private:
  void deliver_send_error();

  bool ended_ = false;
  sip::TransportError pending_error_ = sip::TransportError::unreachable;
  runtime::Timer send_error_timer_;
};

// A client transaction: created by the TU with a request and a destination.
class ClientTransaction : public TransactionBase {
 public:
  // Sends the request and arms the machine's timers. Called once.
  virtual void start() = 0;
  // A response whose top Via branch and CSeq method match (§17.1.3).
  virtual void on_response(const sip::Message& response) = 0;

  const sip::Message& request() const noexcept { return request_; }
  const sip::Target& target() const noexcept { return target_; }

 protected:
  ClientTransaction(TransactionEnv& env, TransactionId id, sip::Message request, sip::Target target,
                    const TimerConfig& config, ClientCallbacks callbacks);

  sip::Message request_;
  sip::Target target_;
  ClientCallbacks callbacks_;
};

// A server transaction: created by a received request; answered by the TU.
class ServerTransaction : public TransactionBase {
 public:
  // Arms the machine's timers. Called once, right after construction.
  virtual void start() = 0;
  // A request that matched this transaction (§17.2.3): a retransmission of
  // the one that created it, or for INVITE its ACK.
  virtual void on_request(const sip::Message& request) = 0;
  // A response from the TU. Fails with Errc::invalid_state when the machine
  // cannot send it in its current state.
  virtual Result<void> respond(sip::Message response) = 0;

  const sip::Message& request() const noexcept { return request_; }
  // Where responses go (RFC 3261 §18.2.2, RFC 3581).
  const sip::Target& response_target() const noexcept { return target_; }
  // The most recent response sent, which answers retransmitted requests.
  const std::optional<sip::Message>& last_response() const noexcept { return last_response_; }

 protected:
  ServerTransaction(TransactionEnv& env, TransactionId id, sip::Message request,
                    sip::Target response_target, const TimerConfig& config,
                    ServerCallbacks callbacks);

  // Sends `response` and remembers it for retransmitted requests.
  void send_response(sip::Message response);
  // Sends the last response again.
  void resend_last_response();
  bool reliable() const noexcept { return sip::is_reliable(target_.transport); }

  sip::Message request_;
  sip::Target target_;
  ServerCallbacks callbacks_;
  std::optional<sip::Message> last_response_;
};

}  // namespace sipline::txn

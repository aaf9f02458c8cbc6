#pragma once
// reg::RequestSender over the transaction layer: what registration (and the
// other out-of-dialog requests of an account) needs from the stack below.
// It completes the request for the wire (top Via with a fresh branch and
// ;rport, Max-Forwards), runs it as a client transaction with the account's
// retransmission budget and turns the way the transaction ended into a
// reg::RequestOutcome.

#include <cstdint>
#include <functional>
#include <memory>

#include "reg/request_sender.hpp"
#include "runtime/clock.hpp"
#include "sip/target.hpp"
#include "transport/flow_keeper.hpp"
#include "transport/transport.hpp"
#include "txn/timer_config.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::ua {

// The top Via value for a request leaving from `local` (RFC 3261 §18.1.1:
// transport and sent-by; §8.1.1.7: the branch; RFC 3581 §3: an empty rport
// asks the server to tell us the source port it saw).
// With `offer_keep`, a `keep` parameter offers keep-alives (RFC 6223 §4.1).
std::string via_value(const sip::Target& local, std::string_view branch, bool offer_keep = false);

class TxnRequestSender final : public reg::RequestSender {
 public:
  // `timers` is the base timer configuration (T1, T2, T4 from the settings);
  // each request gets a copy with its own retransmission budget. The layer,
  // the transport and the timer service must outlive the sender, and the
  // sender every PendingRequest it handed out.
  TxnRequestSender(txn::TransactionLayer& layer, transport::Transport& transport,
                   runtime::TimerService& clock, txn::TimerConfig timers = {});
  ~TxnRequestSender() override;
  TxnRequestSender(const TxnRequestSender&) = delete;
  TxnRequestSender& operator=(const TxnRequestSender&) = delete;

  reg::LocalAddress local_address(const sip::Target& target) override;

  std::unique_ptr<reg::PendingRequest> send(sip::MessageBuilder request, const sip::Target& target,
                                            int retransmit_budget,
                                            std::function<void(reg::RequestOutcome)> done) override;
  std::unique_ptr<reg::PendingRequest> send_with_options(
      sip::MessageBuilder request, const sip::Target& target, int retransmit_budget,
      const reg::SendOptions& options, std::function<void(reg::RequestOutcome)> done) override;

  // Keep-alive and failure watch of a registration's flow, by the FlowKeeper.
  std::unique_ptr<reg::FlowWatch> watch_flow(const sip::Target& target,
                                             const reg::FlowKeepAlive& keepalive,
                                             std::function<void(reg::FlowLoss)> lost) override;

  // The owner feeds it the transport's errors and STUN datagrams.
  transport::FlowKeeper& flow_keeper() noexcept { return keeper_; }

  // Requests started and not yet finished or abandoned.
  std::size_t in_flight() const noexcept { return *in_flight_; }

 private:
  class Pending;
  class Watch;

  txn::TransactionLayer& layer_;
  transport::Transport& transport_;
  runtime::TimerService& clock_;
  txn::TimerConfig timers_;
  std::shared_ptr<std::size_t> in_flight_;
  transport::FlowKeeper keeper_;
};

}  // namespace sipline::ua

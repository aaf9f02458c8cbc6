#include "ua/txn_request_sender.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "sip/header_id.hpp"

namespace sipline::ua {

namespace {

// Max-Forwards for requests we originate (RFC 3261 §8.1.1.6).
constexpr std::string_view max_forwards = "70";

std::string host_for_header(const std::string& address) {
  // An IPv6 reference goes in brackets in sent-by (RFC 3261 §25.1).
  if (address.find(':') != std::string::npos) return "[" + address + "]";
  return address;
}

reg::RequestOutcome transport_outcome(sip::TransportError error) {
  reg::RequestOutcome outcome;
  outcome.transport_error = error;
  return outcome;
}

std::optional<sip::TransportError> transport_error_of(txn::EndReason reason) {
  switch (reason) {
    case txn::EndReason::refused:
      return sip::TransportError::refused;
    case txn::EndReason::unreachable:
      return sip::TransportError::unreachable;
    case txn::EndReason::reset:
      return sip::TransportError::reset;
    case txn::EndReason::tls_failure:
      return sip::TransportError::tls_failure;
    case txn::EndReason::completed:
    case txn::EndReason::timeout:
      break;
  }
  return std::nullopt;
}

// What the callbacks of one transaction and its handle share. The callbacks
// keep it alive after the handle is gone (a non-INVITE transaction lingers
// in Completed for Timer K after its final response).
struct State {
  std::function<void(reg::RequestOutcome)> done;
  std::optional<txn::TransactionId> id;
  runtime::Timer deferred;  // a failure found inside send(), reported later
  bool finished = false;
  std::shared_ptr<std::size_t> in_flight;

  void finish(reg::RequestOutcome outcome) {
    if (finished) return;
    finished = true;
    --*in_flight;
    auto callback = std::move(done);
    done = nullptr;
    if (callback) callback(std::move(outcome));
  }
};

}  // namespace

std::string via_value(const sip::Target& local, std::string_view branch, bool offer_keep) {
  std::string via = "SIP/2.0/";
  via += sip::to_string(local.transport);
  via += ' ';
  via += host_for_header(local.address);
  if (local.port != 0) {
    via += ':';
    via += std::to_string(local.port);
  }
  via += ";branch=";
  via += branch;
  via += ";rport";
  if (offer_keep) via += ";keep";
  return via;
}

class TxnRequestSender::Watch final : public reg::FlowWatch {
 public:
  Watch(transport::FlowKeeper& keeper, std::uint64_t id) : keeper_(keeper), id_(id) {}
  ~Watch() override { keeper_.unwatch(id_); }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

 private:
  transport::FlowKeeper& keeper_;
  std::uint64_t id_;
};

class TxnRequestSender::Pending final : public reg::PendingRequest {
 public:
  Pending(txn::TransactionLayer& layer, std::shared_ptr<State> state)
      : layer_(layer), state_(std::move(state)) {}

  // Abandons the transaction: nothing more is sent and `done` is not called.
  ~Pending() override {
    state_->deferred.cancel();
    if (state_->finished) return;
    state_->finished = true;
    --*state_->in_flight;
    state_->done = nullptr;
    if (state_->id) (void)layer_.abandon(*state_->id);
  }
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;

 private:
  txn::TransactionLayer& layer_;
  std::shared_ptr<State> state_;
};

TxnRequestSender::TxnRequestSender(txn::TransactionLayer& layer, transport::Transport& transport,
                                   runtime::TimerService& clock, txn::TimerConfig timers)
    : layer_(layer),
      transport_(transport),
      clock_(clock),
      timers_(timers),
      in_flight_(std::make_shared<std::size_t>(0)),
      // Jitter seed: a branch is random (RFC 3261 §8.1.1.7).
      keeper_(transport, clock,
              static_cast<std::uint32_t>(std::hash<std::string>{}(layer.new_branch()))) {}

TxnRequestSender::~TxnRequestSender() = default;

reg::LocalAddress TxnRequestSender::local_address(const sip::Target& target) {
  reg::LocalAddress local;
  local.transport = target.transport;
  auto address = transport_.local_address_for(target);
  if (address) {
    local.host = address->address;
    local.port = address->port;
  }
  // Without a socket for that transport the host stays empty; the send that
  // follows fails at the transport and is reported as such.
  return local;
}

std::unique_ptr<reg::FlowWatch> TxnRequestSender::watch_flow(
    const sip::Target& target, const reg::FlowKeepAlive& keepalive,
    std::function<void(reg::FlowLoss)> lost) {
  transport::FlowProbe probe;
  switch (keepalive.method) {
    case reg::FlowKeepAlive::Method::none:
      probe.method = transport::FlowProbe::Method::none;
      break;
    case reg::FlowKeepAlive::Method::crlf:
      probe.method = transport::FlowProbe::Method::crlf;
      break;
    case reg::FlowKeepAlive::Method::stun:
      probe.method = transport::FlowProbe::Method::stun;
      break;
  }
  probe.interval = keepalive.interval;
  probe.pong_timeout = keepalive.pong_timeout;
  const std::uint64_t id =
      keeper_.watch(target, probe, [lost = std::move(lost)](const transport::FlowEvent& event) {
        reg::FlowLoss loss;
        if (event.kind == transport::FlowEvent::Kind::rebound) {
          loss.rebinding = true;
          loss.reason = "STUN mapped address is now " + event.mapped.address + ":" +
                        std::to_string(event.mapped.port);
        } else {
          loss.kind = event.keepalive ? reg::FailureKind::keepalive_lost
                                      : reg::failure_kind_of(event.failure.reason);
          loss.reason = transport::describe(event.failure);
        }
        if (lost) lost(loss);
      });
  return std::make_unique<Watch>(keeper_, id);
}

std::unique_ptr<reg::PendingRequest> TxnRequestSender::send(
    sip::MessageBuilder request, const sip::Target& target, int retransmit_budget,
    std::function<void(reg::RequestOutcome)> done) {
  return send_with_options(std::move(request), target, retransmit_budget, reg::SendOptions{},
                           std::move(done));
}

std::unique_ptr<reg::PendingRequest> TxnRequestSender::send_with_options(
    sip::MessageBuilder request, const sip::Target& target, int retransmit_budget,
    const reg::SendOptions& options, std::function<void(reg::RequestOutcome)> done) {
  auto state = std::make_shared<State>();
  state->done = std::move(done);
  state->in_flight = in_flight_;
  ++*in_flight_;
  auto handle = std::make_unique<Pending>(layer_, state);

  // Reported on the next turn: `done` never runs inside send().
  auto fail_later = [&](sip::TransportError error) {
    std::weak_ptr<State> weak = state;
    state->deferred = clock_.start(runtime::Duration::zero(), [weak, error] {
      if (auto s = weak.lock()) s->finish(transport_outcome(error));
    });
  };

  auto local = transport_.local_address_for(target);
  if (!local) {
    fail_later(sip::TransportError::unreachable);
    return handle;
  }
  request.prepend(sip::HeaderId::via, via_value(*local, layer_.new_branch(), options.offer_keep));
  request.set(sip::HeaderId::max_forwards, max_forwards);
  auto message = request.build();
  if (!message) {
    // A request we cannot render never leaves; to the policy it is a target
    // that cannot be reached.
    fail_later(sip::TransportError::unreachable);
    return handle;
  }

  txn::TimerConfig timers = timers_;
  // Vendors' retry_counts: 0-20 retransmissions (txn/timer_config.hpp).
  timers.retransmit_budget = static_cast<std::uint8_t>(
      std::clamp(retransmit_budget, 0, int{txn::TimerConfig::max_retransmit_budget}));

  txn::ClientCallbacks callbacks;
  std::weak_ptr<State> weak = state;
  callbacks.on_response = [weak](const sip::Message& response) {
    // The outcome is the first final response; provisional ones only keep
    // the transaction waiting (§17.1.2.2). Later 2xx to an INVITE are the
    // dialog's business, not this request's.
    if (response.status_code() < 200) return;
    auto s = weak.lock();
    if (!s) return;
    reg::RequestOutcome outcome;
    outcome.response = response;
    s->finish(std::move(outcome));
  };
  callbacks.on_terminated = [weak, transport = &transport_, target](txn::EndReason reason) {
    auto s = weak.lock();
    if (!s || s->finished) return;
    reg::RequestOutcome outcome;
    if (auto error = transport_error_of(reason)) {
      outcome.transport_error = *error;
    } else {
      // Timer B/F, or the retransmission budget ran out without a response.
      outcome.timed_out = true;
      // A silent stream: the next request (a probe, the failback) must open
      // a new connection instead of queueing behind this dead one.
      if (sip::is_reliable(target.transport)) transport->close_flow(target);
    }
    s->finish(std::move(outcome));
  };

  auto id = layer_.send_request(std::move(*message), target, std::move(callbacks), timers);
  if (!id) {
    fail_later(sip::TransportError::unreachable);
    return handle;
  }
  state->id = *id;
  return handle;
}

}  // namespace sipline::ua

#include "transport/flow_keeper.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

namespace sipline::transport {
namespace {

// RFC 5389 §7.2.1: the first retransmission after RTO (500 ms), doubling.
constexpr auto initial_rto = std::chrono::milliseconds(500);

bool same_flow(const sip::Target& a, const sip::Target& b) {
  return a.transport == b.transport && a.port == b.port && a.address == b.address;
}

std::string seconds_text(runtime::Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

FlowKeeper::FlowKeeper(Transport& transport, runtime::TimerService& timers, std::uint32_t seed)
    : transport_(transport), timers_(timers), rng_(seed) {}

FlowKeeper::~FlowKeeper() {
  for (auto& [id, w] : watches_) {
    if (w.probe.method == FlowProbe::Method::crlf && !w.dead) transport_.stop_keepalive(w.flow);
  }
}

std::uint64_t FlowKeeper::watch(const sip::Target& flow, const FlowProbe& probe, Handler handler) {
  const std::uint64_t id = next_id_++;
  Watch& w = watches_[id];
  w.flow = flow;
  w.probe = probe;
  w.handler = std::move(handler);
  const bool pings = probe.interval > runtime::Duration::zero();
  if (probe.method == FlowProbe::Method::crlf && pings) {
    auto started = transport_.start_keepalive(flow, probe.interval);
    if (!started) {
      // No connection any more: the flow is already gone. Reported from a
      // timer, never from inside watch().
      const std::string why = started.error().message;
      w.ping_timer = timers_.start(runtime::Duration::zero(), [this, id, why] {
        fail(id, {sip::TransportError::reset, why}, false);
      });
    }
  } else if (probe.method == FlowProbe::Method::stun && pings) {
    schedule_stun(id);
  }
  return id;
}

void FlowKeeper::unwatch(std::uint64_t id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  const Watch& w = it->second;
  if (w.probe.method == FlowProbe::Method::crlf && !w.dead) {
    // Another watch of the same connection keeps it pinging.
    const bool shared = std::any_of(watches_.begin(), watches_.end(), [&](const auto& other) {
      return other.first != id && !other.second.dead &&
             other.second.probe.method == FlowProbe::Method::crlf &&
             same_flow(other.second.flow, w.flow);
    });
    if (!shared) transport_.stop_keepalive(w.flow);
  }
  watches_.erase(it);
}

void FlowKeeper::on_transport_error(const sip::Target& target, const TransportFailure& failure) {
  // A stream that fails its pong reports TransportError::timeout.
  const bool keepalive = failure.reason == sip::TransportError::timeout;
  std::vector<std::uint64_t> hit;
  for (const auto& [id, w] : watches_) {
    if (!w.dead && same_flow(w.flow, target)) hit.push_back(id);
  }
  // Handlers may unwatch (any watch): look each one up again.
  for (std::uint64_t id : hit) fail(id, failure, keepalive);
}

void FlowKeeper::on_stun(std::span<const std::uint8_t> datagram, const sip::Target& source,
                         const sip::Target& /*local*/) {
  auto message = stun::decode(datagram);
  if (!message || message->method != stun::binding_method) return;
  if (message->message_class != stun::Class::success &&
      message->message_class != stun::Class::error) {
    return;
  }
  for (auto& [id, w] : watches_) {
    if (w.dead || !w.outstanding || *w.outstanding != message->transaction) continue;
    if (!same_flow(w.flow, source)) continue;
    // Any answer, even an error response, shows the server is there.
    w.outstanding.reset();
    w.retransmit_timer.cancel();
    w.deadline_timer.cancel();
    if (message->message_class != stun::Class::success || !message->mapped) return;
    const bool changed = w.mapped.has_value() && *w.mapped != *message->mapped;
    w.mapped = message->mapped;
    if (changed) {
      FlowEvent event;
      event.kind = FlowEvent::Kind::rebound;
      event.mapped = *message->mapped;
      const Handler handler = w.handler;  // the handler may unwatch
      if (handler) handler(event);
    }
    return;
  }
}

void FlowKeeper::fail(std::uint64_t id, TransportFailure failure, bool keepalive) {
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.dead) return;
  Watch& w = it->second;
  w.dead = true;
  w.ping_timer.cancel();
  w.retransmit_timer.cancel();
  w.deadline_timer.cancel();
  w.outstanding.reset();
  FlowEvent event;
  event.kind = FlowEvent::Kind::failed;
  event.failure = std::move(failure);
  event.keepalive = keepalive;
  const Handler handler = w.handler;
  if (handler) handler(event);
}

void FlowKeeper::schedule_stun(std::uint64_t id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  it->second.ping_timer =
      timers_.start(jittered(it->second.probe.interval), [this, id] { send_stun(id); });
}

void FlowKeeper::send_stun(std::uint64_t id) {
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.dead) return;
  Watch& w = it->second;
  // An unanswered request keeps its deadline; the next one does not extend it.
  if (!w.outstanding) {
    stun::TransactionId transaction{};
    for (auto& byte : transaction) byte = static_cast<std::uint8_t>(rng_() & 0xFF);
    w.outstanding = transaction;
    w.rto = initial_rto;
    const runtime::Duration timeout = w.probe.pong_timeout > runtime::Duration::zero()
                                          ? w.probe.pong_timeout
                                          : runtime::Duration(std::chrono::seconds(10));
    w.deadline_timer = timers_.start(timeout, [this, id, timeout] {
      fail(id,
           {sip::TransportError::timeout,
            "keep-alive: no STUN answer within " + seconds_text(timeout)},
           true);
    });
    transmit(id);
  }
  schedule_stun(id);
}

void FlowKeeper::transmit(std::uint64_t id) {
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.dead || !it->second.outstanding) return;
  Watch& w = it->second;
  const auto request = stun::binding_request(*w.outstanding);
  ++stun_sent_;
  const SendOutcome sent = transport_.send_bytes(
      std::string_view(reinterpret_cast<const char*>(request.data()), request.size()), w.flow);
  (void)sent;  // an immediate failure leaves the deadline to report it
  // Retransmit over UDP (RFC 5389 §7.2.1), doubling, until the deadline.
  w.retransmit_timer = timers_.start(w.rto, [this, id] {
    auto again = watches_.find(id);
    if (again == watches_.end()) return;
    again->second.rto *= 2;
    transmit(id);
  });
}

runtime::Duration FlowKeeper::jittered(runtime::Duration interval) {
  // RFC 5626 §4.4: 80-100 % of the interval, so a fleet does not ping in step.
  std::uniform_real_distribution<double> fraction(0.8, 1.0);
  const auto scaled = std::chrono::duration<double, runtime::Duration::period>(
      static_cast<double>(interval.count()) * fraction(rng_));
  return std::max(std::chrono::duration_cast<runtime::Duration>(scaled),
                  runtime::Duration(std::chrono::milliseconds(1)));
}

}  // namespace sipline::transport

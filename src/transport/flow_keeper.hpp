#pragma once
// Watches the flows registrations depend on and keeps them alive while idle
// (RFC 5626 §4.4): on TCP/TLS it runs the connection's CRLF ping/pong
// (Transport::start_keepalive), on UDP it sends STUN Binding requests itself
// (§4.4.2) and matches the answers by transaction id; it reports a flow
// that fails (closed or reset by the peer, an ICMP error, no pong, no STUN
// answer) and a STUN mapping that changed (NAT rebinding). Sans-I/O over the
// Transport interface and a TimerService, so it runs on a ManualClock with a
// fake transport in tests.
//
// The owner feeds it the transport's upward events: on_transport_error()
// from TransportEvents and on_stun() as the StunHandler.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>

#include "runtime/clock.hpp"
#include "sip/target.hpp"
#include "transport/stun_codec.hpp"
#include "transport/transport.hpp"

namespace sipline::transport {

struct FlowProbe {
  enum class Method : std::uint8_t { none, crlf, stun };
  Method method = Method::none;
  runtime::Duration interval{};      // pings every 80-100 % of this
  runtime::Duration pong_timeout{};  // STUN: answer deadline (CRLF: the session's 10 s)
};

struct FlowEvent {
  enum class Kind : std::uint8_t {
    failed,   // the flow is dead; `failure` says how (timeout = no pong/answer)
    rebound,  // STUN reports a new mapped address; `mapped` is it
  };
  Kind kind = Kind::failed;
  TransportFailure failure;
  bool keepalive = false;  // failed because a ping went unanswered
  stun::MappedAddress mapped;
};

class FlowKeeper final : public StunHandler {
 public:
  using Handler = std::function<void(const FlowEvent&)>;

  FlowKeeper(Transport& transport, runtime::TimerService& timers, std::uint32_t seed);
  ~FlowKeeper() override;
  FlowKeeper(const FlowKeeper&) = delete;
  FlowKeeper& operator=(const FlowKeeper&) = delete;

  // Starts watching `flow`; `handler` is never called from inside watch()
  // and never after unwatch(). After a `failed` event the watch is inert.
  std::uint64_t watch(const sip::Target& flow, const FlowProbe& probe, Handler handler);
  void unwatch(std::uint64_t id);

  // Fed by the transport's owner.
  void on_transport_error(const sip::Target& target, const TransportFailure& failure);
  void on_stun(std::span<const std::uint8_t> datagram, const sip::Target& source,
               const sip::Target& local) override;

  std::size_t watching() const noexcept { return watches_.size(); }
  // STUN Binding requests sent (first transmissions and retransmissions).
  std::uint64_t stun_requests_sent() const noexcept { return stun_sent_; }

 private:
  struct Watch {
    sip::Target flow;
    FlowProbe probe;
    Handler handler;
    bool dead = false;
    runtime::Timer ping_timer;
    runtime::Timer retransmit_timer;
    runtime::Timer deadline_timer;
    runtime::Duration rto{};
    std::optional<stun::TransactionId> outstanding;
    std::optional<stun::MappedAddress> mapped;
  };

  void fail(std::uint64_t id, TransportFailure failure, bool keepalive);
  void schedule_stun(std::uint64_t id);
  void send_stun(std::uint64_t id);
  void transmit(std::uint64_t id);
  runtime::Duration jittered(runtime::Duration interval);

  Transport& transport_;
  runtime::TimerService& timers_;
  std::minstd_rand rng_;
  std::map<std::uint64_t, Watch> watches_;
  std::uint64_t next_id_ = 1;
  std::uint64_t stun_sent_ = 0;
};

}  // namespace sipline::transport

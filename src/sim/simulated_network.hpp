#pragma once
// The network of `sipline simulate`: a transport::Transport on virtual time
// behind which every configured server is a minimal registrar. The real
// transaction layer sends through it, so retransmissions, Timer E/F and the
// retry_counts budget run exactly as over real sockets; only the far side is
// simulated.
//
// A server in its normal state answers REGISTER with 200 granting the
// requested lifetimes (Contact ;expires, else Expires, else 3600; a binding
// asked with 0 is removed and not listed, RFC 3261 §10.3) and any other
// request (OPTIONS keep-alives and probes) with 200. Faults change that for
// the requests received afterwards:
//   refuse      nothing listens: each send is answered by ICMP port
//               unreachable (UDP) or a RST (TCP/TLS), reported as
//               TransportError::refused on the next instant
//   blackhole   every request vanishes
//   503 [S]     503 Service Unavailable, with Retry-After S when given
//   reject CODE that final status
// A request to an address no server has is refused (nothing listens there).
// Answers arrive after `latency` (zero by default: the same instant).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/clock.hpp"
#include "sim/fault_script.hpp"
#include "sip/builder.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "transport/transport.hpp"

namespace sipline::sim {

class SimulatedNetwork final : public transport::Transport {
 public:
  // `local`: the address our requests leave from (Via sent-by, Contact).
  SimulatedNetwork(runtime::TimerService& timers, std::string local_address,
                   std::uint16_t local_port, runtime::Duration latency = runtime::Duration::zero());
  ~SimulatedNetwork() override;
  SimulatedNetwork(const SimulatedNetwork&) = delete;
  SimulatedNetwork& operator=(const SimulatedNetwork&) = delete;

  // Adds a server listening on `target` (address, port, transport); returns
  // its index. Adding the same target twice returns the first index.
  std::size_t add_server(const sip::Target& target);
  std::size_t server_count() const noexcept { return servers_.size(); }
  const sip::Target& server_target(std::size_t index) const { return servers_.at(index).target; }
  void set_fault(std::size_t index, Fault fault) { servers_.at(index).fault = fault; }
  const Fault& fault(std::size_t index) const { return servers_.at(index).fault; }

  // Requests a server received, per method ("REGISTER", "OPTIONS"...),
  // retransmissions included.
  std::size_t received(std::size_t index, std::string_view method) const;

  // --- transport::Transport ---
  void set_events(transport::TransportEvents* events) override { events_ = events; }
  transport::SendOutcome send_bytes(std::string_view bytes, const sip::Target& to) override;
  sip::SendResult send(const sip::Message& message, const sip::Target& to) override;
  Result<void> start_keepalive(const sip::Target& flow, runtime::Duration interval) override;
  void stop_keepalive(const sip::Target& flow) override { (void)flow; }
  Result<sip::Target> local_address_for(const sip::Target& to) const override;
  // The host's address changes: requests leave from `address` from now on.
  void set_local_address(std::string address) { local_address_ = std::move(address); }

 private:
  struct Server {
    sip::Target target;
    Fault fault;
    std::map<std::string, std::size_t, std::less<>> received;
    std::uint64_t responses = 0;
  };

  Server* find(const sip::Target& to);
  void handle(Server& server, const sip::Message& request);
  sip::MessageBuilder registrar_reply(Server& server, const sip::Message& request);
  // Runs `fn` after `latency_` on the timer service.
  void later(std::function<void()> fn);

  runtime::TimerService& timers_;
  std::string local_address_;
  std::uint16_t local_port_;
  runtime::Duration latency_;
  transport::TransportEvents* events_ = nullptr;
  std::vector<Server> servers_;
  std::map<std::uint64_t, runtime::Timer> deliveries_;
  std::uint64_t next_delivery_ = 1;
};

}  // namespace sipline::sim

#pragma once
// `sipline simulate`: the real redundancy engines of a configuration, on
// virtual time, against simulated servers that follow a fault script.
//
// What is real: config normalisation (the caller loads the file as `sipline
// run` does), reg::RedundancyEngine, the registration client, and the RFC
// 3261 transaction layer with the account's timers and retry_counts budget
// over ua::TxnRequestSender, exactly as the daemon wires them. What is
// simulated: the network and the servers (sim::SimulatedNetwork), DNS
// (sim::SimulatedLocator), and the clock (runtime::ManualClock), so an hour
// runs in milliseconds and every run with the same seed prints the same
// timeline.
//
// Time: offset 0 is when the engines start. Script steps at an instant run
// before the engines' own timers due at the same instant.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/settings.hpp"
#include "reg/events.hpp"
#include "runtime/manual_clock.hpp"
#include "sim/fault_script.hpp"
#include "sim/simulated_network.hpp"

namespace sipline::sim {

struct SimulationOptions {
  std::uint64_t seed = 1;  // jitter, surge-prevention delay, Call-IDs and branches
  runtime::Duration latency = runtime::Duration::zero();  // one way, every server
};

// One line of the timeline.
struct TimelineEntry {
  enum class Kind : std::uint8_t {
    event,         // a registration event of an engine
    fault,         // a script step changed a server's behaviour
    call_started,  // a script call began: where its INVITE would go
    call_ended,
    address_changed,  // a script step changed the host's own address (`detail`)
  };
  Kind kind = Kind::event;
  runtime::Duration offset{};
  reg::Event event;     // event
  std::string account;  // event, call_*
  std::string server;   // fault: the server's URI; call_*: the server the INVITE uses, or empty
  std::string detail;   // fault: "refuse"; call_started: "via 198.51.100.1:5060/udp" or why none
};

// A simulated server: one place the configuration sends requests to.
struct SimServer {
  std::string uri;     // as in events: the configured entry, e.g. "sip:pbx1.example.com:5060"
  std::string host;    // the configured host name or address
  sip::Target target;  // its simulated address
};

// The virtual time after the last step the simulation runs for when the
// script has no `end`: the longest interval at which a configuration acts on
// its own (registration lifetime, retry interval, successive-mode fallback
// timeout, the failback of each server's mode: failback_timeout for
// duration, probe_interval x good_probes + min_dwell for monitor, the 300 s
// simulated TTL for DNSTTL; the outbound proxy fallback interval of a
// failover pair), at least 1 min, at most 1 h.
runtime::Duration default_tail(const config::Settings& settings);

class Simulator {
 public:
  using Sink = std::function<void(const TimelineEntry&)>;

  // Checks the script against the configuration: server names, call
  // accounts ("SCRIPT:LINE: reason", Errc::invalid_argument), and that there
  // is an enabled account.
  static Result<std::unique_ptr<Simulator>> create(config::Settings settings, FaultScript script,
                                                   SimulationOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Runs the whole simulation, reporting every entry in time order. Once.
  void run(const Sink& sink);

  // Where run() stops: the script's `end`, else the last step plus
  // default_tail() (and never before the last call has ended).
  runtime::Duration end() const;
  const std::vector<SimServer>& servers() const;
  const SimulatedNetwork& network() const;
  const runtime::ManualClock& clock() const;

 private:
  struct Impl;
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipline::sim

#pragma once
// The real `sipline run` daemon as the end-to-end tests see it: a child
// process in its own group whose stdout (`--events json`, one object per
// line) is read by a thread, and whose control socket is queried with the
// real `sipline status --json`. Nothing here links the library: the tests
// drive the program only through its command line, events and control socket.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace sipline::testing::kamailio {

// One account of the generated configuration, primary server first.
struct AccountSpec {
  struct Server {
    std::string address;
    std::uint16_t port = 0;
    Transport transport = Transport::udp;
  };
  std::string name = "alice";
  std::string user = "alice";
  std::string password;
  std::string domain = "sipline.test";
  std::vector<Server> servers;
  int retry_counts = 3;  // retransmission budget per target
  std::uint32_t registration_timeout = 30;
  std::uint32_t probe_interval = 2;  // monitor-mode failback probing
  std::uint32_t good_probes = 1;
  std::uint32_t min_dwell = 0;
  std::uint32_t keepalive_interval = 5;  // notices a dead server while idle
  std::string keepalive_kind;            // empty: options on UDP, crlf on TCP
  std::uint32_t pong_timeout = 0;        // STUN answer deadline; 0: the default
  // The [network] table (address watching); nothing is written when both
  // are unset, so the daemon's defaults apply.
  std::optional<bool> network_watch;
  std::optional<std::uint32_t> network_settle_ms;
};

// The native TOML configuration for `spec` (docs/configuration.md keys).
std::string render_toml(const AccountSpec& spec);

struct DaemonEvent {
  nlohmann::json json;
  std::string type;
  std::string account;
  std::string server;  // empty when null
  std::string reason;  // empty when null
  WallTime time;       // the event's own "time" (RFC 3339), else when read
  WallTime received;   // when the line was read from stdout
};

// Parses "2026-12-01T23:05:50.123Z" or with a numeric offset.
std::optional<WallTime> parse_rfc3339(const std::string& text);

// How the daemon process is started.
struct DaemonOptions {
  // --listen. "0.0.0.0:0" binds no address, so the Contact follows the
  // route's source address toward the server.
  std::string listen = "127.0.0.1:0";
  // Empty: this process's network namespace; else `ip netns exec NAME`.
  std::string netns;
};

class Daemon {
 public:
  // Writes `config` under `dir`, starts `binary run` on it with a control
  // socket and JSON events, listening on 127.0.0.1 with an ephemeral port
  // unless `options` say otherwise.
  static std::unique_ptr<Daemon> start(const std::string& binary, const std::string& config,
                                       const std::filesystem::path& dir, std::string& error,
                                       const DaemonOptions& options = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  using Predicate = std::function<bool(const DaemonEvent&)>;
  // The first event at index >= `from` that matches, waiting up to
  // `timeout`; its index goes to `index` when given.
  std::optional<DaemonEvent> wait_for(const Predicate& match, std::chrono::milliseconds timeout,
                                      std::size_t from = 0, std::size_t* index = nullptr);
  std::vector<DaemonEvent> events() const;
  std::size_t event_count() const;
  // "type server reason" per event, for failure messages.
  std::string timeline() const;

  // `sipline status --json` against this daemon's control socket.
  std::optional<nlohmann::json> status_json(std::string* raw = nullptr) const;

  // SIGTERM, then the exit status (nullopt if it did not exit in time).
  std::optional<int> terminate(std::chrono::milliseconds timeout);
  bool running() { return process_ && process_->running(); }
  std::string log_tail(std::size_t lines = 30) const;
  const std::filesystem::path& control() const { return control_; }

 private:
  Daemon() = default;
  void read_events(int fd);

  std::string binary_;
  std::filesystem::path control_;
  std::filesystem::path log_;
  std::optional<Process> process_;
  int out_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<DaemonEvent> events_;
  std::vector<std::string> garbage_;  // stdout lines that were not JSON
  std::thread reader_;
};

// Event predicates.
Daemon::Predicate is_event(std::string type);
Daemon::Predicate is_event_at(std::string type, std::string hostport);

}  // namespace sipline::testing::kamailio

#pragma once
// Real registrars for the failover integration tests: Kamailio instances with
// digest authentication, each on its own loopback address and ephemeral port,
// plus the faults the tests inject into them.
//
// - Registrar: one Kamailio (registrar.cfg beside this file) in the
//   foreground, in a process group of its own, with its own runtime dir, pid
//   file, db_text subscriber table and control socket. stop() SIGKILLs the
//   whole group: Kamailio forks workers, and killing only the main process
//   leaves them serving. The kernel then answers ICMP port unreachable (UDP)
//   and RST (TCP): the "refused" fault.
// - Blackhole: an nftables table of our own whose input chain drops UDP and
//   TCP to one address:port, so requests vanish without an answer. Only our
//   table is ever deleted.
// - PacketWatch: an AF_PACKET socket on `lo` that timestamps the first packet
//   the UA sends to a registrar after a fault, i.e. the first request that
//   fails, so failover times are measured from it and not from the moment the
//   fault was injected (which may be long before the UA notices).

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "child_process.hpp"

namespace sipline::testing::kamailio {

using namespace std::chrono_literals;
using WallTime = std::chrono::system_clock::time_point;

enum class Transport : std::uint8_t { udp, tcp };
std::string_view to_string(Transport transport) noexcept;
// gtest prints parameters with this: "udp" instead of a byte dump.
inline void PrintTo(Transport transport, std::ostream* out) {
  *out << to_string(transport);
}

// A temporary directory removed with everything in it.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "sipline-kam");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A child in a process group of its own; the whole group is killed and
// reaped when the object goes away (tests/integration/common).
using Process = ::sipline::testing::ChildProcess;

// Runs a command to completion (bounded); returns its stdout when it exited 0.
std::optional<std::string> run_capture(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout = 10s,
                                       const std::filesystem::path& cwd = {});

// Full path of an installed program, or empty. Also looks in /usr/sbin and
// /sbin, where Debian puts kamailio and nft.
std::string find_program(const std::string& name);

// Letters and digits from /dev/urandom: generated test passwords (no ':',
// which db_text uses as its column separator).
std::string random_alnum(std::size_t length);

// SIPLINE_IT_VERBOSE=1: tests print their timelines, bindings and logs
// when they pass too, not only when they fail.
bool verbose_requested();

// Appends one measured run to $SIPLINE_FAILOVER_REPORT (JSON lines, read by
// scripts/bench-failover); does nothing when the variable is unset.
void report_measure(const std::string& fault, Transport transport, std::string_view measure,
                    double ms);

// ASCII lower case, for case-insensitive searches in logs and reasons.
std::string lower(std::string s);

// A port free for both UDP and TCP on `address` a moment ago.
std::optional<std::uint16_t> free_port(const std::string& address);

// True when UDP address:port is bound by some socket now (a bind fails).
bool udp_port_held(const std::string& address, std::uint16_t port);

// True when a TCP connection to address:port is accepted now.
bool tcp_accepts(const std::string& address, std::uint16_t port);

// Runs `fn` on a thread of its own that has entered the network namespace
// /run/netns/`netns` (setns(2) moves only the calling thread), so sockets it
// opens live there; false when the namespace cannot be entered. An empty
// name runs `fn` on the calling thread.
bool run_in_netns(const std::string& netns, const std::function<void()>& fn);

struct Subscriber {
  std::string user;
  std::string password;
};

struct RegistrarOptions {
  std::string name = "registrar";
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port free for UDP and TCP
  std::string realm_domain = "sipline.test";
  std::vector<Subscriber> subscribers;
  // Empty: this process's network namespace. Otherwise Kamailio runs under
  // `ip netns exec NAME` and `address` is one of that namespace's; the
  // control socket is a path, so kamcmd reaches it from here all the same.
  std::string netns;
};

// One binding in Kamailio's location table (ul.dump).
struct Binding {
  std::string aor;
  std::string contact;
  std::string expires;  // seconds left, or Kamailio's word ("expired", "deleted")
  std::string call_id;
  std::string instance;
  std::string socket;  // "udp:127.0.0.2:40123"
  bool live() const;   // expires is a positive number or "permanent"
};

class Registrar {
 public:
  // Starts Kamailio under `dir` and waits until it accepts TCP and answers
  // on its control socket. On failure, `error` says why (with the log tail).
  static std::unique_ptr<Registrar> start(RegistrarOptions options,
                                          const std::filesystem::path& dir, std::string& error);
  ~Registrar() { stop(); }
  Registrar(const Registrar&) = delete;
  Registrar& operator=(const Registrar&) = delete;

  // The refused fault: SIGKILL the group (workers included) and reap it.
  void stop() noexcept;
  // Starts again on the same address and port, with an empty location table.
  bool restart(std::string& error);
  bool running();

  const std::string& address() const { return options_.address; }
  std::uint16_t port() const { return options_.port; }
  const std::string& name() const { return options_.name; }
  std::string hostport() const;  // "127.0.0.2:40123"
  const std::filesystem::path& log() const { return log_; }
  std::string log_tail(std::size_t lines = 20) const;

  // The location table, through `kamcmd ul.dump` on the control socket;
  // nullopt when kamcmd fails (e.g. the registrar is stopped).
  std::optional<std::vector<Binding>> bindings() const;
  // Live bindings for `user`; 0 when the registrar is not running.
  std::optional<std::size_t> live_bindings(const std::string& user) const;
  // The live bindings of `user` themselves; nullopt when kamcmd fails.
  std::optional<std::vector<Binding>> live_bindings_of(const std::string& user) const;

 private:
  Registrar(RegistrarOptions options, std::filesystem::path dir);
  bool launch(std::string& error);
  std::string control_uri() const;

  RegistrarOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path log_;
  std::optional<Process> process_;
};

// One line per binding (AOR, Contact, expires, socket), for failure messages.
std::string describe(const std::vector<Binding>& bindings);

// Parses `kamcmd ul.dump` output (exposed for the harness's own tests).
std::vector<Binding> parse_ul_dump(const std::string& text);

// The blackhole fault, in an nftables table owned by this object.
class Blackhole {
 public:
  // Creates the (empty) table; nullptr with `error` set when nftables is not
  // available or not permitted here.
  static std::unique_ptr<Blackhole> create(std::string& error);
  ~Blackhole();
  Blackhole(const Blackhole&) = delete;
  Blackhole& operator=(const Blackhole&) = delete;

  // Drops UDP and TCP to address:port from now on.
  bool drop(const std::string& address, std::uint16_t port);
  // Removes every drop rule (the table stays until destruction).
  bool restore();
  const std::string& table() const { return table_; }

 private:
  explicit Blackhole(std::string table) : table_(std::move(table)) {}
  std::string table_;
};

// Timestamps packets sent to one address:port on the loopback interface.
class PacketWatch {
 public:
  // nullptr with `error` set when a packet socket cannot be opened.
  static std::unique_ptr<PacketWatch> start(const std::string& address, std::uint16_t port,
                                            Transport transport, std::string& error);
  ~PacketWatch();
  PacketWatch(const PacketWatch&) = delete;
  PacketWatch& operator=(const PacketWatch&) = delete;

  // Forgets what was seen; first() then reports packets from now on.
  void arm();
  // The first request-carrying packet (UDP datagram; TCP SYN or segment with
  // payload) seen since arm(), by the kernel's receive timestamp.
  std::optional<WallTime> first() const;

 private:
  PacketWatch(int fd, std::uint32_t address, std::uint16_t port, Transport transport);
  void run();

  int fd_;
  std::uint32_t address_;  // network order
  std::uint16_t port_;
  Transport transport_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::optional<WallTime> first_;
  WallTime armed_at_ = std::chrono::system_clock::now();
  std::thread thread_;
};

// Milliseconds between two wall-clock instants, as a double.
double ms_between(WallTime from, WallTime to);

}  // namespace sipline::testing::kamailio

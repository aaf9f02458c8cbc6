#pragma once
// Helpers for the loopback integration tests: child processes that are always
// killed (ChildProcess, shared with the Kamailio tests), temporary directories, ephemeral ports, a
// throwaway certificate authority, and an event recorder for the transport.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"  // tests/integration/common
#include "runtime/event_loop.hpp"
#include "sip/message.hpp"
#include "sip/target.hpp"
#include "transport/socket_transport.hpp"
#include "transport/transport.hpp"

namespace sipline::testing {

using namespace std::chrono_literals;

// A temporary directory removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a command to completion (bounded); returns true on exit status 0.
bool run_command(const std::vector<std::string>& argv, const std::filesystem::path& log,
                 std::chrono::milliseconds timeout = 30s);

// Full path of an installed program, or empty.
std::string find_program(const std::string& name);

// A port that was free a moment ago (bound to port 0, then released). Another
// process could take it before it is used: a small race, acceptable on a
// test machine with an ephemeral range of tens of thousands of ports.
std::uint16_t free_port(sip::TransportKind kind, const std::string& address = "127.0.0.1");

// True once some process has bound `port` (our own bind then fails).
bool port_taken(sip::TransportKind kind, std::uint16_t port,
                const std::string& address = "127.0.0.1");

// A throwaway CA and server certificates made with the openssl CLI.
struct Certificates {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;  // subjectAltName DNS:sip.test, IP:127.0.0.1
  std::filesystem::path server_key;
  std::filesystem::path uri_cert;  // subjectAltName URI:sip:uri-only.test only
  std::filesystem::path uri_key;
};
std::optional<Certificates> make_certificates(const std::filesystem::path& dir);

// A request with the mandatory headers (RFC 3261 §8.1.1), unique per `tag`.
std::string request_text(std::string_view method, const sip::Target& to, const sip::Target& via,
                         std::string_view tag);
sip::Message request_message(std::string_view method, const sip::Target& to, const sip::Target& via,
                             std::string_view tag);

// Records what the transport reports, optionally answering requests with 200.
class Recorder : public transport::TransportEvents {
 public:
  struct Received {
    sip::Message message;
    sip::Target source;
    sip::Target local;
  };
  struct Failure {
    sip::Target target;
    transport::TransportFailure failure;
    std::chrono::steady_clock::time_point at;
  };

  // When set, every request is answered 200 OK through this transport.
  transport::Transport* answer_with = nullptr;

  void on_message(sip::Message message, const sip::Target& source,
                  const sip::Target& local) override;
  void on_transport_error(const sip::Target& target,
                          const transport::TransportFailure& failure) override;
  void on_keepalive_pong(const sip::Target& target) override { pongs.push_back(target); }

  std::size_t requests() const;
  std::size_t responses() const;

  std::vector<Received> messages;
  std::vector<Failure> failures;
  std::vector<sip::Target> pongs;
};

// Prints "[ measured ] <key>: <ms> ms" and records it as a test property
// (in the XML report), so that the figures a test asserts are also visible.
void report_ms(const std::string& key, std::chrono::steady_clock::duration d);

// A started SocketTransport on loopback with the given listeners.
std::unique_ptr<transport::SocketTransport> start_transport(runtime::EventLoop& loop,
                                                            transport::TransportOptions options,
                                                            Recorder& recorder);

// The bound address of the given kind.
sip::Target bound(const transport::SocketTransport& transport, sip::TransportKind kind);

}  // namespace sipline::testing

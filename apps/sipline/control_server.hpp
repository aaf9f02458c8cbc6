#pragma once
// The daemon's control socket: a Unix domain stream socket speaking JSON
// lines. Each request is one object {"token": any, "command": "...", ...};
// each answer is one object with the same token:
//   {"token": T, "type": "response", "ok": true, "result": {...}}
//   {"token": T, "type": "response", "ok": false, "error": "..."}
// and, after a successful "events" command, one line per event:
//   {"token": T, "type": "event", "event": {...}}
// Commands: status, events, register/unregister (with "account"), reload,
// call ("uri", optional "account"), answer and hangup (optional "call").
// Everything runs on the event loop thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.hpp"
#include "runtime/event_loop.hpp"

namespace sipline::app {

struct ControlHandlers {
  std::function<nlohmann::json()> status;
  // register (true) or unregister (false) one account.
  std::function<Result<nlohmann::json>(const std::string& account, bool enable)> registration;
  std::function<Result<nlohmann::json>()> reload;
  // Calls: from `account` (empty: the first) to `uri`; answer or hang up
  // `call` (empty: the handler picks the default call).
  std::function<Result<nlohmann::json>(const std::string& account, const std::string& uri)> call;
  std::function<Result<nlohmann::json>(const std::string& call)> answer;
  std::function<Result<nlohmann::json>(const std::string& call)> hangup;
  // Event stream: the sink gets each event as its JSON object.
  std::function<std::uint64_t(std::function<void(const nlohmann::json&)>)> subscribe;
  std::function<void(std::uint64_t)> unsubscribe;
};

// The answer to one request line; `subscribe_events` is set when the command
// asked for the event stream and succeeded. Exposed for tests.
struct ControlReply {
  nlohmann::json response;
  bool subscribe_events = false;
};
ControlReply handle_control_line(const std::string& line, const ControlHandlers& handlers);

class ControlServer {
 public:
  // Binds `path` (mode 0600). A stale socket left by a dead daemon is
  // replaced; a live one, or any other file at `path`, is an error.
  static Result<std::unique_ptr<ControlServer>> start(runtime::EventLoop& loop, std::string path,
                                                      ControlHandlers handlers);
  // Closes every session and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const noexcept;
  std::size_t sessions() const noexcept;

  struct Impl;

 private:
  explicit ControlServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// $XDG_RUNTIME_DIR/sipline.sock, else /tmp/sipline-$UID.sock.
std::string default_control_path();

}  // namespace sipline::app

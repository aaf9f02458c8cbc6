#include "control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "exit_codes.hpp"
#include "render.hpp"

namespace sipline::app {

namespace {

using nlohmann::json;

// A reply to a one-shot command comes at once; this bounds a daemon that
// accepted the connection but hangs.
constexpr int reply_timeout_ms = 10000;
constexpr std::size_t max_line = 16 << 20;

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool open(const std::string& path, std::string& error) {
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
      error = "control socket path too long: " + path;
      return false;
    }
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error = std::strerror(errno);
      return false;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {  // NOLINT
      error = "no sipline daemon at " + path + ": " + std::strerror(errno);
      return false;
    }
    return true;
  }

  bool send_line(const std::string& line) {
    std::string data = line + "\n";
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // The next line; nullopt at EOF, on error or after `timeout_ms` (-1: none).
  std::optional<std::string> read_line(int timeout_ms) {
    for (;;) {
      const std::size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      if (buffer_.size() > max_line) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string buffer_;
};

// Sends `request` and returns the response with its token.
std::optional<json> request(Connection& c, json request, std::ostream& err) {
  const std::string token = "cli-" + std::to_string(::getpid());
  request["token"] = token;
  if (!c.send_line(request.dump())) {
    err << "sipline: control socket: cannot send the command\n";
    return std::nullopt;
  }
  for (;;) {
    auto line = c.read_line(reply_timeout_ms);
    if (!line) {
      err << "sipline: control socket: no answer from the daemon\n";
      return std::nullopt;
    }
    json reply = json::parse(*line, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) continue;
    if (reply.value("type", "") == "response" && reply.value("token", json()) == token) {
      return reply;
    }
  }
}

std::optional<json> connect_and_ask(const std::string& path, json command, Connection& c,
                                    std::ostream& err) {
  std::string error;
  if (!c.open(path, error)) {
    err << "sipline: " << error << '\n';
    return std::nullopt;
  }
  return request(c, std::move(command), err);
}

}  // namespace

int status_command(const StatusOptions& options, std::ostream& out, std::ostream& err) {
  Connection c;
  auto reply = connect_and_ask(options.control_path, json{{"command", "status"}}, c, err);
  if (!reply) return exit_failure;
  if (!reply->value("ok", false)) {
    err << "sipline: " << reply->value("error", std::string("the daemon refused")) << '\n';
    return exit_failure;
  }
  const json& result = (*reply)["result"];
  if (options.json) {
    out << result.dump(2) << '\n';
  } else {
    out << status_table(result.contains("accounts") ? result["accounts"] : json::array());
  }
  return exit_ok;
}

int events_command(const std::string& control_path, std::ostream& out, std::ostream& err) {
  Connection c;
  auto reply = connect_and_ask(control_path, json{{"command", "events"}}, c, err);
  if (!reply) return exit_failure;
  if (!reply->value("ok", false)) {
    err << "sipline: " << reply->value("error", std::string("the daemon refused")) << '\n';
    return exit_failure;
  }
  const json token = (*reply)["token"];
  // Bounded by the daemon: the stream ends when it closes the socket.
  for (;;) {
    auto line = c.read_line(-1);
    if (!line) return exit_ok;
    json message = json::parse(*line, nullptr, false);
    if (message.is_discarded() || !message.is_object()) continue;
    if (message.value("type", "") != "event" || message.value("token", json()) != token) continue;
    out << message["event"].dump() << std::endl;
  }
}

int simple_command(const std::string& control_path, const std::string& command,
                   const std::string& account, std::ostream& out, std::ostream& err) {
  json request_object{{"command", command}};
  if (!account.empty()) request_object["account"] = account;
  return json_command(control_path, std::move(request_object), out, err);
}

int json_command(const std::string& control_path, nlohmann::json request_object, std::ostream& out,
                 std::ostream& err) {
  const std::string command = request_object.value("command", std::string());
  Connection c;
  auto reply = connect_and_ask(control_path, request_object, c, err);
  if (!reply) return exit_failure;
  if (!reply->value("ok", false)) {
    err << "sipline: " << command << ": "
        << reply->value("error", std::string("the daemon refused")) << '\n';
    return reply->value("usage", false) ? exit_usage : exit_failure;
  }
  const json& result = (*reply)["result"];
  if (result.is_object() && result.contains("message") && result["message"].is_string()) {
    out << result["message"].get<std::string>() << '\n';
  } else {
    out << result.dump() << '\n';
  }
  return exit_ok;
}

}  // namespace sipline::app

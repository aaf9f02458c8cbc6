#include "control_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <utility>

#include "runtime/asio_access.hpp"

namespace sipline::app {

namespace {

using nlohmann::json;
using Protocol = asio::local::stream_protocol;

// One request line; anything longer is not a control command.
constexpr std::size_t max_line = 64 * 1024;
// Output a client has not read yet; a stalled "events" reader is dropped
// rather than let the daemon's memory grow.
constexpr std::size_t max_queued = 1 << 20;
constexpr std::size_t max_sessions = 64;

json error_reply(const json& token, std::string message) {
  return json{{"token", token}, {"type", "response"}, {"ok", false}, {"error", std::move(message)}};
}

json ok_reply(const json& token, json result) {
  return json{{"token", token}, {"type", "response"}, {"ok", true}, {"result", std::move(result)}};
}

// True when something accepts connections at `path`.
bool socket_alive(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const bool alive =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;  // NOLINT
  ::close(fd);
  return alive;
}

// "call" {uri, account?}, "answer" {call?}, "hangup" {call?}.
json call_reply(const json& request, const json& token, const std::string& command,
                const ControlHandlers& h) {
  auto text_field = [&](const char* name) -> std::optional<std::string> {
    const auto it = request.find(name);
    if (it == request.end() || it->is_null()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (command == "call") {
    auto uri = text_field("uri");
    auto account = text_field("account");
    if (!uri || uri->empty()) return error_reply(token, "missing \"uri\"");
    if (!account) return error_reply(token, "\"account\" must be a string");
    if (!h.call) return error_reply(token, "calls are not available");
    auto r = h.call(*account, *uri);
    return r ? ok_reply(token, *r) : error_reply(token, r.error().message);
  }
  auto call = text_field("call");
  if (!call) return error_reply(token, "\"call\" must be a string");
  const auto& handler = command == "answer" ? h.answer : h.hangup;
  if (!handler) return error_reply(token, "calls are not available");
  auto r = handler(*call);
  if (r) return ok_reply(token, *r);
  json reply = error_reply(token, r.error().message);
  // The client's fault (e.g. no call named while several are live): the
  // client exits with its usage status.
  if (r.error().code == Errc::invalid_argument) reply["usage"] = true;
  return reply;
}

}  // namespace

ControlReply handle_control_line(const std::string& line, const ControlHandlers& h) {
  ControlReply reply;
  json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) {
    reply.response = error_reply(nullptr, "not a JSON object");
    return reply;
  }
  const json token = request.contains("token") ? request["token"] : json(nullptr);
  const auto command_it = request.find("command");
  if (command_it == request.end() || !command_it->is_string()) {
    reply.response = error_reply(token, "missing \"command\"");
    return reply;
  }
  const std::string command = command_it->get<std::string>();
  if (command == "status") {
    reply.response = ok_reply(token, h.status());
  } else if (command == "events") {
    reply.response = ok_reply(token, json{{"streaming", true}});
    reply.subscribe_events = true;
  } else if (command == "register" || command == "unregister") {
    const auto account = request.find("account");
    if (account == request.end() || !account->is_string()) {
      reply.response = error_reply(token, "missing \"account\"");
      return reply;
    }
    auto r = h.registration(account->get<std::string>(), command == "register");
    reply.response = r ? ok_reply(token, *r) : error_reply(token, r.error().message);
  } else if (command == "reload") {
    auto r = h.reload();
    reply.response = r ? ok_reply(token, *r) : error_reply(token, r.error().message);
  } else if (command == "call" || command == "answer" || command == "hangup") {
    reply.response = call_reply(request, token, command, h);
  } else {
    reply.response = error_reply(
        token, "unknown command \"" + command +
                   "\" (status, events, register, unregister, reload, call, answer, hangup)");
  }
  return reply;
}

struct ControlServer::Impl {
  struct Session : std::enable_shared_from_this<Session> {
    explicit Session(Protocol::socket s) : socket(std::move(s)), input(max_line) {}

    Protocol::socket socket;
    asio::streambuf input;
    std::deque<std::string> output;
    std::size_t queued = 0;
    bool writing = false;
    bool closed = false;
    std::optional<std::uint64_t> subscription;
    json events_token;
    Impl* server = nullptr;
  };

  Impl(runtime::EventLoop& l, std::string p, ControlHandlers h)
      : loop(l), path(std::move(p)), handlers(std::move(h)), acceptor(runtime::io_context_of(l)) {}

  ~Impl() {
    for (const auto& s : sessions) close(*s, /*from_server=*/true);
    sessions.clear();
    asio::error_code ignored;
    acceptor.close(ignored);
    ::unlink(path.c_str());
  }

  void accept() {
    acceptor.async_accept([this](const asio::error_code& ec, Protocol::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        if (sessions.size() >= max_sessions) {
          asio::error_code ignored;
          socket.close(ignored);
        } else {
          auto s = std::make_shared<Session>(std::move(socket));
          s->server = this;
          sessions.insert(s);
          read(s);
        }
      }
      accept();
    });
  }

  void read(const std::shared_ptr<Session>& s) {
    asio::async_read_until(
        s->socket, s->input, '\n', [s](const asio::error_code& ec, std::size_t n) {
          if (s->closed) return;
          Impl* self = s->server;
          if (ec) {
            // EOF, reset, or a line over max_line.
            self->close(*s, false);
            return;
          }
          std::string line(asio::buffers_begin(s->input.data()),
                           asio::buffers_begin(s->input.data()) + static_cast<std::ptrdiff_t>(n));
          s->input.consume(n);
          while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
            line.pop_back();
          }
          if (!line.empty()) self->handle(s, line);
          if (!s->closed) self->read(s);
        });
  }

  void handle(const std::shared_ptr<Session>& s, const std::string& line) {
    ControlReply reply = handle_control_line(line, handlers);
    send(s, reply.response);
    if (!reply.subscribe_events || s->closed) return;
    if (s->subscription) handlers.unsubscribe(*s->subscription);
    s->events_token = reply.response["token"];
    std::weak_ptr<Session> weak = s;
    s->subscription = handlers.subscribe([weak](const json& event) {
      auto session = weak.lock();
      if (!session || session->closed) return;
      session->server->send(
          session, json{{"token", session->events_token}, {"type", "event"}, {"event", event}});
    });
  }

  void send(const std::shared_ptr<Session>& s, const json& message) {
    std::string text = message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    s->queued += text.size();
    if (s->queued > max_queued) {
      close(*s, false);
      return;
    }
    s->output.push_back(std::move(text));
    if (!s->writing) write(s);
  }

  void write(const std::shared_ptr<Session>& s) {
    s->writing = true;
    asio::async_write(s->socket, asio::buffer(s->output.front()),
                      [s](const asio::error_code& ec, std::size_t) {
                        s->writing = false;
                        if (s->closed) return;
                        if (ec) {
                          s->server->close(*s, false);
                          return;
                        }
                        s->queued -= s->output.front().size();
                        s->output.pop_front();
                        if (!s->output.empty()) s->server->write(s);
                      });
  }

  void close(Session& s, bool from_server) {
    if (s.closed) return;
    s.closed = true;
    if (s.subscription) handlers.unsubscribe(*s.subscription);
    s.subscription.reset();
    asio::error_code ignored;
    s.socket.close(ignored);
    if (!from_server) {
      for (auto it = sessions.begin(); it != sessions.end(); ++it) {
        if (it->get() == &s) {
          sessions.erase(it);  // pending handlers hold their own reference
          break;
        }
      }
    }
  }

  runtime::EventLoop& loop;
  std::string path;
  ControlHandlers handlers;
  Protocol::acceptor acceptor;
  std::set<std::shared_ptr<Session>> sessions;
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ControlServer::~ControlServer() = default;

const std::string& ControlServer::path() const noexcept {
  return impl_->path;
}
std::size_t ControlServer::sessions() const noexcept {
  return impl_->sessions.size();
}

Result<std::unique_ptr<ControlServer>> ControlServer::start(runtime::EventLoop& loop,
                                                            std::string path,
                                                            ControlHandlers handlers) {
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) {
    return fail(Errc::invalid_argument, "control socket path is empty or too long: " + path);
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return fail(Errc::invalid_argument, path + " exists and is not a socket");
    }
    if (socket_alive(path)) {
      return fail(Errc::invalid_state, "another sipline is already listening on " + path);
    }
    ::unlink(path.c_str());  // left behind by a daemon that died
  }
  auto impl = std::make_unique<Impl>(loop, path, std::move(handlers));
  asio::error_code ec;
  impl->acceptor.open(Protocol(), ec);
  if (!ec) {
    // Only the owner may talk to the daemon: the socket is created 0600.
    const mode_t old_mask = ::umask(0177);
    impl->acceptor.bind(Protocol::endpoint(path), ec);
    ::umask(old_mask);
  }
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    const std::string message = "control socket " + path + ": " + ec.message();
    impl->path.clear();  // nothing of ours to remove
    return fail(Errc::io, message);
  }
  impl->accept();
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

std::string default_control_path() {
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  if (runtime_dir != nullptr && runtime_dir[0] == '/') {
    return std::string(runtime_dir) + "/sipline.sock";
  }
  return "/tmp/sipline-" + std::to_string(::getuid()) + ".sock";
}

}  // namespace sipline::app

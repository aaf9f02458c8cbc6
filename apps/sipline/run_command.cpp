#include "run_command.hpp"

#include <unistd.h>

#include <asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "call_commands.hpp"
#include "config_command.hpp"
#include "control_server.hpp"
#include "daemon_locator.hpp"
#include "dns/ip_literal.hpp"
#include "exit_codes.hpp"
#include "render.hpp"
#include "runtime/asio_access.hpp"
#include "transport/cares_resolver.hpp"
#include "ua/user_agent.hpp"

namespace sipline::app {

namespace {

using config::LogLevel;
using nlohmann::json;

// Unregistering takes at most one transaction timeout (Timer F, 32 s with
// the default T1); past this the daemon gives up waiting.
constexpr auto shutdown_deadline = std::chrono::seconds(40);

bool parse_level(const std::string& text, LogLevel& level) {
  for (auto l :
       {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error}) {
    if (text == config::to_string(l)) {
      level = l;
      return true;
    }
  }
  return false;
}

// Logs to stderr. Under systemd (JOURNAL_STREAM set) each line carries its
// syslog priority as "<N>" and no time stamp: the journal adds both.
class Logger {
 public:
  explicit Logger(LogLevel threshold)
      : threshold_(threshold), journal_(std::getenv("JOURNAL_STREAM") != nullptr) {}

  void set_threshold(LogLevel level) { threshold_ = level; }

  void operator()(LogLevel level, std::string_view text) const {
    if (level < threshold_) return;
    std::string line;
    if (journal_) {
      line = "<" + std::to_string(priority(level)) + ">";
    } else {
      line = rfc3339(std::chrono::system_clock::now()) + " ";
    }
    line += config::to_string(level);
    line += ": ";
    line += text;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

 private:
  static int priority(LogLevel level) {
    switch (level) {
      case LogLevel::trace:
      case LogLevel::debug:
        return 7;
      case LogLevel::info:
        return 6;
      case LogLevel::warning:
        return 4;
      case LogLevel::error:
        return 3;
    }
    return 6;
  }

  LogLevel threshold_;
  bool journal_;
};

// What the command line overrides in the configuration file.
struct Overrides {
  std::string listen_address;
  std::optional<std::uint16_t> listen_port;
  std::string dns;
  std::optional<LogLevel> log_level;

  void apply(config::Settings& s) const {
    if (!listen_address.empty()) s.listen_address = listen_address;
    if (listen_port) s.listen_port = *listen_port;
    if (!dns.empty()) s.dns_servers = {dns};
    if (log_level) s.log_level = *log_level;
  }
};

std::string describe(const sip::Target& t) {
  std::string kind(sip::to_string(t.transport));
  for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool v6 = t.address.find(':') != std::string::npos;
  return kind + " " + (v6 ? "[" + t.address + "]" : t.address) + ":" + std::to_string(t.port);
}

class Daemon {
 public:
  Daemon(const RunOptions& options, Overrides overrides, config::Settings settings)
      : options_(options),
        overrides_(std::move(overrides)),
        log_(settings.log_level),
        control_path_(options.control_path.empty() ? default_control_path()
                                                   : options.control_path) {
    ua::UserAgentOptions ua_options;
    ua_options.log = [this](LogLevel level, std::string_view text) { log_(level, text); };
    const auto dns_servers = settings.dns_servers;
    ua_options.make_locator = [this, dns_servers](runtime::EventLoop& loop) {
      return make_daemon_locator(loop, dns_servers,
                                 [this](std::string_view text) { log_(LogLevel::warning, text); });
    };
    ua_ = std::make_unique<ua::UserAgent>(std::move(settings), std::move(ua_options));
  }

  ~Daemon() {
    // Everything that uses the loop goes before the user agent (which owns it).
    signals_.reset();
    control_.reset();
    deadline_.cancel();
    if (subscription_) ua_->unsubscribe(*subscription_);
  }

  int run() {
    auto& loop = ua_->loop();
    // The control socket first: a second daemon on the same socket must not
    // register anything.
    auto control = ControlServer::start(loop, control_path_, handlers());
    if (!control) {
      log_(LogLevel::error, control.error().message);
      return exit_failure;
    }
    control_ = std::move(*control);

    subscription_ = ua_->subscribe([this](const reg::Event& event) { print(event); });
    auto started = ua_->start();
    if (!started) {
      log_(LogLevel::error, "cannot start: " + started.error().message);
      return exit_failure;
    }
    std::string addresses;
    for (const auto& t : ua_->local_addresses()) {
      addresses += (addresses.empty() ? "" : ", ") + describe(t);
    }
    log_(LogLevel::info, "listening on " + addresses + "; control socket " + control_path_);

    signals_ =
        std::make_unique<asio::signal_set>(runtime::io_context_of(loop), SIGINT, SIGTERM, SIGHUP);
    wait_signal();
    loop.run();
    return exit_status_;
  }

 private:
  ControlHandlers handlers() {
    ControlHandlers h;
    h.status = [this] {
      json accounts = json::array();
      const auto calls = ua_->calls();
      for (const auto& s : ua_->status()) {
        json account = status_json(s, ua_->loop());
        account["calls"] = json::array();
        for (const auto& c : calls) {
          if (c.account == s.account) account["calls"].push_back(call_json(c, ua_->loop()));
        }
        accounts.push_back(std::move(account));
      }
      // The bound SIP sockets: a reload may have moved them.
      json listen = json::array();
      for (const auto& t : ua_->local_addresses()) listen.push_back(describe(t));
      return json{{"accounts", std::move(accounts)}, {"listen", std::move(listen)}};
    };
    h.call = [this](const std::string& account, const std::string& uri) -> Result<json> {
      auto id = ua_->place_call(account, uri);
      if (!id) return fail(id.error().code, id.error().message);
      return json{{"call", *id}, {"message", *id}};
    };
    auto act = [this](bool answering) {
      return [this, answering](const std::string& named) -> Result<json> {
        std::string id = named;
        if (id.empty()) {
          auto chosen = default_call(ua_->calls(), answering);
          if (!chosen) return fail(chosen.error().code, chosen.error().message);
          id = *chosen;
        }
        auto r = answering ? ua_->answer(id) : ua_->hangup(id);
        if (!r) return fail(r.error().code, r.error().message);
        return json{{"call", id}, {"message", (answering ? "answered " : "hung up ") + id}};
      };
    };
    h.answer = act(true);
    h.hangup = act(false);
    h.registration = [this](const std::string& account, bool enable) -> Result<json> {
      auto r = enable ? ua_->register_account(account) : ua_->unregister_account(account);
      if (!r) return fail(r.error().code, r.error().message);
      return json{{"account", account},
                  {"message", (enable ? "registering " : "unregistering ") + account}};
    };
    h.reload = [this]() -> Result<json> { return reload(); };
    h.subscribe = [this](std::function<void(const json&)> sink) {
      return ua_->subscribe([this, sink = std::move(sink)](const reg::Event& e) {
        sink(event_json(e, ua_->loop()));
      });
    };
    h.unsubscribe = [this](std::uint64_t id) { ua_->unsubscribe(id); };
    return h;
  }

  void print(const reg::Event& event) {
    std::string line =
        options_.events == "text"
            ? event_text(event, ua_->loop())
            : event_json(event, ua_->loop()).dump(-1, ' ', false, json::error_handler_t::replace);
    line += '\n';
    // One event per line, flushed: readers follow the stream live.
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

  Result<json> reload() {
    auto loaded = load_config_file(options_.config_file);
    if (!loaded) {
      log_(LogLevel::error, "reload: " + loaded.error().message + " (configuration kept)");
      return fail(loaded.error().code, loaded.error().message);
    }
    for (const auto& w : loaded->warnings) log_(LogLevel::warning, w);
    overrides_.apply(loaded->settings);
    log_.set_threshold(loaded->settings.log_level);
    auto diff = ua_->reload(std::move(loaded->settings));
    if (!diff) return fail(diff.error().code, diff.error().message);
    std::string message = "reloaded: " + std::to_string(diff->added.size()) + " added, " +
                          std::to_string(diff->removed.size()) + " removed, " +
                          std::to_string(diff->changed.size()) + " changed, " +
                          std::to_string(diff->unchanged.size()) + " unchanged";
    log_(LogLevel::info, message);
    return json{{"added", diff->added},
                {"removed", diff->removed},
                {"changed", diff->changed},
                {"unchanged", diff->unchanged},
                {"message", message}};
  }

  void wait_signal() {
    signals_->async_wait([this](const asio::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        log_(LogLevel::info, "SIGHUP: reloading " + options_.config_file);
        (void)reload();
      } else if (ua_->stopping()) {
        log_(LogLevel::warning, "second signal: exiting without waiting for unregistration");
        exit_status_ = exit_failure;
        ua_->loop().stop();
        return;
      } else {
        log_(LogLevel::info, std::string(signal == SIGINT ? "SIGINT" : "SIGTERM") +
                                 ": unregistering every account");
        ua_->stop([this] {
          log_(LogLevel::info, "stopped");
          ua_->loop().stop();
        });
        deadline_ = ua_->loop().start(shutdown_deadline, [this] {
          log_(LogLevel::warning, "unregistration did not finish in time; exiting");
          exit_status_ = exit_failure;
          ua_->loop().stop();
        });
      }
      wait_signal();
    });
  }

  const RunOptions& options_;
  Overrides overrides_;
  Logger log_;
  std::string control_path_;
  std::unique_ptr<ua::UserAgent> ua_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<asio::signal_set> signals_;
  std::optional<std::uint64_t> subscription_;
  runtime::Timer deadline_;
  int exit_status_ = exit_ok;
};

}  // namespace

bool parse_listen(const std::string& text, std::string& address,
                  std::optional<std::uint16_t>& port) {
  std::string host = text;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return false;
    host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port_text = rest.substr(1);
      if (port_text.empty()) return false;
    }
  } else if (const auto colon = text.find(':');
             colon != std::string::npos && colon == text.rfind(':')) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return false;
  }
  if (!dns::parse_ip_literal(host)) return false;
  if (!port_text.empty()) {
    if (port_text.size() > 5) return false;
    unsigned value = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
  }
  address = host;
  return true;
}

int run_command(const RunOptions& options) {
  // A reader of stdout or of the control socket that goes away must not
  // kill the daemon.
  std::signal(SIGPIPE, SIG_IGN);

  Overrides overrides;
  if (!options.listen.empty()) {
    std::string address;
    std::optional<std::uint16_t> port;
    if (!parse_listen(options.listen, address, port)) {
      std::cerr << "sipline: --listen " << options.listen
                << ": expected ADDRESS[:PORT] with a numeric address\n";
      return exit_usage;
    }
    overrides.listen_address = address;
    overrides.listen_port = port;
  }
  if (!options.dns.empty()) {
    auto entry = transport::cares_server_entry(options.dns);
    if (!entry) {
      std::cerr << "sipline: --dns " << options.dns << ": " << entry.error().message << '\n';
      return exit_usage;
    }
    overrides.dns = options.dns;
  }
  if (!options.log_level.empty()) {
    LogLevel level = LogLevel::info;
    if (!parse_level(options.log_level, level)) {
      std::cerr << "sipline: --log-level " << options.log_level
                << ": expected trace, debug, info, warning or error\n";
      return exit_usage;
    }
    overrides.log_level = level;
  }

  auto loaded = load_config_file(options.config_file);
  if (!loaded) {
    // "file:line: key: reason" as the loader words it, and nothing started.
    std::cerr << loaded.error().message << '\n';
    return exit_usage;
  }
  overrides.apply(loaded->settings);
  Logger early(loaded->settings.log_level);
  for (const auto& w : loaded->warnings) early(LogLevel::warning, w);

  Daemon daemon(options, std::move(overrides), std::move(loaded->settings));
  return daemon.run();
}

}  // namespace sipline::app

#include "daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace sipline::testing::kamailio {

std::string render_toml(const AccountSpec& spec) {
  // Short timers throughout, so that a test sees refreshes, probes and
  // keep-alives within seconds: the behaviour under test is the same.
  std::ostringstream out;
  const bool udp = spec.servers.empty() || spec.servers.front().transport == Transport::udp;
  out << "[sip]\nlisten_address = \"127.0.0.1\"\nlisten_port = 0\n\n";
  if (spec.network_watch || spec.network_settle_ms) {
    out << "[network]\n";
    if (spec.network_watch) out << "watch = " << (*spec.network_watch ? "true" : "false") << "\n";
    if (spec.network_settle_ms) out << "settle_ms = " << *spec.network_settle_ms << "\n";
    out << "\n";
  }
  out << "[[account]]\n"
      << "name = \"" << spec.name << "\"\n"
      << "username = \"" << spec.user << "\"\n"
      << "password = \"" << spec.password << "\"\n"
      << "domain = \"" << spec.domain << "\"\n"
      << "registration_timeout = " << spec.registration_timeout << "\n"
      << "\n[account.failback]\n"
      << "probe_interval = " << spec.probe_interval << "\n"
      << "good_probes = " << spec.good_probes << "\n"
      << "min_dwell = " << spec.min_dwell << "\n"
      << "\n[account.retry]\ninterval = 5\n"
      // OPTIONS on UDP, CRLF ping/pong on TCP (RFC 5626 §3.5.1).
      << "\n[account.keepalive]\n"
      << "kind = \""
      << (!spec.keepalive_kind.empty() ? spec.keepalive_kind
          : udp                        ? "options"
                                       : "crlf")
      << "\"\n"
      << "interval = " << spec.keepalive_interval << "\n";
  if (spec.pong_timeout > 0) out << "pong_timeout = " << spec.pong_timeout << "\n";
  for (const auto& s : spec.servers) {
    out << "\n[[account.server]]\n"
        << "address = \"" << s.address << "\"\n"
        << "port = " << s.port << "\n"
        << "transport = \"" << to_string(s.transport) << "\"\n"
        << "retry_counts = " << spec.retry_counts << "\n"
        << "failback_mode = \"monitor\"\n";
  }
  return out.str();
}

std::optional<WallTime> parse_rfc3339(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (in.peek() == '.') {
    in.get();
    std::int64_t scale = 100'000'000;
    for (int i = 0; i < 9 && std::isdigit(in.peek()) != 0; ++i, scale /= 10) {
      fraction += std::chrono::nanoseconds((in.get() - '0') * scale);
    }
    while (std::isdigit(in.peek()) != 0) in.get();
  }
  std::chrono::seconds offset{0};
  const int sign = in.peek();
  if (sign == '+' || sign == '-') {
    in.get();
    int hh = 0;
    int mm = 0;
    char colon = 0;
    in >> hh >> colon >> mm;
    if (in.fail()) return std::nullopt;
    offset = std::chrono::hours(hh) + std::chrono::minutes(mm);
    if (sign == '-') offset = -offset;
  } else if (sign != 'Z' && sign != 'z') {
    return std::nullopt;
  }
  const std::time_t t = ::timegm(&tm);
  return WallTime(
      std::chrono::duration_cast<WallTime::duration>(std::chrono::seconds(t) - offset + fraction));
}

namespace {

std::string text_or_empty(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

std::unique_ptr<Daemon> Daemon::start(const std::string& binary, const std::string& config,
                                      const std::filesystem::path& dir, std::string& error,
                                      const DaemonOptions& options) {
  const auto config_path = dir / "sipline.toml";
  {
    std::ofstream out(config_path);
    out << config;
    if (!out) {
      error = "cannot write " + config_path.string();
      return nullptr;
    }
  }
  // The file holds a password: keep it private, as the daemon expects.
  std::filesystem::permissions(
      config_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    error = "pipe failed";
    return nullptr;
  }
  std::unique_ptr<Daemon> d(new Daemon());
  d->binary_ = binary;
  d->control_ = dir / "control.sock";
  d->log_ = dir / "sipline.log";
  std::vector<std::string> argv;
  if (!options.netns.empty()) {
    // `ip netns exec` execs the command in place: the group is the daemon's.
    argv = {find_program("ip"), "netns", "exec", options.netns};
  }
  argv.insert(argv.end(),
              {binary, "run", "-c", config_path.string(), "--control", d->control_.string(),
               "--events", "json", "--listen", options.listen, "--log-level", "debug"});
  d->process_ = Process::start(argv, d->log_, dir, fds[1]);
  ::close(fds[1]);
  if (!d->process_) {
    ::close(fds[0]);
    error = "fork failed";
    return nullptr;
  }
  d->out_fd_ = fds[0];
  d->reader_ = std::thread([raw = d.get(), fd = fds[0]] { raw->read_events(fd); });
  return d;
}

Daemon::~Daemon() {
  if (process_) process_->kill();  // closes the pipe's write end: the reader sees EOF
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

void Daemon::read_events(int fd) {
  std::string pending;
  // Bounded by the daemon's life: read() returns 0 once every writer is gone.
  while (true) {
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const auto received = std::chrono::system_clock::now();
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl = 0;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      const std::lock_guard lock(mutex_);
      if (json.is_discarded() || !json.is_object()) {
        garbage_.push_back(std::move(line));
        continue;
      }
      DaemonEvent e;
      e.type = text_or_empty(json, "type");
      e.server = text_or_empty(json, "server");
      e.reason = text_or_empty(json, "reason");
      if (const auto it = json.find("account"); it != json.end()) {
        e.account = it->is_string() ? it->get<std::string>() : it->dump();
      }
      e.received = received;
      e.time = parse_rfc3339(text_or_empty(json, "time")).value_or(received);
      e.json = std::move(json);
      events_.push_back(std::move(e));
    }
    changed_.notify_all();
  }
}

std::optional<DaemonEvent> Daemon::wait_for(const Predicate& match,
                                            std::chrono::milliseconds timeout, std::size_t from,
                                            std::size_t* index) {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t next = from;
  while (true) {
    for (; next < events_.size(); ++next) {
      if (match(events_[next])) {
        if (index != nullptr) *index = next;
        return events_[next];
      }
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      for (; next < events_.size(); ++next) {
        if (match(events_[next])) {
          if (index != nullptr) *index = next;
          return events_[next];
        }
      }
      return std::nullopt;
    }
  }
}

std::vector<DaemonEvent> Daemon::events() const {
  const std::lock_guard lock(mutex_);
  return events_;
}

std::size_t Daemon::event_count() const {
  const std::lock_guard lock(mutex_);
  return events_.size();
}

std::string Daemon::timeline() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& e : events_) out += "  " + e.json.dump() + '\n';
  for (const auto& g : garbage_) out += "  (not JSON) " + g + '\n';
  return out.empty() ? "  (no events)\n" : out;
}

std::optional<nlohmann::json> Daemon::status_json(std::string* raw) const {
  const auto text = run_capture({binary_, "status", "--json", "--control", control_.string()}, 5s);
  if (!text) return std::nullopt;
  if (raw != nullptr) *raw = *text;
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

std::optional<int> Daemon::terminate(std::chrono::milliseconds timeout) {
  if (!process_) return std::nullopt;
  process_->signal(SIGTERM);
  return process_->wait_exit(timeout);
}

std::string Daemon::log_tail(std::size_t lines) const {
  std::ifstream in(log_);
  std::vector<std::string> all;
  std::string line;
  for (std::size_t n = 0; n < 1'000'000 && std::getline(in, line); ++n) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + '\n';
  }
  return out;
}

Daemon::Predicate is_event(std::string type) {
  return [type = std::move(type)](const DaemonEvent& e) { return e.type == type; };
}

Daemon::Predicate is_event_at(std::string type, std::string hostport) {
  return [type = std::move(type), hostport = std::move(hostport)](const DaemonEvent& e) {
    return e.type == type && e.server.find(hostport) != std::string::npos;
  };
}

}  // namespace sipline::testing::kamailio

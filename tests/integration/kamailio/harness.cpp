#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <sstream>

#ifndef SIPLINE_KAMAILIO_CFG
#error "SIPLINE_KAMAILIO_CFG must name registrar.cfg"
#endif

namespace sipline::testing::kamailio {
namespace {

void pause_ms(long ms) {
  const timespec ts{ms / 1000, (ms % 1000) * 1'000'000};
  ::nanosleep(&ts, nullptr);
}

std::optional<std::uint32_t> parse_ipv4(const std::string& address) {
  in_addr addr{};
  if (::inet_pton(AF_INET, address.c_str(), &addr) != 1) return std::nullopt;
  return addr.s_addr;
}

bool bind_port(int type, std::uint32_t address, std::uint16_t port, std::uint16_t* bound) {
  const int fd = ::socket(AF_INET, type, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = address;
  sa.sin_port = htons(port);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  if (ok && bound != nullptr) {
    socklen_t len = sizeof sa;
    ok = ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0;
    *bound = ntohs(sa.sin_port);
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string random_alnum(std::size_t length) {
  static constexpr std::string_view chars =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(urandom.get());
    out.push_back(chars[byte % chars.size()]);
  }
  return out;
}

std::string_view to_string(Transport transport) noexcept {
  return transport == Transport::udp ? "udp" : "tcp";
}

double ms_between(WallTime from, WallTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// ---------------------------------------------------------------- TempDir

TempDir::TempDir(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::optional<std::string> run_capture(const std::vector<std::string>& argv,
                                       std::chrono::milliseconds timeout,
                                       const std::filesystem::path& cwd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  auto child = Process::start(argv, "/dev/null", cwd, fds[1]);
  ::close(fds[1]);
  if (!child) {
    ::close(fds[0]);
    return std::nullopt;
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the command closed its stdout
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  const auto status = child->wait_exit(
      std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 deadline - std::chrono::steady_clock::now())));
  if (!status || *status != 0) return std::nullopt;
  return out;
}

bool verbose_requested() {
  const char* v = std::getenv("SIPLINE_IT_VERBOSE");
  return v != nullptr && *v == '1';
}

void report_measure(const std::string& fault, Transport transport, std::string_view measure,
                    double ms) {
  const char* path = std::getenv("SIPLINE_FAILOVER_REPORT");
  if (path == nullptr || *path == '\0') return;
  std::ofstream out(path, std::ios::app);
  out << R"({"fault":")" << fault << R"(","transport":")" << to_string(transport)
      << R"(","measure":")" << measure << R"(","ms":)" << ms << "}\n";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs =
      std::string(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin") + ":/usr/sbin:/sbin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const auto candidate = std::filesystem::path(dirs.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

std::optional<std::uint16_t> free_port(const std::string& address) {
  const auto addr = parse_ipv4(address);
  if (!addr) return std::nullopt;
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::uint16_t port = 0;
    if (!bind_port(SOCK_STREAM, *addr, 0, &port)) continue;
    if (bind_port(SOCK_DGRAM, *addr, port, nullptr)) return port;
  }
  return std::nullopt;
}

bool udp_port_held(const std::string& address, std::uint16_t port) {
  const auto addr = parse_ipv4(address);
  return addr && !bind_port(SOCK_DGRAM, *addr, port, nullptr);
}

bool tcp_accepts(const std::string& address, std::uint16_t port) {
  const auto addr = parse_ipv4(address);
  if (!addr) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = *addr;
  sa.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

bool run_in_netns(const std::string& netns, const std::function<void()>& fn) {
  if (netns.empty()) {
    fn();
    return true;
  }
  // `ip netns add` keeps each namespace open as a file under /run/netns.
  const std::string path = "/run/netns/" + netns;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool entered = false;
  std::thread worker([&] {
    entered = ::setns(fd, CLONE_NEWNET) == 0;
    if (entered) fn();
  });
  worker.join();
  ::close(fd);
  return entered;
}

// ---------------------------------------------------------------- Registrar

bool Binding::live() const {
  if (expires == "permanent") return true;
  long value = 0;
  const auto [ptr, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), value);
  return ec == std::errc() && ptr == expires.data() + expires.size() && value > 0;
}

std::vector<Binding> parse_ul_dump(const std::string& text) {
  // kamcmd prints a brace tree; each binding is a "Contact: {" block under an
  // "AoR: user" line. Reading it line by line is enough.
  std::vector<Binding> out;
  std::string aor;
  std::istringstream in(text);
  std::string line;
  const auto value_of = [](const std::string& l,
                           std::string_view key) -> std::optional<std::string> {
    const auto start = l.find_first_not_of(" \t");
    if (start == std::string::npos || l.compare(start, key.size(), key) != 0) return std::nullopt;
    std::string v = l.substr(start + key.size());
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
    return v;
  };
  while (std::getline(in, line)) {
    if (auto v = value_of(line, "AoR: ")) {
      aor = *v;
    } else if (value_of(line, "Contact: {")) {
      out.push_back(Binding{.aor = aor});
    } else if (!out.empty()) {
      if (auto a = value_of(line, "Address: ")) out.back().contact = *a;
      if (auto e = value_of(line, "Expires: ")) out.back().expires = *e;
      if (auto c = value_of(line, "Call-ID: ")) out.back().call_id = *c;
      if (auto i = value_of(line, "Instance: ")) out.back().instance = *i;
      if (auto s = value_of(line, "Socket: ")) out.back().socket = *s;
    }
  }
  return out;
}

Registrar::Registrar(RegistrarOptions options, std::filesystem::path dir)
    : options_(std::move(options)), dir_(std::move(dir)), log_(dir_ / "kamailio.log") {}

std::unique_ptr<Registrar> Registrar::start(RegistrarOptions options,
                                            const std::filesystem::path& dir, std::string& error) {
  if (find_program("kamailio").empty() || find_program("kamcmd").empty()) {
    error = "kamailio/kamcmd not installed (scripts/install-deps installs them)";
    return nullptr;
  }
  const bool pick_port = options.port == 0;
  std::error_code ec;
  std::filesystem::create_directories(dir / "db", ec);
  std::filesystem::create_directories(dir / "run", ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return nullptr;
  }
  // db_text tables: the subscriber table auth_db reads (plain-text passwords,
  // hashed by calculate_ha1) and the version row it checks.
  {
    std::ofstream sub(dir / "db" / "subscriber");
    sub << "id(int,auto) username(string) domain(string) password(string)\n";
    int id = 1;
    for (const auto& s : options.subscribers) {
      sub << id++ << ':' << s.user << ':' << options.realm_domain << ':' << s.password << '\n';
    }
    std::ofstream version(dir / "db" / "version");
    version << "table_name(string) table_version(int)\nsubscriber:7\n";
    if (!sub || !version) {
      error = "cannot write the db_text tables under " + dir.string();
      return nullptr;
    }
  }
  // A picked port is free a moment before Kamailio binds it; when another
  // process (a test running alongside) takes it first, Kamailio exits with
  // "Address already in use" and starts again on another port, five
  // attempts in all.
  for (int attempt = 1;; ++attempt) {
    if (pick_port) {
      std::optional<std::uint16_t> port;
      run_in_netns(options.netns, [&] { port = free_port(options.address); });
      if (!port) {
        error = "no free port on " + options.address;
        return nullptr;
      }
      options.port = *port;
    }
    std::filesystem::remove(dir / "kamailio.log", ec);
    std::unique_ptr<Registrar> r(new Registrar(options, dir));
    if (r->launch(error)) return r;
    if (!pick_port || attempt == 5 ||
        lower(error).find("address already in use") == std::string::npos) {
      return nullptr;
    }
  }
}

std::string Registrar::control_uri() const {
  return "unix:" + (dir_ / "ctl.sock").string();
}

std::string Registrar::hostport() const {
  return options_.address + ":" + std::to_string(options_.port);
}

bool Registrar::launch(std::string& error) {
  const std::string listen = hostport();
  std::error_code ignored;
  std::filesystem::remove(dir_ / "ctl.sock", ignored);
  std::filesystem::remove(dir_ / "kamailio.pid", ignored);
  std::vector<std::string> argv;
  if (!options_.netns.empty()) {
    // `ip netns exec` execs the command in place: the group is still Kamailio's.
    argv = {find_program("ip"), "netns", "exec", options_.netns};
  }
  argv.insert(argv.end(), {find_program("kamailio"),
                           "-DD",
                           "-E",
                           "-f",
                           SIPLINE_KAMAILIO_CFG,
                           "-Y",
                           (dir_ / "run").string(),
                           "-P",
                           (dir_ / "kamailio.pid").string(),
                           "-w",
                           dir_.string(),
                           "-m",
                           "32",
                           "-l",
                           "udp:" + listen,
                           "-l",
                           "tcp:" + listen,
                           "-A",
                           "DBURL=\"text://" + (dir_ / "db").string() + "\"",
                           "-A",
                           "CTLSOCK=\"" + control_uri() + "\""});
  process_ = Process::start(argv, log_, dir_);
  if (!process_) {
    error = "fork failed";
    return false;
  }
  // Ready when TCP is accepted and the control socket answers (bounded: 10 s).
  for (int i = 0; i < 200; ++i) {
    if (process_->wait_exit(0ms)) break;
    bool accepts = false;
    run_in_netns(options_.netns, [&] { accepts = tcp_accepts(options_.address, options_.port); });
    if (accepts && run_capture({find_program("kamcmd"), "-s", control_uri(), "core.version"}, 2s)) {
      return true;
    }
    pause_ms(50);
  }
  error = options_.name + " (kamailio on " + listen + ") did not start:\n" + log_tail();
  process_.reset();
  return false;
}

void Registrar::stop() noexcept {
  if (process_) process_->kill();
  process_.reset();
}

bool Registrar::restart(std::string& error) {
  stop();
  return launch(error);
}

bool Registrar::running() {
  return process_ && process_->running();
}

std::string Registrar::log_tail(std::size_t lines) const {
  std::ifstream in(log_);
  std::deque<std::string> tail;
  std::string line;
  for (std::size_t n = 0; n < 1'000'000 && std::getline(in, line); ++n) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += l + '\n';
  return out;
}

std::optional<std::vector<Binding>> Registrar::bindings() const {
  const auto text = run_capture({find_program("kamcmd"), "-s", control_uri(), "ul.dump"}, 5s);
  if (!text) return std::nullopt;
  return parse_ul_dump(*text);
}

std::optional<std::vector<Binding>> Registrar::live_bindings_of(const std::string& user) const {
  const auto all = bindings();
  if (!all) return std::nullopt;
  std::vector<Binding> live;
  for (const auto& b : *all) {
    if (b.aor == user && b.live()) live.push_back(b);
  }
  return live;
}

std::optional<std::size_t> Registrar::live_bindings(const std::string& user) const {
  if (!process_) return 0;
  const auto live = live_bindings_of(user);
  if (!live) return std::nullopt;
  return live->size();
}

std::string describe(const std::vector<Binding>& bindings) {
  std::string out;
  for (const auto& b : bindings) {
    out += "  " + b.aor + " " + b.contact + " expires=" + b.expires + " socket=" + b.socket + '\n';
  }
  return out.empty() ? "  (no bindings)\n" : out;
}

// ---------------------------------------------------------------- Blackhole

std::unique_ptr<Blackhole> Blackhole::create(std::string& error) {
  const std::string nft = find_program("nft");
  if (nft.empty()) {
    error = "nft is not installed (scripts/install-deps installs nftables)";
    return nullptr;
  }
  static std::atomic<int> counter{0};
  std::string table =
      "sipline_fault_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  if (!run_capture({nft, "add", "table", "inet", table})) {
    error =
        "nftables is not permitted here (nft add table failed): the blackhole fault needs "
        "CAP_NET_ADMIN";
    return nullptr;
  }
  std::unique_ptr<Blackhole> b(new Blackhole(table));
  // An input-hook chain: on loopback every packet passes it on the way in,
  // so dropping here loses requests without any ICMP or RST in reply.
  if (!run_capture({nft, "add", "chain", "inet", table, "input", "{", "type", "filter", "hook",
                    "input", "priority", "-10", ";", "policy", "accept", ";", "}"})) {
    error = "nftables is not permitted here (nft add chain failed)";
    return nullptr;
  }
  return b;
}

Blackhole::~Blackhole() {
  run_capture({find_program("nft"), "delete", "table", "inet", table_});
}

bool Blackhole::drop(const std::string& address, std::uint16_t port) {
  const std::string nft = find_program("nft");
  const std::string p = std::to_string(port);
  return run_capture({nft, "add", "rule", "inet", table_, "input", "ip", "daddr", address, "udp",
                      "dport", p, "drop"}) &&
         run_capture({nft, "add", "rule", "inet", table_, "input", "ip", "daddr", address, "tcp",
                      "dport", p, "drop"});
}

bool Blackhole::restore() {
  return run_capture({find_program("nft"), "flush", "chain", "inet", table_, "input"}).has_value();
}

// ---------------------------------------------------------------- PacketWatch

std::unique_ptr<PacketWatch> PacketWatch::start(const std::string& address, std::uint16_t port,
                                                Transport transport, std::string& error) {
  const auto addr = parse_ipv4(address);
  if (!addr) {
    error = "not an IPv4 address: " + address;
    return nullptr;
  }
  const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
  if (fd < 0) {
    error = std::string("packet socket not permitted: ") + std::strerror(errno);
    return nullptr;
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_IP);
  sll.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
  const int on = 1;
  const timeval tick{0, 100'000};  // lets the reader notice stop_
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick) != 0) {
    error = std::string("packet socket setup failed: ") + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<PacketWatch> w(new PacketWatch(fd, *addr, port, transport));
  w->thread_ = std::thread([raw = w.get()] { raw->run(); });
  return w;
}

PacketWatch::PacketWatch(int fd, std::uint32_t address, std::uint16_t port, Transport transport)
    : fd_(fd), address_(address), port_(port), transport_(transport) {}

PacketWatch::~PacketWatch() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void PacketWatch::arm() {
  const std::lock_guard lock(mutex_);
  first_.reset();
  armed_at_ = std::chrono::system_clock::now();
}

std::optional<WallTime> PacketWatch::first() const {
  const std::lock_guard lock(mutex_);
  return first_;
}

void PacketWatch::run() {
  std::array<unsigned char, 2048> buf{};
  std::array<char, 256> control{};
  while (!stop_) {
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(fd_, &msg, 0);
    if (n <= 0) continue;  // timeout tick or EINTR
    const auto len = static_cast<std::size_t>(n);
    if (len < sizeof(iphdr)) continue;
    iphdr ip{};
    std::memcpy(&ip, buf.data(), sizeof ip);
    const std::size_t ihl = ip.ihl * 4u;
    if (ip.daddr != address_ || len < ihl + 8) continue;
    bool request = false;
    if (transport_ == Transport::udp && ip.protocol == IPPROTO_UDP) {
      udphdr udp{};
      std::memcpy(&udp, buf.data() + ihl, sizeof udp);
      request = ntohs(udp.dest) == port_;
    } else if (transport_ == Transport::tcp && ip.protocol == IPPROTO_TCP &&
               len >= ihl + sizeof(tcphdr)) {
      tcphdr tcp{};
      std::memcpy(&tcp, buf.data() + ihl, sizeof tcp);
      const std::size_t payload = ntohs(ip.tot_len) - ihl - tcp.doff * 4u;
      // A new connection or data; bare ACKs and FINs are the kernel's, not
      // the UA's requests.
      request = ntohs(tcp.dest) == port_ && ((tcp.syn != 0 && tcp.ack == 0) || payload > 0);
    }
    if (!request) continue;
    WallTime at = std::chrono::system_clock::now();
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        at = WallTime(std::chrono::duration_cast<WallTime::duration>(
            std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
      }
    }
    const std::lock_guard lock(mutex_);
    if (at >= armed_at_ && (!first_ || at < *first_)) first_ = at;
  }
}

}  // namespace sipline::testing::kamailio

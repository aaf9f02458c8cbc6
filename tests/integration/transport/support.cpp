#include "support.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>

#include "sip/builder.hpp"

namespace sipline::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sipline-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

bool run_command(const std::vector<std::string>& argv, const std::filesystem::path& log,
                 std::chrono::milliseconds timeout) {
  auto child = ChildProcess::start(argv, log);
  if (!child) return false;
  const auto status = child->wait_exit(timeout);
  return status.has_value() && *status == 0;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::filesystem::path candidate =
        std::filesystem::path(dirs.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

namespace {

int open_bound(sip::TransportKind kind, const std::string& address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET,
                          kind == sip::TransportKind::udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int rc = -1;
  if (v6) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    ::inet_pton(AF_INET6, address.c_str(), &sa.sin6_addr);
    rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }
  if (rc != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

}  // namespace

std::uint16_t free_port(sip::TransportKind kind, const std::string& address) {
  const int fd = open_bound(kind, address, 0);
  if (fd < 0) return 0;
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  std::uint16_t port = 0;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0) {
    port = sa.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port)
                                    : ntohs(reinterpret_cast<sockaddr_in*>(&sa)->sin_port);
  }
  ::close(fd);
  return port;
}

bool port_taken(sip::TransportKind kind, std::uint16_t port, const std::string& address) {
  const int fd = open_bound(kind, address, port);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return errno == EADDRINUSE;
}

std::optional<Certificates> make_certificates(const std::filesystem::path& dir) {
  const std::string openssl = find_program("openssl");
  if (openssl.empty()) return std::nullopt;
  const auto log = dir / "openssl.log";
  const auto p = [&dir](const char* name) { return (dir / name).string(); };
  std::mt19937_64 rng(std::random_device{}());
  const auto serial = [&rng] { return std::to_string(rng() % 1'000'000'000 + 1); };
  const std::vector<std::string> ec_key = {"-newkey", "ec", "-pkeyopt",
                                           "ec_paramgen_curve:prime256v1", "-nodes"};

  std::vector<std::string> ca = {openssl, "req", "-x509"};
  ca.insert(ca.end(), ec_key.begin(), ec_key.end());
  ca.insert(ca.end(), {"-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj",
                       "/CN=sipline test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  if (!run_command(ca, log)) return std::nullopt;

  const auto issue = [&](const std::string& name, const std::string& cn, const std::string& san) {
    {
      std::ofstream ext(dir / (name + ".ext"));
      ext << "subjectAltName=" << san << "\n"
          << "basicConstraints=CA:FALSE\n"
          << "keyUsage=digitalSignature,keyEncipherment\n"
          << "extendedKeyUsage=serverAuth,clientAuth\n";
    }
    std::vector<std::string> req = {openssl, "req"};
    req.insert(req.end(), ec_key.begin(), ec_key.end());
    req.insert(req.end(), {"-keyout", p((name + ".key").c_str()), "-out",
                           p((name + ".csr").c_str()), "-subj", "/CN=" + cn});
    if (!run_command(req, log)) return false;
    return run_command(
        {openssl, "x509", "-req", "-in", p((name + ".csr").c_str()), "-CA", p("ca.crt"), "-CAkey",
         p("ca.key"), "-set_serial", serial(), "-out", p((name + ".crt").c_str()), "-days", "2",
         "-extfile", p((name + ".ext").c_str())},
        log);
  };
  if (!issue("server", "sip.test", "DNS:sip.test,IP:127.0.0.1")) return std::nullopt;
  // The common name deliberately matches nothing: only the URI can.
  if (!issue("uri", "sipline uri test", "URI:sip:uri-only.test")) return std::nullopt;

  return Certificates{dir / "ca.crt", dir / "server.crt", dir / "server.key", dir / "uri.crt",
                      dir / "uri.key"};
}

std::string request_text(std::string_view method, const sip::Target& to, const sip::Target& via,
                         std::string_view tag) {
  const auto host = [](const std::string& a) {
    return a.find(':') != std::string::npos ? "[" + a + "]" : a;
  };
  const std::string m(method);
  const std::string t(tag);
  std::string out;
  out += m + " sip:" + host(to.address) + ":" + std::to_string(to.port) + " SIP/2.0\r\n";
  out += "Via: SIP/2.0/" + std::string(sip::to_string(via.transport)) + " " + host(via.address) +
         ":" + std::to_string(via.port) + ";branch=z9hG4bK" + t + ";rport\r\n";
  out += "Max-Forwards: 70\r\n";
  out += "From: <sip:tester@sip.test>;tag=f" + t + "\r\n";
  out += "To: <sip:peer@sip.test>\r\n";
  out += "Call-ID: " + t + "@sipline.test\r\n";
  out += "CSeq: 1 " + m + "\r\n";
  out += "Content-Length: 0\r\n\r\n";
  return out;
}

sip::Message request_message(std::string_view method, const sip::Target& to, const sip::Target& via,
                             std::string_view tag) {
  auto parsed = sip::Message::parse(request_text(method, to, via, tag));
  return std::move(parsed).value();
}

void Recorder::on_message(sip::Message message, const sip::Target& source,
                          const sip::Target& local) {
  if (answer_with != nullptr && message.is_request() && message.method() != sip::Method::ack) {
    const std::string reply = sip::response_to(message, 200).to_bytes();
    (void)answer_with->send_bytes(reply, source);
  }
  messages.push_back(Received{std::move(message), source, local});
}

void Recorder::on_transport_error(const sip::Target& target,
                                  const transport::TransportFailure& failure) {
  failures.push_back(Failure{target, failure, std::chrono::steady_clock::now()});
}

std::size_t Recorder::requests() const {
  std::size_t n = 0;
  for (const auto& r : messages) {
    if (r.message.is_request()) ++n;
  }
  return n;
}

std::size_t Recorder::responses() const {
  return messages.size() - requests();
}

void report_ms(const std::string& key, std::chrono::steady_clock::duration d) {
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  std::printf("[ measured ] %s: %.2f ms\n", key.c_str(), ms);
  ::testing::Test::RecordProperty(key + "_ms", std::to_string(ms));
}

std::unique_ptr<transport::SocketTransport> start_transport(runtime::EventLoop& loop,
                                                            transport::TransportOptions options,
                                                            Recorder& recorder) {
  auto t = std::make_unique<transport::SocketTransport>(loop, std::move(options));
  t->set_events(&recorder);
  auto started = t->start();
  if (!started) {
    ADD_FAILURE_AT(__FILE__, __LINE__) << "transport start failed: " << started.error().message;
    return nullptr;
  }
  return t;
}

sip::Target bound(const transport::SocketTransport& transport, sip::TransportKind kind) {
  for (const auto& t : transport.local_addresses()) {
    if (t.transport == kind) return t;
  }
  return {};
}

}  // namespace sipline::testing

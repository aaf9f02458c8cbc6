// TLS against implementations other than our own. Debian's SIPp is built
// without TLS, so the SIP peer over TLS is kamailio with its tls module
// (package kamailio-tls-modules) answering OPTIONS statelessly; our listener
// is checked with `openssl s_client` as the client. Both verify certificates
// from a throwaway CA. Every child process is killed when its test ends.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"
#include "txn/transaction_layer.hpp"

namespace sipline::testing {
namespace {

using sip::Target;
using sip::TransportKind;

constexpr const char* kModuleDir = "/usr/lib/x86_64-linux-gnu/kamailio/modules";

// Stateless: OPTIONS gets 200 with the transport it arrived on in X-Proto,
// anything else 405. No DNS, so start-up does not depend on resolv.conf.
constexpr const char* kKamailioConfig = R"(#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=no
enable_tls=yes
tcp_crlf_ping=yes
loadpath "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
modparam("tls", "config", TLSCFG)
request_route {
  if (is_method("OPTIONS")) {
    append_to_reply("X-Proto: $proto\r\n");
    sl_send_reply("200", "OK");
    exit;
  }
  sl_send_reply("405", "Method Not Allowed");
}
)";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// Feeds a transport's events into a transaction layer.
class LayerEvents : public transport::TransportEvents {
 public:
  explicit LayerEvents(txn::TransactionLayer& layer) : layer_(layer) {}
  void on_message(sip::Message message, const Target& source, const Target&) override {
    layer_.on_message(std::move(message), source);
  }
  void on_transport_error(const Target& target, const transport::TransportFailure& f) override {
    failures.push_back(f);
    layer_.on_transport_error(target, f.reason);
  }
  void on_keepalive_pong(const Target& target) override { pongs.push_back(target); }
  std::vector<transport::TransportFailure> failures;
  std::vector<Target> pongs;

 private:
  txn::TransactionLayer& layer_;
};

class KamailioTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kamailio_ = find_program("kamailio");
    if (kamailio_.empty()) GTEST_SKIP() << "kamailio is not installed (Debian package kamailio)";
    if (!std::filesystem::exists(std::string(kModuleDir) + "/tls.so")) {
      GTEST_SKIP()
          << "kamailio's tls module is not installed (Debian package kamailio-tls-modules)";
    }
    ASSERT_FALSE(dir.path().empty());
    certs = make_certificates(dir.path());
    if (!certs) GTEST_SKIP() << "the openssl command-line tool is needed to make test certificates";
    ASSERT_TRUE(start_kamailio()) << log();

    options.tls.ca_file = certs->ca_cert.string();
    transport = std::make_unique<transport::SocketTransport>(loop, options);
    ASSERT_TRUE(transport->start());
    layer = std::make_unique<txn::TransactionLayer>(loop, *transport, [this] { return rng(); });
    forward = std::make_unique<LayerEvents>(*layer);
    transport->set_events(forward.get());
  }

  void TearDown() override {
    // The transport refers to `forward`, which refers to the layer.
    if (transport) transport->set_events(nullptr);
  }

  bool start_kamailio() {
    write_file(dir.path() / "tls.cfg",
               "[server:default]\nmethod = TLSv1.2+\n"
               "verify_certificate = no\nrequire_certificate = no\n"
               "certificate = " +
                   certs->server_cert.string() +
                   "\n"
                   "private_key = " +
                   certs->server_key.string() +
                   "\n\n"
                   "[client:default]\nverify_certificate = no\n");
    write_file(dir.path() / "kamailio.cfg", kKamailioConfig);
    std::filesystem::create_directories(dir.path() / "run");
    port = free_port(TransportKind::tcp);
    if (port == 0) return false;
    auto child =
        ChildProcess::start({kamailio_, "-f", (dir.path() / "kamailio.cfg").string(), "-DD", "-E",
                             "-A", "TLSCFG=\"" + (dir.path() / "tls.cfg").string() + "\"", "-l",
                             "tls:127.0.0.1:" + std::to_string(port), "-Y",
                             (dir.path() / "run").string(), "-w", dir.path().string()},
                            dir.path() / "kamailio.log", dir.path());
    if (!child) return false;
    kamailio.emplace(std::move(*child));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!port_taken(TransportKind::tcp, port) && kamailio->running() &&
           std::chrono::steady_clock::now() < deadline) {
      loop.run_for(20ms);
    }
    return kamailio->running() && port_taken(TransportKind::tcp, port);
  }

  Target kamailio_target(std::string name = "sip.test") const {
    return Target{TransportKind::tls, "127.0.0.1", port, std::move(name)};
  }

  struct Outcome {
    std::optional<txn::EndReason> reason;
    std::vector<sip::Message> responses;
    std::chrono::steady_clock::duration took{};
  };

  // Sends an OPTIONS through the transaction layer and runs until it ends.
  Outcome options_to(const Target& to, std::string_view tag) {
    Outcome out;
    const auto begin = std::chrono::steady_clock::now();
    txn::ClientCallbacks callbacks;
    callbacks.on_response = [&](const sip::Message& r) { out.responses.push_back(r); };
    callbacks.on_terminated = [&](txn::EndReason reason) {
      out.reason = reason;
      out.took = std::chrono::steady_clock::now() - begin;
    };
    const std::string branch = layer->new_branch();
    const Target via{TransportKind::tls, "127.0.0.1", 5061, {}};
    auto id = layer->send_request(
        request_message("OPTIONS", to, via, std::string(tag) + branch.substr(7)), to, callbacks);
    EXPECT_TRUE(id) << id.error().message;
    if (!id) return out;
    // Timer K is 0 on a reliable transport, so a final response ends it at once.
    EXPECT_TRUE(loop.run_until([&] { return out.reason.has_value(); }, 10s));
    return out;
  }

  std::string log() const { return read_file(dir.path() / "kamailio.log"); }

  std::string kamailio_;
  TempDir dir;
  std::optional<Certificates> certs;
  std::optional<ChildProcess> kamailio;
  std::uint16_t port = 0;
  runtime::EventLoop loop;
  std::mt19937_64 rng{std::random_device{}()};
  transport::TransportOptions options;
  std::unique_ptr<transport::SocketTransport> transport;
  std::unique_ptr<txn::TransactionLayer> layer;
  std::unique_ptr<LayerEvents> forward;
};

TEST_F(KamailioTlsTest, OptionsAnsweredOverAVerifiedConnection) {
  const Outcome out = options_to(kamailio_target(), "kt");
  ASSERT_EQ(out.reason, txn::EndReason::completed) << log();
  ASSERT_EQ(out.responses.size(), 1u);
  EXPECT_EQ(out.responses[0].status_code(), 200);
  // Kamailio says the request reached it over TLS.
  EXPECT_EQ(out.responses[0].header("X-Proto"), "tls");
  EXPECT_NE(out.responses[0].header("Server").value_or("").find("kamailio"),
            std::string_view::npos);
  EXPECT_TRUE(forward->failures.empty());
  EXPECT_TRUE(transport->has_connection(kamailio_target()));
  EXPECT_EQ(transport->stats().tls_connections, 1u);

  // A second request reuses the verified connection.
  const Outcome again = options_to(kamailio_target(), "kt2");
  EXPECT_EQ(again.reason, txn::EndReason::completed);
  EXPECT_EQ(transport->stats().tls_connections, 1u);
}

TEST_F(KamailioTlsTest, NameMismatchEndsTheTransactionWithTlsFailure) {
  // The certificate names sip.test and 127.0.0.1, not this domain (RFC 5922 §7.3).
  const Outcome out = options_to(kamailio_target("other.test"), "kx");
  ASSERT_EQ(out.reason, txn::EndReason::tls_failure);
  EXPECT_TRUE(out.responses.empty());
  ASSERT_FALSE(forward->failures.empty());
  EXPECT_EQ(forward->failures[0].reason, sip::TransportError::tls_failure);
  EXPECT_NE(forward->failures[0].detail.find("verif"), std::string::npos)
      << forward->failures[0].detail;
  EXPECT_LT(out.took, 2s);
}

TEST_F(KamailioTlsTest, KeepAlivePingsAreAnsweredByKamailio) {
  // RFC 5626 §4.4.1: CRLFCRLF ping, CRLF pong, on the TLS flow.
  const Target to = kamailio_target();
  ASSERT_EQ(options_to(to, "ka").reason, txn::EndReason::completed) << log();
  ASSERT_TRUE(transport->start_keepalive(to, 200ms));
  ASSERT_TRUE(loop.run_until([&] { return forward->pongs.size() >= 2; }, 5s)) << log();
  EXPECT_EQ(forward->pongs[0], to);
  EXPECT_TRUE(forward->failures.empty());
  transport->stop_keepalive(to);
}

TEST_F(KamailioTlsTest, StoppedPeerIsRefusedWithinMilliseconds) {
  const Target to = kamailio_target();
  ASSERT_EQ(options_to(to, "kd1").reason, txn::EndReason::completed) << log();
  kamailio->kill();
  // The open flow dies with the process; the next request connects anew and
  // is refused.
  ASSERT_TRUE(loop.run_until([&] { return !transport->has_connection(to); }, 2s));
  const Outcome out = options_to(to, "kd2");
  EXPECT_EQ(out.reason, txn::EndReason::refused);
  report_ms("kamailio_tls_refused", out.took);
  EXPECT_LT(out.took, 100ms);
}

// Our TLS listener with OpenSSL's own client as the peer: the chain and the
// name verify on its side, and the request it sends gets our 200.
TEST(OpensslClientTest, VerifiesAndReachesOurTlsListener) {
  const std::string openssl = find_program("openssl");
  if (openssl.empty()) GTEST_SKIP() << "the openssl command-line tool is not installed";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const auto certs = make_certificates(dir.path());
  ASSERT_TRUE(certs);

  runtime::EventLoop loop;
  Recorder events;
  transport::TransportOptions options;
  options.listen.push_back(Target{TransportKind::tls, "127.0.0.1", 0, {}});
  options.tls.cert_file = certs->server_cert.string();
  options.tls.key_file = certs->server_key.string();
  auto server = start_transport(loop, options, events);
  ASSERT_TRUE(server);
  events.answer_with = server.get();
  const Target here = bound(*server, TransportKind::tls);

  const Target via{TransportKind::tls, "127.0.0.1", 5061, {}};
  write_file(dir.path() / "request.sip", request_text("OPTIONS", here, via, "ossl"));
  // -ign_eof keeps the connection open after the request so that the
  // response can arrive; the process is killed once it has.
  const std::string command = openssl +
                              " s_client -connect 127.0.0.1:" + std::to_string(here.port) +
                              " -CAfile " + certs->ca_cert.string() +
                              " -verify_hostname sip.test -verify_return_error -quiet -ign_eof < " +
                              (dir.path() / "request.sip").string();
  auto client = ChildProcess::start({"/bin/sh", "-c", command}, dir.path() / "client.log");
  ASSERT_TRUE(client);
  const auto client_log = [&] { return read_file(dir.path() / "client.log"); };
  // The client's output is not an event of our loop: poll it, bounded.
  bool answered = false;
  for (int i = 0; i < 500 && !answered; ++i) {
    loop.run_for(20ms);
    answered = client_log().find("SIP/2.0 200 OK") != std::string::npos;
  }
  ASSERT_TRUE(answered) << client_log();
  ASSERT_EQ(events.requests(), 1u);
  EXPECT_EQ(events.messages[0].source.transport, TransportKind::tls);
  EXPECT_EQ(events.messages[0].message.call_id(), "ossl@sipline.test");
  EXPECT_EQ(client_log().find("verify error"), std::string::npos) << client_log();
  EXPECT_TRUE(events.failures.empty());
}

}  // namespace
}  // namespace sipline::testing

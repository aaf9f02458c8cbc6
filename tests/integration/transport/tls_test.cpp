// TLS on loopback against our own TLS listener, with a throwaway CA: server
// verification on by default, RFC 5922 name matching, SNI, and connection
// keying by verified name.

#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "runtime/asio_access.hpp"
#include "support.hpp"

namespace sipline::testing {
namespace {

using sip::Target;
using sip::TransportKind;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir.path().empty());
    certs = make_certificates(dir.path());
    if (!certs) GTEST_SKIP() << "the openssl command-line tool is needed to make test certificates";
  }

  transport::TransportOptions server(bool uri_cert = false) const {
    transport::TransportOptions options;
    options.listen.push_back(Target{TransportKind::tls, "127.0.0.1", 0, {}});
    options.tls.cert_file = (uri_cert ? certs->uri_cert : certs->server_cert).string();
    options.tls.key_file = (uri_cert ? certs->uri_key : certs->server_key).string();
    return options;
  }

  transport::TransportOptions client() const {
    transport::TransportOptions options;
    options.tls.ca_file = certs->ca_cert.string();
    return options;
  }

  // Sends an OPTIONS to `to` and runs until a response or a failure.
  void exchange(transport::SocketTransport& from, const Target& to, std::string_view tag) {
    const std::size_t before = a_events.messages.size() + a_events.failures.size();
    ASSERT_TRUE(from.send_bytes(request_text("OPTIONS", to, to, tag), to));
    ASSERT_TRUE(loop.run_until(
        [&] { return a_events.messages.size() + a_events.failures.size() > before; }, 5s));
  }

  Target tls_target(const transport::SocketTransport& listener, std::string name) const {
    Target t = bound(listener, TransportKind::tls);
    t.server_name = std::move(name);
    return t;
  }

  TempDir dir;
  std::optional<Certificates> certs;
  runtime::EventLoop loop;
  Recorder a_events;
  Recorder b_events;
};

TEST_F(TlsTest, VerifiedExchangeWithTheSipDomain) {
  auto b = start_transport(loop, server(), b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  const Target to = tls_target(*b, "sip.test");
  exchange(*a, to, "tls1");
  ASSERT_EQ(a_events.failures.size(), 0u) << describe(a_events.failures[0].failure);
  ASSERT_EQ(a_events.responses(), 1u);
  // The response is attributed to the verified flow, name included, so a
  // reply to it reuses that flow.
  EXPECT_EQ(a_events.messages[0].source, to);
  EXPECT_EQ(b_events.messages[0].source.transport, TransportKind::tls);
  EXPECT_TRUE(a->has_connection(to));
  EXPECT_EQ(a->stats().tls_connections, 1u);
}

TEST_F(TlsTest, HostnameMismatchFailsWithAClearReason) {
  auto b = start_transport(loop, server(), b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  const Target wrong = tls_target(*b, "wrong.test");
  exchange(*a, wrong, "mismatch");
  ASSERT_EQ(a_events.failures.size(), 1u);
  EXPECT_EQ(a_events.failures[0].target, wrong);
  EXPECT_EQ(describe(a_events.failures[0].failure),
            "tls_failure: certificate verify failed: hostname mismatch");
  EXPECT_TRUE(b_events.messages.empty());
  EXPECT_FALSE(a->has_connection(wrong));
}

TEST_F(TlsTest, UntrustedIssuerIsRejectedByDefault) {
  auto b = start_transport(loop, server(), b_events);
  // No CA given: the system trust store, which does not know our test CA.
  auto a = start_transport(loop, {}, a_events);
  ASSERT_TRUE(a && b);
  exchange(*a, tls_target(*b, "sip.test"), "untrusted");
  ASSERT_EQ(a_events.failures.size(), 1u);
  EXPECT_EQ(a_events.failures[0].failure.reason, sip::TransportError::tls_failure);
  EXPECT_EQ(a_events.failures[0].failure.detail.rfind("certificate verify failed: ", 0), 0u)
      << a_events.failures[0].failure.detail;
  EXPECT_TRUE(b_events.messages.empty());
}

TEST_F(TlsTest, VerificationCanBeTurnedOff) {
  auto b = start_transport(loop, server(), b_events);
  transport::TransportOptions lax;
  lax.tls.verify_server = false;
  auto a = start_transport(loop, lax, a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  exchange(*a, tls_target(*b, "anything.test"), "lax");
  EXPECT_TRUE(a_events.failures.empty());
  EXPECT_EQ(b_events.messages.size(), 1u);
}

TEST_F(TlsTest, WithoutADomainTheAddressIsVerified) {
  auto b = start_transport(loop, server(), b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  exchange(*a, tls_target(*b, ""), "by-ip");  // the certificate lists IP:127.0.0.1
  EXPECT_TRUE(a_events.failures.empty());
  EXPECT_EQ(a_events.responses(), 1u);
}

TEST_F(TlsTest, SipUriSubjectAltNameMatchesTheDomain) {
  auto b = start_transport(loop, server(true), b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  exchange(*a, tls_target(*b, "uri-only.test"), "uri-ok");
  ASSERT_TRUE(a_events.failures.empty()) << describe(a_events.failures[0].failure);
  EXPECT_EQ(b_events.messages.size(), 1u);

  exchange(*a, tls_target(*b, "other.test"), "uri-bad");
  ASSERT_EQ(a_events.failures.size(), 1u);
  EXPECT_EQ(a_events.failures[0].failure.detail, "certificate verify failed: hostname mismatch");
}

TEST_F(TlsTest, AFlowVerifiedForOneDomainIsNotReusedForAnother) {
  auto b = start_transport(loop, server(), b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  const Target good = tls_target(*b, "sip.test");
  const Target evil = tls_target(*b, "evil.test");  // same address and port
  exchange(*a, good, "good");
  ASSERT_TRUE(loop.run_until([&] { return b_events.messages.size() == 1; }, 2s));
  ASSERT_TRUE(a->has_connection(good));

  exchange(*a, evil, "evil");
  ASSERT_EQ(a_events.failures.size(), 1u);
  EXPECT_EQ(a_events.failures[0].target, evil);
  EXPECT_EQ(a_events.failures[0].failure.reason, sip::TransportError::tls_failure);
  // Only the verified request arrived, and the verified flow is intact.
  loop.run_for(50ms);
  EXPECT_EQ(b_events.messages.size(), 1u);
  EXPECT_TRUE(a->has_connection(good));
}

TEST_F(TlsTest, ListenerSurvivesAPlainTextClient) {
  auto b = start_transport(loop, server(), b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  const Target to = tls_target(*b, "sip.test");
  asio::ip::tcp::socket raw(runtime::io_context_of(loop));
  raw.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), to.port));
  asio::write(raw, asio::buffer(request_text("OPTIONS", to, to, "plain")));
  char byte = 0;
  std::optional<std::error_code> read_result;
  raw.async_read_some(asio::buffer(&byte, 1),
                      [&](const std::error_code& ec, std::size_t) { read_result = ec; });
  ASSERT_TRUE(loop.run_until([&] { return read_result.has_value(); }, 5s));
  EXPECT_TRUE(b_events.messages.empty());
  EXPECT_TRUE(b_events.failures.empty());  // nobody was waiting on that connection

  exchange(*a, to, "after-plain");
  EXPECT_TRUE(a_events.failures.empty());
  EXPECT_EQ(a_events.responses(), 1u);
}

TEST_F(TlsTest, Ipv6VerifiedExchange) {
  transport::TransportOptions v6 = server();
  v6.listen[0].address = "::1";
  auto b = start_transport(loop, v6, b_events);
  auto a = start_transport(loop, client(), a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  const Target to = tls_target(*b, "sip.test");
  ASSERT_EQ(to.address, "::1");
  exchange(*a, to, "tls-v6");
  ASSERT_TRUE(a_events.failures.empty()) << describe(a_events.failures[0].failure);
  ASSERT_EQ(a_events.responses(), 1u);
  EXPECT_EQ(a_events.messages[0].source, to);
  EXPECT_EQ(b_events.messages[0].source.address, "::1");
}

TEST_F(TlsTest, CaDirectoryIsATrustAnchor) {
  // A hashed directory (openssl rehash) instead of a file.
  const auto ca_dir = dir.path() / "ca-dir";
  std::filesystem::create_directories(ca_dir);
  std::filesystem::copy_file(certs->ca_cert, ca_dir / "ca.pem");
  ASSERT_TRUE(
      run_command({find_program("openssl"), "rehash", ca_dir.string()}, dir.path() / "rehash.log"));
  auto b = start_transport(loop, server(), b_events);
  transport::TransportOptions by_dir;
  by_dir.tls.ca_dir = ca_dir.string();
  auto a = start_transport(loop, by_dir, a_events);
  ASSERT_TRUE(a && b);
  b_events.answer_with = b.get();
  exchange(*a, tls_target(*b, "sip.test"), "ca-dir");
  ASSERT_TRUE(a_events.failures.empty()) << describe(a_events.failures[0].failure);
  EXPECT_EQ(a_events.responses(), 1u);
}

TEST_F(TlsTest, ListenerNeedsACertificate) {
  transport::TransportOptions options;
  options.listen.push_back(Target{TransportKind::tls, "127.0.0.1", 0, {}});
  transport::SocketTransport t(loop, options);
  const auto started = t.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message, "a TLS listener needs a certificate and a key");
}

TEST_F(TlsTest, BadCertificatePathsAreReportedAtStart) {
  transport::TransportOptions options;
  options.tls.ca_file = (dir.path() / "missing-ca.pem").string();
  transport::SocketTransport t(loop, options);
  const auto started = t.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("cannot load CA file"), std::string::npos);

  transport::TransportOptions mismatched = server();
  mismatched.tls.key_file = certs->uri_key.string();
  transport::SocketTransport u(loop, mismatched);
  ASSERT_FALSE(u.start());
}

}  // namespace
}  // namespace sipline::testing

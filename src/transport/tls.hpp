#pragma once
// OpenSSL contexts and per-connection setup for SIP over TLS. Internal to the
// socket transports (it names Asio types).
//
// Client side, by default: the server chain is verified against the
// configured (or system) trust anchors, SNI carries the SIP domain, and the
// certificate must name that domain (RFC 5922 §7.2): a subjectAltName URI
// "sip:<domain>" or a dNSName equal to it; wildcards are not accepted. A
// target with no domain is checked against its IP address instead.

#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <memory>
#include <string>
#include <system_error>

#include "common/result.hpp"
#include "sip/target.hpp"
#include "transport/options.hpp"

namespace sipline::transport {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

class TlsContexts {
 public:
  // Fails on unreadable CA/certificate/key files or a key that does not match
  // the certificate.
  static Result<std::unique_ptr<TlsContexts>> create(const TlsOptions& options);

  asio::ssl::context& client() noexcept { return client_; }
  // Null without a certificate and key: inbound TLS is then not possible.
  asio::ssl::context* server() noexcept { return server_ ? server_.get() : nullptr; }
  bool verify_server() const noexcept { return verify_server_; }

 private:
  TlsContexts();
  asio::ssl::context client_;
  std::unique_ptr<asio::ssl::context> server_;
  bool verify_server_ = true;
};

// Sets SNI and the expected identity on a client stream before its handshake.
Result<void> prepare_client(TlsStream& stream, const sip::Target& target, bool verify);

// A readable reason for a failed handshake: the certificate verification
// error when there is one ("certificate verify failed: hostname mismatch"),
// else OpenSSL's own message.
std::string describe_handshake_error(TlsStream& stream, const std::error_code& ec);

// True when `domain` appears as a subjectAltName URI sip:<domain> or
// sips:<domain> (RFC 5922 §7.1), compared case-insensitively.
bool certificate_has_sip_uri(X509* certificate, std::string_view domain);

}  // namespace sipline::transport

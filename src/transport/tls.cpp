#include "transport/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

#include "transport/endpoints.hpp"

namespace sipline::transport {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Result<void> check(const std::error_code& ec, std::string_view what, std::string_view path) {
  if (!ec) return ok();
  return fail(Errc::io, std::string(what) + " '" + std::string(path) + "': " + ec.message());
}

}  // namespace

TlsContexts::TlsContexts() : client_(asio::ssl::context::tls_client) {}

Result<std::unique_ptr<TlsContexts>> TlsContexts::create(const TlsOptions& options) {
  std::unique_ptr<TlsContexts> contexts(new TlsContexts());
  contexts->verify_server_ = options.verify_server;
  std::error_code ec;

  asio::ssl::context& client = contexts->client_;
  // RFC 8996: nothing older than TLS 1.2.
  SSL_CTX_set_min_proto_version(client.native_handle(), TLS1_2_VERSION);
  client.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression,
                     ec);
  if (options.ca_file.empty() && options.ca_dir.empty()) {
    client.set_default_verify_paths(ec);
    SIPLINE_TRY(check(ec, "cannot load the system trust store", ""));
  }
  if (!options.ca_file.empty()) {
    client.load_verify_file(options.ca_file, ec);
    SIPLINE_TRY(check(ec, "cannot load CA file", options.ca_file));
  }
  if (!options.ca_dir.empty()) {
    client.add_verify_path(options.ca_dir, ec);
    SIPLINE_TRY(check(ec, "cannot use CA directory", options.ca_dir));
  }
  client.set_verify_mode(options.verify_server ? asio::ssl::verify_peer : asio::ssl::verify_none,
                         ec);

  if (options.cert_file.empty() != options.key_file.empty()) {
    return fail(Errc::missing, "TLS certificate and key must be given together");
  }
  if (!options.cert_file.empty()) {
    client.use_certificate_chain_file(options.cert_file, ec);
    SIPLINE_TRY(check(ec, "cannot load certificate", options.cert_file));
    client.use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
    SIPLINE_TRY(check(ec, "cannot load private key", options.key_file));

    auto server = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(server->native_handle(), TLS1_2_VERSION);
    server->set_options(
        asio::ssl::context::default_workarounds | asio::ssl::context::no_compression, ec);
    server->use_certificate_chain_file(options.cert_file, ec);
    SIPLINE_TRY(check(ec, "cannot load certificate", options.cert_file));
    server->use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
    SIPLINE_TRY(check(ec, "cannot load private key", options.key_file));
    if (SSL_CTX_check_private_key(server->native_handle()) != 1) {
      return fail(Errc::malformed, "private key '" + options.key_file +
                                       "' does not match certificate '" + options.cert_file + "'");
    }
    if (options.verify_client) {
      if (!options.ca_file.empty()) server->load_verify_file(options.ca_file, ec);
      if (!options.ca_dir.empty()) server->add_verify_path(options.ca_dir, ec);
      server->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    } else {
      server->set_verify_mode(asio::ssl::verify_none, ec);
    }
    contexts->server_ = std::move(server);
  }
  return contexts;
}

Result<void> prepare_client(TlsStream& stream, const sip::Target& target, bool verify) {
  SSL* ssl = stream.native_handle();
  const std::string& domain = target.server_name;
  const bool domain_is_ip = !domain.empty() && parse_address(domain).has_value();

  // RFC 6066 §3: SNI carries host names only, never an address literal.
  if (!domain.empty() && !domain_is_ip &&
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(domain.c_str())) != 1) {
    return fail(Errc::malformed, "invalid TLS server name '" + domain + "'");
  }
  if (!verify) return ok();

  std::error_code ec;
  stream.set_verify_mode(asio::ssl::verify_peer, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (domain.empty() || domain_is_ip) {
    const std::string& ip = domain.empty() ? target.address : domain;
    if (X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str()) != 1) {
      return fail(Errc::malformed, "cannot verify a certificate for address '" + ip + "'");
    }
    return ok();
  }
  // RFC 5922 §7.2: the domain must match exactly, no wildcards.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_WILDCARDS);
  if (SSL_set1_host(ssl, domain.c_str()) != 1) {
    return fail(Errc::malformed, "invalid TLS server name '" + domain + "'");
  }
  // OpenSSL checks dNSName only; a certificate naming the domain as a SIP URI
  // (RFC 5922 §7.1) is accepted here.
  stream.set_verify_callback(
      [domain](bool preverified, asio::ssl::verify_context& context) {
        X509_STORE_CTX* store = context.native_handle();
        if (preverified || X509_STORE_CTX_get_error(store) != X509_V_ERR_HOSTNAME_MISMATCH ||
            X509_STORE_CTX_get_error_depth(store) != 0) {
          return preverified;
        }
        if (!certificate_has_sip_uri(X509_STORE_CTX_get_current_cert(store), domain)) return false;
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return true;
      },
      ec);
  return ok();
}

std::string describe_handshake_error(TlsStream& stream, const std::error_code& ec) {
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return "handshake failed: " + ec.message();
}

bool certificate_has_sip_uri(X509* certificate, std::string_view domain) {
  if (certificate == nullptr) return false;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                static_cast<std::size_t>(ASN1_STRING_length(uri)));
    for (std::string_view scheme : {std::string_view("sip:"), std::string_view("sips:")}) {
      if (text.size() > scheme.size() && iequals(text.substr(0, scheme.size()), scheme) &&
          iequals(text.substr(scheme.size()), domain)) {
        found = true;
      }
    }
  }
  GENERAL_NAMES_free(names);
  return found;
}

}  // namespace sipline::transport

#include "support/tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace herald::test_support {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason ("no such file", "key values mismatch") says more than
// Asio's generic error code.
std::string openssl_reason(const boost::system::error_code& ec) {
  auto code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0)
    return ec.message();
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

int openssl_version(tls_version v) {
  switch (v) {
    case tls_version::tls1_1:
      return TLS1_1_VERSION;
    case tls_version::tls1_2:
      return TLS1_2_VERSION;
    case tls_version::tls1_3:
      return TLS1_3_VERSION;
  }
  return 0;
}

} // namespace

std::shared_ptr<ssl::context> make_client_tls_context(const tls_options& opts,
                                                      std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  auto* native = ctx->native_handle();
  boost::system::error_code ec;
  auto failed = [&](const std::string& what, const std::string& path) {
    error = "tls client: cannot use " + what + " \"" + path + "\": " + openssl_reason(ec);
    return nullptr;
  };
  SSL_CTX_set_max_proto_version(native, openssl_version(opts.max_version));
  if (opts.max_version == tls_version::tls1_1) {
    // OpenSSL 3 refuses TLS 1.1 at any security level above 0; lift that
    // on our side so the handshake tests the server's minimum, not ours.
    SSL_CTX_set_security_level(native, 0);
    SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
    SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (!ec)
    ctx->load_verify_file(opts.ca_file, ec);
  if (ec)
    return failed("CA", opts.ca_file);
  if (!opts.cert_file.empty()) {
    ctx->use_certificate_chain_file(opts.cert_file, ec);
    if (ec)
      return failed("certificate", opts.cert_file);
    ctx->use_private_key_file(opts.key_file, ssl::context::pem, ec);
    if (ec)
      return failed("private key", opts.key_file);
  }
  return ctx;
}

bool prepare_tls_connection(SSL* ssl, const tls_options& opts, std::string& error) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(opts.host, ec);
  bool is_ip = !ec;
  bool ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), opts.host.c_str()) == 1
                  : SSL_set1_host(ssl, opts.host.c_str()) == 1
                      && SSL_set_tlsext_host_name(ssl, opts.host.c_str()) == 1;
  if (!ok)
    error = "tls client: cannot verify host \"" + opts.host + "\"";
  return ok;
}

} // namespace herald::test_support

#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "config/config.hpp"

namespace herald {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's own words for the last failure ("no such file", "key values
// mismatch"), which say more than Asio's generic error.
std::string openssl_reason(const boost::system::error_code& ec) {
  auto code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0)
    return ec.message();
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

} // namespace

std::shared_ptr<ssl::context> make_tls_context(const config& cfg, std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  auto failed = [&](const std::string& what, const std::string& path) {
    error = "tls: cannot use " + what + " \"" + path + "\": " + openssl_reason(ec);
    return nullptr;
  };
  // SSLv3, TLS 1.0 and 1.1 are broken or deprecated (RFC 8996); every
  // browser and client library of the last decade speaks TLS 1.2.
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression
                     | ssl::context::single_dh_use,
                   ec);
  // Renegotiation started by clients is a cheap way to make a server do
  // expensive work; TLS 1.3 has none, for 1.2 refuse it.
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  // OpenSSL's record buffers (about 34 KiB) are freed while a connection
  // is idle, which is most of a push connection's life.
  SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
  ec.clear();
  ctx->use_certificate_chain_file(cfg.tls_cert, ec);
  if (ec)
    return failed("certificate", cfg.tls_cert);
  ctx->use_private_key_file(cfg.tls_key, ssl::context::pem, ec);
  if (ec)
    return failed("private key", cfg.tls_key);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return failed("private key", cfg.tls_key + "\" with \"" + cfg.tls_cert);
  if (!cfg.tls_ca.empty()) {
    ctx->load_verify_file(cfg.tls_ca, ec);
    if (ec)
      return failed("CA bundle", cfg.tls_ca);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec)
      return failed("CA bundle", cfg.tls_ca);
  }
  return ctx;
}

} // namespace herald

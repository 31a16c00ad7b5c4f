#pragma once

// The client side TLS context for tls_options, shared by the test clients.
// Included only by the client .cpp files.

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "support/tls_options.hpp"

namespace herald::test_support {

/// Verifies the server against opts.ca_file and opts.host, presents the
/// client certificate if one is set. Null and `error` set if a file cannot
/// be used.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const tls_options& opts,
                                                                   std::string& error);

/// Host name verification and SNI for one connection; false and `error` set
/// if OpenSSL refuses them.
bool prepare_tls_connection(SSL* ssl, const tls_options& opts, std::string& error);

} // namespace herald::test_support

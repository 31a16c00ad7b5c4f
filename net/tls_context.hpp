#pragma once

// The server's TLS settings, built once from [tls] and shared by every
// connection of the TLS listener: the certificate chain and key, TLS 1.2 as
// the oldest protocol, and, with a CA bundle, client certificates required.

#include <memory>
#include <string>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace herald {

struct config;

/// A connection of the TLS listener: TLS over the same timed TCP stream the
/// plain listener uses.
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// The context for cfg.tls_cert / tls_key / tls_ca, or null and one line in
/// `error` naming the file and what is wrong with it. Call only when TLS is
/// configured (cert and key set).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const config& cfg, std::string& error);

} // namespace herald

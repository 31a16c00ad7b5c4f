#pragma once

// A blocking HTTP/1.1 client for integration tests: one keep-alive
// connection to 127.0.0.1, plain or over TLS, every call bounded by a
// timeout, and a raw mode for bytes no well-behaved client would send.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/tls_options.hpp"

namespace herald::test_support {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
  int status = 0;    // 0: no response arrived, see `error`
  std::string error; // transport or parse failure
  std::map<std::string, std::string> headers; // names in lower case
  std::string body;
  bool keep_alive = false;

  /// Value of a header (name in any case), empty if absent.
  std::string header(const std::string& name) const;
};

class http_client {
public:
  explicit http_client(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// With `tls` set, every connection is https (raw mode writes and reads
  /// the bytes inside TLS).
  http_client(uint16_t port, std::optional<tls_options> tls,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Opens the connection, with the TLS handshake if TLS is on (request()
  /// also does this when needed). On failure last_error() says why.
  bool connect(std::chrono::milliseconds timeout = std::chrono::seconds(2));
  const std::string& last_error() const;
  bool is_open() const;
  void close();

  /// Sends one request on the kept-alive connection (reconnecting if the
  /// server closed it after the previous answer) and reads the answer.
  /// Host and Content-Length are set unless `headers` set them.
  http_response request(const std::string& method, const std::string& target,
                        const std::string& body = {}, const header_list& headers = {});

  // --- raw mode -----------------------------------------------------------
  /// Writes bytes as they are.
  bool send_raw(const std::string& bytes);
  /// Parses one response from whatever the server sends next.
  http_response read_response();
  /// True if the server closes the connection within `timeout` (data that
  /// arrives before is discarded); false if it is still open then, and the
  /// client closes it (as after any timed-out call).
  bool wait_closed(std::chrono::milliseconds timeout);

  uint16_t port() const { return port_; }

private:
  struct impl;
  uint16_t port_;
  std::optional<tls_options> tls_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<impl> impl_;
};

} // namespace herald::test_support

#pragma once

// herald's network front: the HTTP API and the WebSocket endpoint on one
// port. No Beast or Asio here, so app/ stays quick to compile.

#include <cstdint>
#include <memory>
#include <string>

namespace herald {

struct config;
class hub;

class server {
public:
  /// `cfg` and `h` must outlive the server.
  server(const config& cfg, hub& h);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens on cfg.listen_address:cfg.port (over TLS when [tls]
  /// has a certificate, which is loaded here) and on the plain listener next
  /// to it, if any. On failure: false and one line in `error` ("cannot
  /// listen on 127.0.0.1:9999: Address already in use", "tls: cannot use
  /// certificate ...").
  bool listen(std::string& error);

  /// The bound port (useful with port 0), after listen().
  uint16_t port() const;
  /// The plain listener's port next to TLS ([tls] plain_listen), 0 if none.
  uint16_t plain_port() const;

  /// Serves on cfg.io_threads threads, the caller's being one. Handles
  /// SIGINT/SIGTERM itself; returns after a graceful shutdown: accepting
  /// stops, WebSockets are closed with 1001, publishes in flight get their
  /// response, idle HTTP connections are closed (bounded by
  /// cfg.shutdown_timeout). A second signal cuts the wait short.
  void run();

  /// Starts the same shutdown as a signal. Thread-safe; idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace herald

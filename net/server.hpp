#pragma once

// herald's network front: the HTTP API and the WebSocket endpoint on one
// port. No Beast or Asio here, so app/ stays quick to compile.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace herald {

struct config;
class hub;
class metrics_registry;

class server {
public:
  /// `h` must outlive the server. `cfg` is the config it starts with;
  /// apply_config replaces it.
  server(std::shared_ptr<const config> cfg, hub& h);
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
  /// SIGHUP calls the reload handler (see on_reload).
  void run();

  /// Starts the same shutdown as a signal. Thread-safe; idempotent.
  void stop();

  /// What SIGHUP does: typically read the config again and apply_config it.
  /// Runs on a thread of its own, never an I/O thread, one reload at a time.
  /// Set before run(); without one, SIGHUP is ignored.
  void on_reload(std::function<void()> reload);

  /// A config reload: requests and connections that start from now on use
  /// `next` (tokens, origins, limits, timeouts, WebSocket settings); open
  /// ones keep what they started with. Settings that need a restart
  /// (listen, threads, TLS) must be the running ones (config/reload.hpp's
  /// plan keeps them). Thread-safe.
  void apply_config(std::shared_ptr<const config> next);

  /// Lists the I/O threads' metrics blocks in `registry` and serves it at
  /// GET /metrics. Call before run().
  void attach_metrics(std::shared_ptr<metrics_registry> registry);

  /// The config in force. Thread-safe.
  std::shared_ptr<const config> current_config() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace herald

#pragma once

// What every connection of one server shares: the config, the hub, the
// shutdown flag, the count of publishes awaiting their response, the
// publish rate limit, and the list of open HTTP connections (so shutdown
// can close the idle ones).
// Thread-safe; no Beast, so it stays cheap to include.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "net/publish_limiter.hpp"

namespace herald {

struct config;
class hub;
class metrics_registry;

class server_state {
public:
  server_state(std::shared_ptr<const config> cfg, hub& h);

  /// The config in force. A config reload swaps it from another thread at
  /// any moment, so take it once per request (or per new connection) and
  /// read that snapshot throughout: one request never sees two configs.
  std::shared_ptr<const config> cfg() const { return std::atomic_load(&cfg_); }
  /// Makes `next` the config of every request and connection that starts
  /// from now on, and gives the publish limiter its [limits] and tokens.
  void set_cfg(std::shared_ptr<const config> next);
  hub& actors() const { return hub_; }

  /// What GET /metrics renders; null (404) until set. Set before serving.
  void set_metrics(std::shared_ptr<const metrics_registry> registry) {
    metrics_ = std::move(registry);
  }
  const std::shared_ptr<const metrics_registry>& metrics() const { return metrics_; }

  /// [limits] publish_rate / publish_burst, one bucket per configured token.
  publish_limiter& publish_limit() { return publish_limit_; }

  uint64_t next_connection_id() { return next_id_.fetch_add(1) + 1; }

  /// Set once shutdown begins: no new publishes, no new upgrades, and every
  /// response closes its connection.
  bool stopping() const { return stopping_.load(); }
  void begin_stopping() { stopping_.store(true); }

  /// Counts one publish from its dispatch until its response is written, so
  /// shutdown waits for a committed message's 200. Move-only; empty when the
  /// server is stopping (the publish must then be refused).
  class publish_ticket {
  public:
    publish_ticket() = default;
    explicit publish_ticket(server_state* s) : state_(s) {}
    publish_ticket(publish_ticket&& other) noexcept : state_(other.state_) { other.state_ = nullptr; }
    publish_ticket& operator=(publish_ticket&& other) noexcept;
    publish_ticket(const publish_ticket&) = delete;
    publish_ticket& operator=(const publish_ticket&) = delete;
    ~publish_ticket() { reset(); }
    void reset();
    explicit operator bool() const { return state_ != nullptr; }

  private:
    server_state* state_ = nullptr;
  };
  publish_ticket begin_publish();
  int64_t publishes_in_flight() const { return publishes_.load(); }

  /// Open HTTP connections. `close` must be thread-safe (it posts to the
  /// connection's strand) and must not call back into this registry.
  void add_connection(uint64_t id, std::function<void()> close);
  void remove_connection(uint64_t id);
  std::size_t connection_count() const;
  /// Asks every registered connection to close once it is idle.
  void close_connections();

private:
  std::shared_ptr<const config> cfg_; // only through std::atomic_load/store
  hub& hub_;
  std::shared_ptr<const metrics_registry> metrics_;
  std::atomic<uint64_t> next_id_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> publishes_{0};
  publish_limiter publish_limit_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, std::function<void()>> connections_;
};

} // namespace herald

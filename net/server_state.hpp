#pragma once

// What every connection of one server shares: the config, the hub, the
// shutdown flag, the count of publishes awaiting their response, the
// publish rate limit, and the list of open HTTP connections (so shutdown
// can close the idle ones).
// Thread-safe; no Beast, so it stays cheap to include.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "net/publish_limiter.hpp"

namespace herald {

struct config;
class hub;

class server_state {
public:
  server_state(const config& cfg, hub& h);

  const config& cfg() const { return cfg_; }
  hub& actors() const { return hub_; }

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
  const config& cfg_;
  hub& hub_;
  std::atomic<uint64_t> next_id_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> publishes_{0};
  publish_limiter publish_limit_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, std::function<void()>> connections_;
};

} // namespace herald

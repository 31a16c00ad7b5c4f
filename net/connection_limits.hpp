#pragma once

// How many connections may be open at once, in total and per client
// address. A connection holds a slot from accept until it ends, as HTTP or
// as WebSocket; the slot gives itself back when destroyed. Thread-safe, and
// slots may outlive the connection_limits they came from (a WebSocket can
// still be closing after the listener is gone).

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

namespace herald {

/// Why a connection was not let in.
enum class connection_refusal {
  none,           // it was let in
  total,          // max_connections are open
  per_address,    // max_connections_per_ip are open from this address
};

class connection_limits {
  struct counts;

public:
  /// One open connection's place in the counts. Move-only; an empty slot
  /// (refused, or moved from) releases nothing.
  class slot {
  public:
    slot() = default;
    slot(slot&& other) noexcept;
    slot& operator=(slot&& other) noexcept;
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() { release(); }

    /// Gives the place back now (the destructor does the same).
    void release();
    explicit operator bool() const { return counts_ != nullptr; }
    /// For an empty slot from try_acquire: why it was refused.
    connection_refusal refusal() const { return refusal_; }

  private:
    friend class connection_limits;
    slot(std::shared_ptr<counts> c, std::string address);
    explicit slot(connection_refusal why) : refusal_(why) {}

    std::shared_ptr<counts> counts_;
    std::string address_;
    connection_refusal refusal_ = connection_refusal::none;
  };

  /// `per_address` 0: no per-address limit.
  connection_limits(std::size_t total, std::size_t per_address);

  /// A slot for a new connection from `address`, or an empty slot saying
  /// which limit is full. The total is checked first: when both are full
  /// the server as a whole is the reason.
  slot try_acquire(const std::string& address);

  std::size_t open() const;
  std::size_t open_from(const std::string& address) const;
  /// Addresses with at least one open connection (the map never keeps more).
  std::size_t addresses() const;

  /// A config reload: new connections are counted against these from now
  /// on. Open ones stay open, even past a lowered limit.
  void set_limits(std::size_t total, std::size_t per_address);

  std::size_t total_limit() const { return total_.load(std::memory_order_relaxed); }
  std::size_t per_address_limit() const { return per_address_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::size_t> total_;
  std::atomic<std::size_t> per_address_;
  std::shared_ptr<counts> counts_;
};

using connection_slot = connection_limits::slot;

} // namespace herald

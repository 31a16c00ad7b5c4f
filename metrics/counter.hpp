#pragma once

// The cells every herald metric is made of. Each cell has exactly one
// writer (an I/O thread, or an actor), so adding is a plain load and store,
// never a locked read-modify-write: the hot path pays what a plain integer
// costs. The cells are atomic only so that /metrics may read them from
// another thread at any moment; a reader sees each cell's value as of some
// recent moment, which is all a scrape needs.

#include <atomic>
#include <cstdint>

namespace herald::metrics {

/// A count that only grows. add() must only ever be called by the cell's one
/// writer; value() from any thread.
class counter {
public:
  void add(uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

/// A value that goes up and down (a state, such as a link being up). The
/// same rule: set() by one writer only.
class gauge {
public:
  void set(int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<int64_t> value_{0};
};

} // namespace herald::metrics

#pragma once

// The publish rate limit of [limits]: a token bucket per configured token,
// `burst` publishes deep, refilled at `rate` per second. Thread-safe (every
// I/O thread publishes through the same limiter); the caller passes the time,
// so the arithmetic is tested without sleeping.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace herald {

/// The answer for one publish: allowed, or refused until `wait` has passed
/// (then one publish will be allowed).
struct publish_allowance {
  bool allowed = true;
  std::chrono::nanoseconds wait{0};
};

/// Whole seconds for a Retry-After header: `wait` rounded up, at least 1,
/// so a client that honours it is never told to retry at once.
uint64_t retry_after_seconds(std::chrono::nanoseconds wait);

class publish_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// `rate` publishes per second per token (0: no limit), `burst` the bucket
  /// size (at least 1 is used). One bucket per entry of `tokens`, each full.
  publish_limiter(uint64_t rate, uint64_t burst, const std::vector<std::string>& tokens);

  /// Takes one publish from `token`'s bucket. Tokens not given to the
  /// constructor are allowed: authentication decides who may publish, and
  /// the set of buckets stays what the config made it.
  publish_allowance try_take(const std::string& token, clock::time_point now);

  /// A config reload: the new rate, burst and tokens from now on. A token
  /// that stays keeps its bucket (what it has used up stays used, capped at
  /// the new burst), a new one gets a full bucket, a removed one loses it.
  /// A rate of 0 drops every bucket.
  void reconfigure(uint64_t rate, uint64_t burst, const std::vector<std::string>& tokens);

  bool unlimited() const { return rate_.load(std::memory_order_relaxed) == 0; }

private:
  // Levels count in billionths of a publish, so refilling `rate` per second
  // is exact integer arithmetic over nanoseconds.
  static constexpr uint64_t unit = 1'000'000'000;

  struct bucket {
    uint64_t level = 0; // in units
    clock::time_point last{};
  };

  void refill(bucket& b, clock::time_point now) const;

  // Written under mutex_ only; read without it for the unlimited fast path.
  std::atomic<uint64_t> rate_;
  uint64_t capacity_; // burst * unit; under mutex_
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

} // namespace herald

#include "net/publish_limiter.hpp"

#include <algorithm>

namespace herald {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

} // namespace

uint64_t retry_after_seconds(std::chrono::nanoseconds wait) {
  auto ns = static_cast<uint64_t>(std::max<int64_t>(wait.count(), 0));
  return std::max<uint64_t>(ceil_div(ns, 1'000'000'000), 1);
}

publish_limiter::publish_limiter(uint64_t rate, uint64_t burst,
                                 const std::vector<std::string>& tokens)
  : rate_(rate), capacity_(std::max<uint64_t>(burst, 1) * unit) {
  if (rate == 0)
    return;
  buckets_.reserve(tokens.size());
  for (const auto& token : tokens)
    buckets_.emplace(token, bucket{capacity_, clock::time_point{}});
}

void publish_limiter::reconfigure(uint64_t rate, uint64_t burst,
                                  const std::vector<std::string>& tokens) {
  std::lock_guard<std::mutex> guard{mutex_};
  capacity_ = std::max<uint64_t>(burst, 1) * unit;
  rate_.store(rate, std::memory_order_relaxed);
  std::unordered_map<std::string, bucket> kept;
  if (rate != 0) {
    kept.reserve(tokens.size());
    for (const auto& token : tokens) {
      auto old = buckets_.find(token);
      if (old == buckets_.end()) {
        kept.emplace(token, bucket{capacity_, clock::time_point{}});
        continue;
      }
      auto b = old->second;
      b.level = std::min(b.level, capacity_);
      kept.emplace(token, b);
    }
  }
  buckets_ = std::move(kept);
}

void publish_limiter::refill(bucket& b, clock::time_point now) const {
  // A clock that went backwards (only an injected one can) refills nothing.
  if (now <= b.last)
    return;
  auto elapsed = static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(now - b.last).count());
  b.last = now;
  auto missing = capacity_ - b.level;
  auto rate = rate_.load(std::memory_order_relaxed);
  // Compare before multiplying: after a long idle time elapsed * rate
  // would overflow, and the bucket is full anyway.
  if (elapsed >= ceil_div(missing, rate))
    b.level = capacity_;
  else
    b.level += elapsed * rate;
}

publish_allowance publish_limiter::try_take(const std::string& token, clock::time_point now) {
  if (unlimited())
    return {};
  std::lock_guard<std::mutex> guard{mutex_};
  // A reload may have set the rate to 0 meanwhile: then there are no buckets.
  auto i = buckets_.find(token);
  if (i == buckets_.end())
    return {};
  auto& b = i->second;
  refill(b, now);
  if (b.level >= unit) {
    b.level -= unit;
    return {};
  }
  publish_allowance refused;
  refused.allowed = false;
  refused.wait = std::chrono::nanoseconds{
    static_cast<int64_t>(ceil_div(unit - b.level, rate_.load(std::memory_order_relaxed)))};
  return refused;
}

} // namespace herald

#include "bench/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace herald::bench {

namespace {
constexpr std::uint64_t half = 1ull << histogram::sub_bits; // 64

unsigned top_bit(std::uint64_t v) {
  return 63u - static_cast<unsigned>(__builtin_clzll(v));
}
} // namespace

// Index layout: [0, 128) one value each; then for shift s >= 1 the values
// [64 << s, 128 << s) map to 64 buckets starting at 64 * (s + 1).
std::size_t histogram::bucket_of(std::uint64_t value) noexcept {
  if (value < linear_limit)
    return static_cast<std::size_t>(value);
  unsigned shift = top_bit(value) - sub_bits;
  auto top = value >> shift; // in [64, 128)
  return static_cast<std::size_t>(half * (shift + 1) + (top - half));
}

std::uint64_t histogram::bucket_low(std::size_t index) noexcept {
  if (index < linear_limit)
    return index;
  std::uint64_t shift = index / half - 1;
  std::uint64_t top = index % half + half;
  return top << shift;
}

std::uint64_t histogram::bucket_high(std::size_t index) noexcept {
  if (index < linear_limit)
    return index;
  std::uint64_t shift = index / half - 1;
  std::uint64_t top = index % half + half;
  return ((top + 1) << shift) - 1;
}

void histogram::record_n(std::uint64_t value, std::uint64_t n) noexcept {
  if (n == 0)
    return;
  counts_[bucket_of(value)] += n;
  count_ += n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value) * n;
}

void histogram::merge(const histogram& other) noexcept {
  if (other.count_ == 0)
    return;
  for (std::size_t i = 0; i < bucket_count; ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void histogram::reset() noexcept {
  *this = histogram{};
}

double histogram::mean() const noexcept {
  return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

std::uint64_t histogram::percentile(double q) const noexcept {
  if (count_ == 0)
    return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += counts_[i];
    if (seen >= rank)
      return std::clamp(bucket_high(i), min_, max_);
  }
  return max_;
}

} // namespace herald::bench

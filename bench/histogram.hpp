#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace herald::bench {

// Log-linear histogram of non-negative integers (nanoseconds here): values
// below 128 have a bucket each; above, every power of two is split into 64
// linear buckets, so a bucket is at most 1/64 (1.6%) wide relative to its
// values. Recording is a few instructions and never allocates; two
// histograms merge by adding counts, which is how worker processes report.
// Plain-old-data on purpose: it lives in memory shared across fork().
class histogram {
public:
  static constexpr unsigned sub_bits = 6;                 // 64 buckets per octave
  static constexpr std::size_t linear_limit = 2u << sub_bits; // 128
  static constexpr std::size_t bucket_count = (64 - sub_bits) * (1u << sub_bits) + (1u << sub_bits);

  void record(std::uint64_t value) noexcept { record_n(value, 1); }
  void record_n(std::uint64_t value, std::uint64_t n) noexcept;
  void merge(const histogram& other) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;

  // The value below which a fraction q (0..1) of the recorded values lie:
  // the upper edge of the bucket holding the ceil(q * count)-th value,
  // clamped to the exact maximum. 0 when empty.
  std::uint64_t percentile(double q) const noexcept;

  static std::size_t bucket_of(std::uint64_t value) noexcept;
  static std::uint64_t bucket_low(std::size_t index) noexcept;
  static std::uint64_t bucket_high(std::size_t index) noexcept; // inclusive

private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = ~0ull;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

} // namespace herald::bench

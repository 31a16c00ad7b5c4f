#pragma once

// A histogram with fixed buckets, built from single-writer counter cells
// (metrics/counter.hpp): observe() is a short scan of the bounds and two
// plain stores. Observations are unsigned integers in the layout's unit
// (nanoseconds, bytes, messages), so the sum stays exact; the exposition
// divides them by the layout's scale (nanoseconds become seconds).

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "metrics/counter.hpp"

namespace herald::metrics {

/// Most bounds a layout may have (the +Inf bucket comes on top).
inline constexpr std::size_t max_histogram_bounds = 24;

/// Where a histogram's buckets end. Every block of one family uses the same
/// layout object, so their buckets add up at scrape time.
struct bucket_layout {
  const uint64_t* bounds = nullptr; // ascending upper bounds (inclusive), in units
  std::size_t size = 0;             // how many; the +Inf bucket comes on top
  double scale = 1.0;               // units per exposed unit (1e9: ns -> s)
};

/// A layout over a constant array of bounds, checked at compile time.
template <std::size_t N>
constexpr bucket_layout make_layout(const std::array<uint64_t, N>& bounds, double scale = 1.0) {
  static_assert(N > 0 && N <= max_histogram_bounds, "a layout has 1 to 24 bounds");
  return bucket_layout{bounds.data(), N, scale};
}

/// The counts of one or more histograms of the same layout, added up.
struct histogram_snapshot {
  const bucket_layout* layout = nullptr;
  std::vector<uint64_t> counts; // per bucket, not cumulative; the last is +Inf
  uint64_t sum = 0;             // in units

  explicit histogram_snapshot(const bucket_layout& l) : layout(&l), counts(l.size + 1, 0) {}
  uint64_t count() const;
};

class histogram {
public:
  /// `layout` must outlive the histogram (make_layout checks its size).
  explicit histogram(const bucket_layout& layout) noexcept;

  /// The one writer's call.
  void observe(uint64_t value) noexcept {
    std::size_t i = 0;
    while (i < layout_->size && value > layout_->bounds[i])
      ++i;
    buckets_[i].add();
    sum_.add(value);
  }

  const bucket_layout& layout() const { return *layout_; }

  /// Adds this histogram's counts to `out`, which must have the same layout.
  /// Any thread.
  void add_to(histogram_snapshot& out) const;

private:
  const bucket_layout* layout_;
  std::array<counter, max_histogram_bounds + 1> buckets_;
  counter sum_;
};

} // namespace herald::metrics

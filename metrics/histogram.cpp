#include "metrics/histogram.hpp"

#include <cassert>

namespace herald::metrics {

uint64_t histogram_snapshot::count() const {
  uint64_t n = 0;
  for (auto c : counts)
    n += c;
  return n;
}

histogram::histogram(const bucket_layout& layout) noexcept : layout_(&layout) {
  assert(layout.size <= max_histogram_bounds);
}

void histogram::add_to(histogram_snapshot& out) const {
  assert(out.layout == layout_);
  if (out.layout != layout_)
    return;
  for (std::size_t i = 0; i <= layout_->size; ++i)
    out.counts[i] += buckets_[i].value();
  out.sum += sum_.value();
}

} // namespace herald::metrics

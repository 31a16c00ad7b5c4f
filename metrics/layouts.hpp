#pragma once

// The bucket layouts of herald's histograms. One object per layout, shared
// by every block that uses it, so their buckets add up at scrape time.

#include <array>
#include <cstdint>

#include "metrics/histogram.hpp"

namespace herald::layouts {

// Nanoseconds, exposed as seconds: from 25 us (a batch that found its
// connections idle) to 10 s (a stalled disk).
inline constexpr std::array<uint64_t, 18> seconds_bounds{
  25'000,      50'000,      100'000,     250'000,       500'000,       1'000'000,
  2'500'000,   5'000'000,   10'000'000,  25'000'000,    50'000'000,    100'000'000,
  250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
inline constexpr metrics::bucket_layout seconds = metrics::make_layout(seconds_bounds, 1e9);

// Bytes waiting in one connection's queue: powers of four from 256 B to the
// largest write_queue_limit worth having.
inline constexpr std::array<uint64_t, 10> queue_bytes_bounds{
  256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};
inline constexpr metrics::bucket_layout queue_bytes = metrics::make_layout(queue_bytes_bounds);

// Messages per commit: powers of two, group commit's whole range.
inline constexpr std::array<uint64_t, 13> batch_bounds{1,   2,   4,   8,    16,   32,  64,
                                                       128, 256, 512, 1024, 2048, 4096};
inline constexpr metrics::bucket_layout batch_size = metrics::make_layout(batch_bounds);

} // namespace herald::layouts

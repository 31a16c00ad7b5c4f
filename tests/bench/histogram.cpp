#define CAF_SUITE bench_histogram
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "bench/histogram.hpp"

using namespace herald::bench;

namespace {

// Within the histogram's precision (1/64 relative) of the exact value.
bool close(std::uint64_t got, double want) {
  return std::fabs(static_cast<double>(got) - want) <= want / 64.0 + 1.0;
}

} // namespace

CAF_TEST(buckets cover every value without gaps) {
  for (std::size_t i = 0; i + 1 < histogram::bucket_count; ++i) {
    CAF_REQUIRE_EQUAL(histogram::bucket_high(i) + 1, histogram::bucket_low(i + 1));
    CAF_REQUIRE_EQUAL(histogram::bucket_of(histogram::bucket_low(i)), i);
    CAF_REQUIRE_EQUAL(histogram::bucket_of(histogram::bucket_high(i)), i);
  }
  CAF_CHECK_EQUAL(histogram::bucket_of(~0ull), histogram::bucket_count - 1);
  CAF_CHECK_EQUAL(histogram::bucket_high(histogram::bucket_count - 1), ~0ull);
}

CAF_TEST(small values are exact) {
  histogram h;
  for (std::uint64_t v = 0; v < 100; ++v)
    h.record(v);
  CAF_CHECK_EQUAL(h.count(), 100u);
  CAF_CHECK_EQUAL(h.percentile(0.5), 49u);
  CAF_CHECK_EQUAL(h.percentile(0.9), 89u);
  CAF_CHECK_EQUAL(h.percentile(1.0), 99u);
  CAF_CHECK_EQUAL(h.min(), 0u);
  CAF_CHECK_EQUAL(h.max(), 99u);
  CAF_CHECK(std::fabs(h.mean() - 49.5) < 1e-9);
}

CAF_TEST(uniform distribution percentiles) {
  histogram h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v)
    h.record(v * 1000); // 1 us .. 1 s in ns
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    auto got = h.percentile(q);
    CAF_CHECK(close(got, q * 1e9));
    CAF_MESSAGE("q " << q << " -> " << got);
  }
  CAF_CHECK_EQUAL(h.percentile(1.0), 1'000'000'000u);
  CAF_CHECK_EQUAL(h.max(), 1'000'000'000u);
}

CAF_TEST(exponential distribution percentiles) {
  // Quantiles of an exponential with mean 1 ms, laid down exactly: the
  // i-th of n values is the (i + 0.5)/n quantile.
  histogram h;
  const int n = 200'000;
  const double mean = 1e6;
  for (int i = 0; i < n; ++i)
    h.record(static_cast<std::uint64_t>(-mean * std::log(1.0 - (i + 0.5) / n)));
  for (double q : {0.5, 0.9, 0.99, 0.999})
    CAF_CHECK(close(h.percentile(q), -mean * std::log(1.0 - q)));
  CAF_CHECK(std::fabs(h.mean() - mean) / mean < 0.01);
}

CAF_TEST(a rare slow outlier shows at the top only) {
  histogram h;
  h.record_n(2'000'000, 999); // 2 ms
  h.record(50'000'000);       // 50 ms
  CAF_CHECK(close(h.percentile(0.5), 2e6));
  CAF_CHECK(close(h.percentile(0.999), 2e6));
  CAF_CHECK_EQUAL(h.percentile(1.0), 50'000'000u);
  CAF_CHECK_EQUAL(h.max(), 50'000'000u);
}

CAF_TEST(merge adds counts) {
  histogram a, b;
  for (std::uint64_t v = 1; v <= 500; ++v)
    a.record(v * 1000);
  for (std::uint64_t v = 501; v <= 1000; ++v)
    b.record(v * 1000);
  a.merge(b);
  CAF_CHECK_EQUAL(a.count(), 1000u);
  CAF_CHECK(close(a.percentile(0.5), 500'000));
  CAF_CHECK_EQUAL(a.min(), 1000u);
  CAF_CHECK_EQUAL(a.max(), 1'000'000u);
  histogram empty;
  CAF_CHECK_EQUAL(empty.percentile(0.5), 0u);
  CAF_CHECK_EQUAL(empty.max(), 0u);
}

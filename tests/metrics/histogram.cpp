// Fixed-bucket histograms: a value lands in the first bucket whose bound it
// does not exceed (bounds are inclusive), above the last bound in +Inf; the
// sum is exact; histograms of one layout add up.
#define CAF_SUITE metrics_histogram
#include <caf/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "metrics/histogram.hpp"

using namespace herald::metrics;

namespace {

constexpr std::array<uint64_t, 3> bounds{10, 100, 1000};
constexpr bucket_layout layout = make_layout(bounds);

std::vector<uint64_t> counts_of(const histogram& h) {
  histogram_snapshot s{h.layout()};
  h.add_to(s);
  return s.counts;
}

} // namespace

CAF_TEST(values land in the first bucket whose bound they do not exceed) {
  histogram h{layout};
  for (uint64_t v : {0, 10, 11, 100, 101, 1000, 1001, 5000})
    h.observe(v);
  CAF_CHECK_EQUAL(counts_of(h), (std::vector<uint64_t>{2, 2, 2, 2}));
}

CAF_TEST(the sum and the count are exact) {
  histogram h{layout};
  h.observe(7);
  h.observe(70000);
  h.observe(3);
  histogram_snapshot s{layout};
  h.add_to(s);
  CAF_CHECK_EQUAL(s.sum, 70010u);
  CAF_CHECK_EQUAL(s.count(), 3u);
}

CAF_TEST(histograms of one layout add up) {
  histogram a{layout};
  histogram b{layout};
  a.observe(5);
  b.observe(5);
  b.observe(500);
  histogram_snapshot s{layout};
  a.add_to(s);
  b.add_to(s);
  CAF_CHECK_EQUAL(s.counts, (std::vector<uint64_t>{2, 0, 1, 0}));
  CAF_CHECK_EQUAL(s.sum, 510u);
  CAF_CHECK_EQUAL(s.count(), 3u);
}

CAF_TEST(a layout keeps its bounds and scale) {
  static constexpr std::array<uint64_t, 2> ns{1000, 1000000};
  static constexpr bucket_layout seconds = make_layout(ns, 1e9);
  CAF_CHECK_EQUAL(seconds.size, 2u);
  CAF_CHECK_EQUAL(seconds.bounds[1], 1000000u);
  CAF_CHECK_EQUAL(seconds.scale, 1e9);
}

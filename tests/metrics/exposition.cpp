// The text format writer: HELP and TYPE per family, samples with escaped
// label values, cumulative histogram buckets up to +Inf with _sum and
// _count, scaled units, and floats as the format spells them. Every output
// also passes the strict reader of tests/support.
#define CAF_SUITE metrics_exposition
#include <caf/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "metrics/exposition.hpp"
#include "support/prometheus_text.hpp"

using namespace herald::metrics;
using herald::test_support::parse_prometheus_text;

namespace {

constexpr std::array<uint64_t, 2> ns_bounds{1000, 250000};
constexpr bucket_layout ns_layout = make_layout(ns_bounds, 1e9);

} // namespace

CAF_TEST(counters and gauges are written with their help and type) {
  exposition out;
  out.family("x_requests_total", metric_type::counter, "Requests.");
  out.sample({{"code", "200"}}, uint64_t{7});
  out.sample({{"code", "404"}}, uint64_t{0});
  out.family("x_up", metric_type::gauge, "Up or not.");
  out.sample({}, int64_t{-1});
  CAF_CHECK_EQUAL(out.text(), "# HELP x_requests_total Requests.\n"
                              "# TYPE x_requests_total counter\n"
                              "x_requests_total{code=\"200\"} 7\n"
                              "x_requests_total{code=\"404\"} 0\n"
                              "# HELP x_up Up or not.\n"
                              "# TYPE x_up gauge\n"
                              "x_up -1\n");
  auto parsed = parse_prometheus_text(out.text());
  CAF_CHECK_EQUAL(parsed.error, "");
  CAF_CHECK_EQUAL(parsed.value("x_requests_total", {{"code", "200"}}).value_or(-1), 7.0);
}

CAF_TEST(label values and help texts are escaped) {
  exposition out;
  out.family("x_info", metric_type::gauge, "Back\\slash and\nline feed.");
  out.sample({{"version", "a\"b\\c\nd"}, {"empty", ""}}, int64_t{1});
  CAF_CHECK_EQUAL(out.text(), "# HELP x_info Back\\\\slash and\\nline feed.\n"
                              "# TYPE x_info gauge\n"
                              "x_info{version=\"a\\\"b\\\\c\\nd\",empty=\"\"} 1\n");
  auto parsed = parse_prometheus_text(out.text());
  CAF_REQUIRE_EQUAL(parsed.error, "");
  CAF_CHECK_EQUAL(parsed.families.at(0).help, "Back\\slash and\nline feed.");
  CAF_CHECK(parsed.value("x_info", {{"version", "a\"b\\c\nd"}, {"empty", ""}}).has_value());
}

CAF_TEST(histograms have cumulative buckets up to inf then sum and count) {
  histogram h{ns_layout};
  h.observe(500);     // 0.5 us
  h.observe(1000);    // 1 us: on the bound
  h.observe(2000000); // 2 ms: past every bound
  histogram_snapshot s{ns_layout};
  h.add_to(s);
  exposition out;
  out.family("x_latency_seconds", metric_type::histogram, "Latency.");
  out.histogram({{"path", "/a"}}, s);
  CAF_CHECK_EQUAL(out.text(), "# HELP x_latency_seconds Latency.\n"
                              "# TYPE x_latency_seconds histogram\n"
                              "x_latency_seconds_bucket{path=\"/a\",le=\"1e-06\"} 2\n"
                              "x_latency_seconds_bucket{path=\"/a\",le=\"0.00025\"} 2\n"
                              "x_latency_seconds_bucket{path=\"/a\",le=\"+Inf\"} 3\n"
                              "x_latency_seconds_sum{path=\"/a\"} 0.0020015\n"
                              "x_latency_seconds_count{path=\"/a\"} 3\n");
  auto parsed = parse_prometheus_text(out.text());
  CAF_CHECK_EQUAL(parsed.error, "");
}

CAF_TEST(an unscaled histogram sums in whole units) {
  static constexpr std::array<uint64_t, 1> bytes{1024};
  static constexpr bucket_layout layout = make_layout(bytes);
  histogram h{layout};
  h.observe(uint64_t{1} << 60); // past a double's exact integers
  h.observe(3);
  histogram_snapshot s{layout};
  h.add_to(s);
  exposition out;
  out.family("x_bytes", metric_type::histogram, "Bytes.");
  out.histogram({}, s);
  CAF_CHECK_NOT_EQUAL(out.text().find("x_bytes_sum 1152921504606846979\n"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(out.text().find("x_bytes_bucket{le=\"1024\"} 1\n"), std::string::npos);
  CAF_CHECK_EQUAL(parse_prometheus_text(out.text()).error, "");
}

CAF_TEST(floats are written as the format spells them) {
  CAF_CHECK_EQUAL(exposition::format_value(0.5), "0.5");
  CAF_CHECK_EQUAL(exposition::format_value(3.0), "3");
  CAF_CHECK_EQUAL(exposition::format_value(1e-9), "1e-09");
  CAF_CHECK_EQUAL(exposition::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  CAF_CHECK_EQUAL(exposition::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  CAF_CHECK_EQUAL(exposition::format_value(std::nan("")), "NaN");
}

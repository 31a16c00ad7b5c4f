// The strict text format reader the other suites trust: it accepts a well
// formed exposition and reads its values, and refuses each thing the format
// forbids, one bad input at a time.
#define CAF_SUITE metrics_prometheus_text
#include <caf/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "support/prometheus_text.hpp"

using namespace herald::test_support;

namespace {

const std::string good = "# HELP a_total Things.\n"
                         "# TYPE a_total counter\n"
                         "a_total{kind=\"x\"} 3\n"
                         "a_total{kind=\"y \\\"q\\\" \\\\ \\n\"} 4 1700000000000\n"
                         "# a plain comment\n"
                         "\n"
                         "# TYPE g gauge\n"
                         "g -2.5e3\n"
                         "g{x=\"1\",} NaN\n"
                         "# TYPE h histogram\n"
                         "h_bucket{le=\"0.1\"} 1\n"
                         "h_bucket{le=\"1\"} 1\n"
                         "h_bucket{le=\"+Inf\"} 2\n"
                         "h_sum 1.25\n"
                         "h_count 2\n"
                         "# TYPE e histogram\n";

// A valid histogram family with `lines` as its samples.
std::string histogram_with(const std::string& lines) {
  return "# TYPE h histogram\n" + lines;
}

} // namespace

CAF_TEST(a well formed exposition is read with its values) {
  auto p = parse_prometheus_text(good);
  CAF_REQUIRE_EQUAL(p.error, "");
  CAF_CHECK(p.ok);
  CAF_CHECK_EQUAL(p.value("a_total", {{"kind", "x"}}).value_or(-1), 3.0);
  CAF_CHECK_EQUAL(p.value("a_total", {{"kind", "y \"q\" \\ \n"}}).value_or(-1), 4.0);
  CAF_CHECK_EQUAL(p.total("a_total"), 7.0);
  CAF_CHECK_EQUAL(p.value("g").value_or(0), -2500.0);
  CAF_CHECK_EQUAL(p.value("h_count").value_or(0), 2.0);
  CAF_CHECK(!p.value("h_count", {{"le", "1"}}));
  CAF_REQUIRE(p.family("h") != nullptr);
  CAF_CHECK_EQUAL(p.family("h")->type, "histogram");
  CAF_CHECK_EQUAL(p.family("a_total")->help, "Things.");
  CAF_CHECK_EQUAL(p.families.size(), 4u);
}

CAF_TEST(every violation of the format is refused) {
  const std::vector<std::pair<const char*, std::string>> bad = {
    {"no final line feed", "# TYPE g gauge\ng 1"},
    {"sample without TYPE", "g 1\n"},
    {"sample after HELP only", "# HELP g Help.\ng 1\n"},
    {"sample of another family", "# TYPE g gauge\n# TYPE k gauge\ng 1\n"},
    {"family in two places", "# TYPE g gauge\ng 1\n# TYPE k gauge\nk 1\n# HELP g Again.\n"},
    {"second TYPE", "# TYPE g gauge\n# TYPE g gauge\n"},
    {"second HELP", "# HELP g a\n# HELP g b\n# TYPE g gauge\n"},
    {"TYPE again after samples", "# HELP g a\n# TYPE g gauge\ng 1\n# TYPE g counter\n"},
    {"unknown type", "# TYPE g meter\n"},
    {"counter not ending in _total", "# TYPE c counter\nc 1\n"},
    {"negative counter", "# TYPE c_total counter\nc_total -1\n"},
    {"duplicate series", "# TYPE g gauge\ng{a=\"1\"} 1\ng{a=\"1\"} 2\n"},
    {"bad metric name", "# TYPE 1g gauge\n"},
    {"bad label name", "# TYPE g gauge\ng{1a=\"x\"} 1\n"},
    {"reserved label name", "# TYPE g gauge\ng{__name__=\"x\"} 1\n"},
    {"label given twice", "# TYPE g gauge\ng{a=\"1\",a=\"2\"} 1\n"},
    {"unquoted label value", "# TYPE g gauge\ng{a=1} 1\n"},
    {"bad escape in label value", "# TYPE g gauge\ng{a=\"\\t\"} 1\n"},
    {"unterminated label value", "# TYPE g gauge\ng{a=\"x} 1\n"},
    {"unescaped quote in label value", "# TYPE g gauge\ng{a=\"x\"y\"} 1\n"},
    {"bad escape in HELP", "# HELP g a \\t b\n# TYPE g gauge\n"},
    {"bad float", "# TYPE g gauge\ng 1.2.3\n"},
    {"hex float", "# TYPE g gauge\ng 0x1p3\n"},
    {"lower-case inf", "# TYPE g gauge\ng inf\n"},
    {"no value", "# TYPE g gauge\ng\n"},
    {"bad timestamp", "# TYPE g gauge\ng 1 12.5\n"},
    {"text after the value", "# TYPE g gauge\ng 1 2 3\n"},
    {"bucket without le", histogram_with("h_bucket 1\nh_sum 1\nh_count 1\n")},
    {"le on the count", histogram_with("h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count{le=\"1\"} 1\n")},
    {"bad le", histogram_with("h_bucket{le=\"x\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")},
    {"le not increasing",
     histogram_with("h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
                    "h_sum 1\nh_count 1\n")},
    {"buckets not cumulative",
     histogram_with("h_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                    "h_sum 1\nh_count 2\n")},
    {"no +Inf bucket", histogram_with("h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")},
    {"count differs from +Inf",
     histogram_with("h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n")},
    {"no count", histogram_with("h_bucket{le=\"+Inf\"} 2\nh_sum 1\n")},
    {"no sum", histogram_with("h_bucket{le=\"+Inf\"} 2\nh_count 2\n")},
    {"bucket after the count",
     histogram_with("h_bucket{le=\"1\"} 1\nh_count 2\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n")},
    {"histogram sample with a foreign suffix", histogram_with("h_total 1\n")},
  };
  for (const auto& [what, text] : bad) {
    auto p = parse_prometheus_text(text);
    CAF_CHECK(!p.ok);
    if (p.ok)
      CAF_MESSAGE("accepted, but should refuse: " << what);
    else
      CAF_MESSAGE(what << " -> " << p.error);
  }
  // ...while the good text, which holds each of those constructs done right, passes.
  CAF_CHECK(parse_prometheus_text(good).ok);
}

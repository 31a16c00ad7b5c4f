#pragma once

// Renders metric families in the Prometheus text exposition format 0.0.4:
// per family one HELP and one TYPE line, then its samples; label values and
// help texts escaped; histograms as cumulative _bucket{le="..."} series
// ending in le="+Inf", then _sum and _count. Pure text, no I/O: the caller
// serves it with Content-Type text/plain; version=0.0.4.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "metrics/histogram.hpp"

namespace herald::metrics {

/// The Content-Type of a scrape's answer.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

enum class metric_type { counter, gauge, histogram };

struct label {
  std::string_view name;  // [a-zA-Z_][a-zA-Z0-9_]*, never "le"
  std::string_view value; // any bytes; escaped here
};
using label_list = std::initializer_list<label>;

class exposition {
public:
  /// Starts a family. Its samples follow before the next family starts; a
  /// counter's name ends in _total, and no name comes twice.
  void family(std::string_view name, metric_type type, std::string_view help);

  /// One sample of the current counter or gauge family.
  void sample(label_list labels, uint64_t value);
  void sample(label_list labels, int64_t value);
  void sample(label_list labels, double value);

  /// The series of the current histogram family with these labels.
  void histogram(label_list labels, const histogram_snapshot& h);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  /// A float as the format spells it: shortest round-trip decimal, or
  /// +Inf, -Inf, NaN.
  static std::string format_value(double v);

private:
  void series(std::string_view suffix, label_list labels, std::string_view le,
              std::string_view value);

  std::string out_;
  std::string name_; // the current family
  metric_type type_ = metric_type::gauge;
};

} // namespace herald::metrics

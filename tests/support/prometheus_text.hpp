#pragma once

// A strict reader of the Prometheus text exposition format 0.0.4, for tests:
// it refuses what the format forbids (a sample before its family's TYPE, a
// family in two places, a counter not named *_total, a histogram whose
// buckets are not cumulative in increasing le order up to +Inf or whose
// _count differs from its +Inf bucket, bad escapes in label values, values
// that are no float) and returns the samples so that tests read values.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::test_support {

using prom_labels = std::map<std::string, std::string>;

struct prom_sample {
  std::string name; // as written: x_total, x_bucket, x_sum ...
  prom_labels labels; // values unescaped
  double value = 0;
};

struct prom_family {
  std::string name;
  std::string type; // counter, gauge, histogram, summary or untyped
  std::string help; // unescaped
};

struct prom_exposition {
  bool ok = false;
  std::string error; // "line N: what" when !ok
  std::vector<prom_family> families;
  std::vector<prom_sample> samples;

  /// The sample with exactly this name and these labels.
  std::optional<double> value(const std::string& name, const prom_labels& labels = {}) const;
  /// The sum over every sample of this name, whatever its labels (0 if none).
  double total(const std::string& name) const;
  const prom_family* family(const std::string& name) const;
};

prom_exposition parse_prometheus_text(std::string_view text);

} // namespace herald::test_support

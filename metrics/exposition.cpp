#include "metrics/exposition.hpp"

#include <cassert>
#include <charconv>
#include <cmath>

namespace herald::metrics {

namespace {

const char* type_name(metric_type t) {
  switch (t) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
  }
  return "untyped";
}

// Used by an assert only, so unused in release builds.
[[maybe_unused]] bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// HELP text: backslash and line feed escaped.
void append_help(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

// Label value: backslash, double quote and line feed escaped.
void append_label_value(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

template <class Int>
std::string integer_text(Int v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void) ec; // 24 characters hold any 64-bit integer
  return std::string(buf, end);
}

} // namespace

std::string exposition::format_value(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void) ec; // 32 characters hold the shortest form of any double
  return std::string(buf, end);
}

void exposition::family(std::string_view name, metric_type type, std::string_view help) {
  assert(type != metric_type::counter || ends_with(name, "_total"));
  name_.assign(name.data(), name.size());
  type_ = type;
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_help(out_, help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type_name(type);
  out_ += '\n';
}

void exposition::series(std::string_view suffix, label_list labels, std::string_view le,
                        std::string_view value) {
  out_ += name_;
  out_ += suffix;
  if (labels.size() > 0 || !le.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& l : labels) {
      if (!first)
        out_ += ',';
      first = false;
      out_ += l.name;
      out_ += "=\"";
      append_label_value(out_, l.value);
      out_ += '"';
    }
    if (!le.empty()) {
      if (!first)
        out_ += ',';
      out_ += "le=\"";
      out_ += le;
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void exposition::sample(label_list labels, uint64_t value) {
  assert(type_ != metric_type::histogram);
  series({}, labels, {}, integer_text(value));
}

void exposition::sample(label_list labels, int64_t value) {
  assert(type_ != metric_type::histogram);
  series({}, labels, {}, integer_text(value));
}

void exposition::sample(label_list labels, double value) {
  assert(type_ != metric_type::histogram);
  series({}, labels, {}, format_value(value));
}

void exposition::histogram(label_list labels, const histogram_snapshot& h) {
  assert(type_ == metric_type::histogram);
  const auto& layout = *h.layout;
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < layout.size; ++i) {
    cumulative += h.counts[i];
    auto le = format_value(static_cast<double>(layout.bounds[i]) / layout.scale);
    series("_bucket", labels, le, integer_text(cumulative));
  }
  cumulative += h.counts[layout.size];
  series("_bucket", labels, "+Inf", integer_text(cumulative));
  // Whole units stay exact integers; scaled ones (nanoseconds) become floats.
  series("_sum", labels, {},
         layout.scale == 1.0 ? integer_text(h.sum)
                             : format_value(static_cast<double>(h.sum) / layout.scale));
  series("_count", labels, {}, integer_text(cumulative));
}

} // namespace herald::metrics

#include "support/prometheus_text.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

namespace herald::test_support {

namespace {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool valid_metric_name(std::string_view s) {
  if (s.empty() || !is_name_start(s[0]))
    return false;
  for (char c : s)
    if (!is_name_char(c))
      return false;
  return true;
}

bool valid_label_name(std::string_view s) {
  if (s.empty() || !is_name_start(s[0]) || s[0] == ':' || s.substr(0, 2) == "__")
    return false;
  for (char c : s)
    if (!is_name_char(c) || c == ':')
      return false;
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A float as the format allows it: decimal with optional fraction and
// exponent, or NaN, +Inf, -Inf.
std::optional<double> parse_float(std::string_view s) {
  if (s == "NaN")
    return std::nan("");
  if (s == "+Inf")
    return HUGE_VAL;
  if (s == "-Inf")
    return -HUGE_VAL;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-'))
    ++i;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9')
    ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i, ++digits;
  }
  if (digits == 0)
    return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      ++i;
    std::size_t exponent = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i, ++exponent;
    if (exponent == 0)
      return std::nullopt;
  }
  if (i != s.size())
    return std::nullopt;
  return std::strtod(std::string{s}.c_str(), nullptr);
}

bool valid_timestamp(std::string_view s) {
  if (!s.empty() && s[0] == '-')
    s.remove_prefix(1);
  if (s.empty())
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

// HELP text: only \\ and \n are escapes.
std::optional<std::string> unescape_help(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i >= s.size())
      return std::nullopt;
    if (s[i] == '\\')
      out += '\\';
    else if (s[i] == 'n')
      out += '\n';
    else
      return std::nullopt;
  }
  return out;
}

struct line_parser {
  explicit line_parser(std::string_view line) : s(line) {}

  std::string_view s;
  std::size_t pos = 0;
  std::string error;

  bool at_end() const { return pos >= s.size(); }
  void skip_blanks() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t'))
      ++pos;
  }
  std::string_view token() {
    auto start = pos;
    while (pos < s.size() && s[pos] != ' ' && s[pos] != '\t')
      ++pos;
    return s.substr(start, pos - start);
  }
  std::string_view name() {
    auto start = pos;
    while (pos < s.size() && is_name_char(s[pos]))
      ++pos;
    return s.substr(start, pos - start);
  }
  bool fail(std::string what) {
    error = std::move(what);
    return false;
  }

  // {name="value",...}: label values with \\, \" and \n as the only escapes.
  bool labels(prom_labels& out) {
    ++pos; // '{'
    for (;;) {
      skip_blanks();
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        return true;
      }
      auto label = name();
      if (!valid_label_name(label))
        return fail("bad label name '" + std::string{label} + "'");
      skip_blanks();
      if (pos >= s.size() || s[pos] != '=')
        return fail("no '=' after label " + std::string{label});
      ++pos;
      skip_blanks();
      if (pos >= s.size() || s[pos] != '"')
        return fail("label value of " + std::string{label} + " is not quoted");
      ++pos;
      std::string value;
      bool closed = false;
      while (pos < s.size()) {
        char c = s[pos++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (pos >= s.size())
          break;
        char e = s[pos++];
        if (e == '\\')
          value += '\\';
        else if (e == '"')
          value += '"';
        else if (e == 'n')
          value += '\n';
        else
          return fail(std::string{"bad escape \\"} + e + " in label " + std::string{label});
      }
      if (!closed)
        return fail("unterminated value of label " + std::string{label});
      if (!out.emplace(std::string{label}, std::move(value)).second)
        return fail("label " + std::string{label} + " given twice");
      skip_blanks();
      if (pos < s.size() && s[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        return true;
      }
      return fail("expected ',' or '}' after label " + std::string{label});
    }
  }
};

// One histogram series (labels without le) as it was read.
struct histogram_series {
  std::vector<std::pair<double, double>> buckets; // (le, count) in order
  std::optional<double> count;
  std::optional<double> sum;
};

std::string describe(const std::string& family, const prom_labels& labels) {
  std::string out = family + "{";
  for (auto& [k, v] : labels)
    out += k + "=\"" + v + "\",";
  return out + "}";
}

} // namespace

std::optional<double> prom_exposition::value(const std::string& name,
                                             const prom_labels& labels) const {
  for (const auto& s : samples)
    if (s.name == name && s.labels == labels)
      return s.value;
  return std::nullopt;
}

double prom_exposition::total(const std::string& name) const {
  double sum = 0;
  for (const auto& s : samples)
    if (s.name == name)
      sum += s.value;
  return sum;
}

const prom_family* prom_exposition::family(const std::string& name) const {
  for (const auto& f : families)
    if (f.name == name)
      return &f;
  return nullptr;
}

prom_exposition parse_prometheus_text(std::string_view text) {
  prom_exposition out;
  int line_no = 0;
  auto fail = [&](const std::string& what) {
    out.ok = false;
    out.error = (line_no == 0 ? std::string{"at the end: "}
                              : "line " + std::to_string(line_no) + ": ")
                + what;
    return out;
  };
  if (text.empty() || text.back() != '\n')
    return fail("the text does not end with a line feed");

  std::set<std::string> declared;        // every family with a HELP or TYPE line
  std::string current;                   // the family being read
  bool current_has_type = false, current_has_help = false;
  std::set<std::pair<std::string, prom_labels>> series_seen;
  std::map<std::pair<std::string, prom_labels>, histogram_series> histograms;

  auto family_of = [&](const prom_family& f, const std::string& sample) -> bool {
    if (f.type == "histogram")
      return sample == f.name + "_bucket" || sample == f.name + "_sum"
             || sample == f.name + "_count";
    if (f.type == "summary")
      return sample == f.name || sample == f.name + "_sum" || sample == f.name + "_count";
    return sample == f.name;
  };

  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty())
      continue;
    line_parser p{line};
    if (line[0] == '#') {
      p.pos = 1;
      p.skip_blanks();
      auto keyword = p.token();
      if (keyword != "HELP" && keyword != "TYPE")
        continue; // a plain comment
      p.skip_blanks();
      auto name = std::string{p.token()};
      if (!valid_metric_name(name))
        return fail("bad metric name '" + name + "' in " + std::string{keyword});
      if (name != current) {
        if (declared.count(name) != 0)
          return fail("family " + name + " appears a second time");
        current = name;
        current_has_type = current_has_help = false;
        declared.insert(name);
        out.families.push_back({name, "untyped", ""});
      }
      auto& fam = out.families.back();
      if (keyword == "HELP") {
        if (current_has_help)
          return fail("second HELP for " + name);
        current_has_help = true;
        if (p.pos < line.size())
          ++p.pos; // the one blank before the text
        auto help = unescape_help(line.substr(p.pos));
        if (!help)
          return fail("bad escape in HELP of " + name);
        fam.help = *help;
        continue;
      }
      // A family's samples need its TYPE first, so a TYPE after them is a second one.
      if (current_has_type)
        return fail("second TYPE for " + name);
      current_has_type = true;
      p.skip_blanks();
      auto type = std::string{p.token()};
      p.skip_blanks();
      if (!p.at_end())
        return fail("text after the TYPE of " + name);
      if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary"
          && type != "untyped")
        return fail("unknown type '" + type + "' of " + name);
      if (type == "counter" && !ends_with(name, "_total"))
        return fail("counter " + name + " does not end in _total");
      fam.type = type;
      continue;
    }

    // A sample.
    prom_sample sample;
    sample.name = std::string{p.name()};
    if (!valid_metric_name(sample.name))
      return fail("bad metric name at the start of '" + std::string{line} + "'");
    if (p.pos < line.size() && line[p.pos] == '{' && !p.labels(sample.labels))
      return fail(p.error);
    if (p.pos >= line.size() || (line[p.pos] != ' ' && line[p.pos] != '\t'))
      return fail("no blank before the value of " + sample.name);
    p.skip_blanks();
    auto value_text = p.token();
    auto value = parse_float(value_text);
    if (!value)
      return fail("bad value '" + std::string{value_text} + "' of " + sample.name);
    sample.value = *value;
    p.skip_blanks();
    if (!p.at_end()) {
      auto stamp = p.token();
      if (!valid_timestamp(stamp))
        return fail("bad timestamp '" + std::string{stamp} + "' of " + sample.name);
      p.skip_blanks();
      if (!p.at_end())
        return fail("text after the value of " + sample.name);
    }

    if (current.empty() || !current_has_type || !family_of(out.families.back(), sample.name)) {
      for (const auto& f : out.families)
        if (f.name != current && family_of(f, sample.name))
          return fail("sample " + sample.name + " away from its family " + f.name);
      return fail("sample " + sample.name + " has no TYPE line before it");
    }
    const auto& fam = out.families.back();
    if (!series_seen.emplace(sample.name, sample.labels).second)
      return fail("series " + describe(sample.name, sample.labels) + " given twice");
    if (fam.type == "counter" && !(sample.value >= 0))
      return fail("counter " + sample.name + " is negative or NaN");
    if (fam.type == "histogram") {
      auto labels = sample.labels;
      auto le = labels.find("le");
      const bool bucket = sample.name == fam.name + "_bucket";
      if (bucket != (le != labels.end()))
        return fail(bucket ? "bucket of " + fam.name + " without le"
                           : "le on " + sample.name);
      std::optional<double> bound;
      if (bucket) {
        bound = parse_float(le->second);
        if (!bound || std::isnan(*bound))
          return fail("bad le '" + le->second + "' in " + fam.name);
        labels.erase(le);
      }
      if (!(sample.value >= 0))
        return fail(sample.name + " is negative or NaN");
      auto& h = histograms[{fam.name, labels}];
      if (bucket) {
        if (h.count || h.sum)
          return fail("bucket of " + describe(fam.name, labels) + " after its _sum or _count");
        if (!h.buckets.empty()) {
          if (!(*bound > h.buckets.back().first))
            return fail("le of " + describe(fam.name, labels) + " not increasing");
          if (sample.value < h.buckets.back().second)
            return fail("buckets of " + describe(fam.name, labels) + " not cumulative");
        }
        h.buckets.emplace_back(*bound, sample.value);
      } else if (sample.name == fam.name + "_count") {
        h.count = sample.value;
      } else {
        h.sum = sample.value;
      }
    }
    out.samples.push_back(std::move(sample));
  }
  line_no = 0;
  for (const auto& [key, h] : histograms) {
    auto what = describe(key.first, key.second);
    if (h.buckets.empty() || !std::isinf(h.buckets.back().first))
      return fail("histogram " + what + " has no le=\"+Inf\" bucket");
    if (!h.count)
      return fail("histogram " + what + " has no _count");
    if (!h.sum)
      return fail("histogram " + what + " has no _sum");
    if (*h.count != h.buckets.back().second)
      return fail("histogram " + what + ": _count differs from its +Inf bucket");
  }
  out.ok = true;
  return out;
}

} // namespace herald::test_support

#include "config/toml_fields.hpp"

#include <algorithm>
#include <cstdio>

#include "config/values.hpp"

namespace herald::toml_fields {

namespace {

template <class Int>
field make_integer_field(std::string_view name, Int& target, int64_t lo, int64_t hi) {
  return {name, [&target, lo, hi](const toml::node& n, const std::string& key) -> error {
            auto v = n.as_integer();
            if (!v || v->get() < lo || v->get() > hi)
              return config_error{key, "expected an integer from " + std::to_string(lo) + " to "
                                         + std::to_string(hi) + ", got " + describe_node(n)};
            target = static_cast<Int>(v->get());
            return std::nullopt;
          }};
}

} // namespace

std::string describe_node(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return in_quotes(n.as_string()->get());
    case toml::node_type::integer:
      return std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", n.as_floating_point()->get());
      return buf;
    }
    case toml::node_type::boolean:
      return n.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

std::string key_name(const std::string& prefix, std::string_view name) {
  bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
           || c == '-';
  });
  auto shown = bare ? std::string{name} : in_quotes(name);
  return prefix.empty() ? shown : prefix + "." + shown;
}

error apply_table(const toml::table& table, const std::string& prefix,
                  const std::vector<field>& fields) {
  for (auto&& [k, v] : table) {
    // A named copy: lambdas may not capture structured bindings before C++20
    // (clang refuses it, and the fuzz targets are built with clang).
    const std::string_view name = k.str();
    auto key = key_name(prefix, name);
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const field& f) { return f.name == name; });
    if (it == fields.end()) {
      std::string known;
      for (auto& f : fields)
        known += (known.empty() ? "" : ", ") + std::string{f.name};
      if (prefix.empty())
        return config_error{key, "unknown section (known sections: " + known + ")"};
      return config_error{key, "unknown key (known keys in [" + prefix + "]: " + known + ")"};
    }
    if (auto e = it->apply(v, key))
      return e;
  }
  return std::nullopt;
}

field integer_field(std::string_view name, unsigned& target, int64_t lo, int64_t hi) {
  return make_integer_field(name, target, lo, hi);
}

field integer_field(std::string_view name, std::size_t& target, int64_t lo, int64_t hi) {
  return make_integer_field(name, target, lo, hi);
}

field size_field(std::string_view name, std::size_t& target, std::size_t lo, std::size_t hi) {
  return {name, [&target, lo, hi](const toml::node& n, const std::string& key) -> error {
            std::size_t bytes = 0;
            if (auto v = n.as_integer()) {
              if (v->get() <= 0)
                return config_error{key, "expected a positive integer or a size such as "
                                         "\"64KiB\", got "
                                           + describe_node(n)};
              bytes = static_cast<std::size_t>(v->get());
            } else if (auto s = n.as_string()) {
              if (auto why = parse_size(s->get(), bytes))
                return config_error{key, *why};
            } else {
              return config_error{key, "expected a positive integer or a size such as \"64KiB\", "
                                       "got "
                                         + describe_node(n)};
            }
            if (bytes < lo || bytes > hi)
              return config_error{key, "must be from " + format_size(lo) + " to "
                                         + format_size(hi) + ", got " + describe_node(n)};
            target = bytes;
            return std::nullopt;
          }};
}

field duration_field(std::string_view name, std::chrono::milliseconds& target,
                     std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
  return {name, [&target, lo, hi](const toml::node& n, const std::string& key) -> error {
            auto s = n.as_string();
            if (!s)
              return config_error{key, "expected a duration string with a unit, such as \"10s\" "
                                       "or \"500ms\", got "
                                         + describe_node(n)};
            std::chrono::milliseconds d{0};
            if (auto why = parse_duration(s->get(), d))
              return config_error{key, *why};
            if (d < lo || d > hi)
              return config_error{key, "must be from " + format_duration(lo) + " to "
                                         + format_duration(hi) + ", got " + describe_node(n)};
            target = d;
            return std::nullopt;
          }};
}

field duration_or_off_field(std::string_view name, std::chrono::milliseconds& target,
                            std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
  auto shape = [](const toml::node& n) {
    return "expected \"0\" (off) or a duration string with a unit, such as \"12h\" or \"7d\", "
           "got "
           + describe_node(n);
  };
  return {name, [&target, lo, hi, shape](const toml::node& n, const std::string& key) -> error {
            std::chrono::milliseconds d{0};
            if (auto i = n.as_integer()) {
              if (i->get() != 0)
                return config_error{key, shape(n)};
            } else if (auto s = n.as_string()) {
              if (s->get() != "0" && parse_duration(s->get(), d))
                return config_error{key, shape(n)};
            } else {
              return config_error{key, shape(n)};
            }
            if (d.count() != 0 && (d < lo || d > hi))
              return config_error{key, "must be \"0\" (off) or from " + format_duration(lo) + " to "
                                         + format_duration(hi) + ", got " + describe_node(n)};
            target = d;
            return std::nullopt;
          }};
}

field bool_field(std::string_view name, bool& target) {
  return {name, [&target](const toml::node& n, const std::string& key) -> error {
            auto b = n.as_boolean();
            if (!b)
              return config_error{key, "expected true or false, got " + describe_node(n)};
            target = b->get();
            return std::nullopt;
          }};
}

field string_field(std::string_view name, std::string& target, check_fn check) {
  return {name, [&target, check](const toml::node& n, const std::string& key) -> error {
            auto s = n.as_string();
            if (!s)
              return config_error{key, "expected a string, got " + describe_node(n)};
            if (check)
              if (auto why = check(s->get()))
                return config_error{key, *why};
            target = s->get();
            return std::nullopt;
          }};
}

field string_list_field(std::string_view name, std::vector<std::string>& target,
                        check_fn check) {
  return {name, [&target, check](const toml::node& n, const std::string& key) -> error {
            auto arr = n.as_array();
            if (!arr)
              return config_error{key, "expected an array of strings, got " + describe_node(n)};
            std::vector<std::string> items;
            for (std::size_t i = 0; i < arr->size(); ++i) {
              auto item_key = key + "[" + std::to_string(i) + "]";
              auto s = (*arr)[i].as_string();
              if (!s)
                return config_error{item_key, "expected a string, got " + describe_node((*arr)[i])};
              if (check)
                if (auto why = check(s->get()))
                  return config_error{item_key, *why};
              if (std::find(items.begin(), items.end(), s->get()) != items.end())
                return config_error{item_key, "duplicate entry " + in_quotes(s->get())};
              items.push_back(s->get());
            }
            target = std::move(items);
            return std::nullopt;
          }};
}

} // namespace herald::toml_fields

#pragma once

// The building blocks of the config schema: one `field` per TOML key, which
// checks the node's type and range and stores it into a config member.
// Internal to config/ (load.cpp); includes toml++, so keep it out of headers
// other folders include.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/load.hpp"

namespace herald::toml_fields {

using error = std::optional<config_error>;

/// Applies one node onto its target; `key` is the dotted name for errors.
using apply_fn = std::function<error(const toml::node& n, const std::string& key)>;

/// An extra check on a string value: the reason it is bad, or nothing.
using check_fn = std::function<std::optional<std::string>(const std::string&)>;

struct field {
  std::string_view name;
  apply_fn apply;
};

/// A node as an error message shows it: strings quoted, numbers as written,
/// "an array" / "a table" for the rest.
std::string describe_node(const toml::node& n);

/// `prefix.name` for a key; names outside [A-Za-z0-9_-] are quoted, as in TOML.
std::string key_name(const std::string& prefix, std::string_view name);

/// Applies every entry of `table` through `fields`; an entry with no field
/// is an "unknown key" error that lists the known ones.
error apply_table(const toml::table& table, const std::string& prefix,
                  const std::vector<field>& fields);

// Makers. Each captures its target by reference: the target must outlive the
// returned field (in load.cpp both live for one load call).

field integer_field(std::string_view name, unsigned& target, int64_t lo, int64_t hi);
field integer_field(std::string_view name, std::size_t& target, int64_t lo, int64_t hi);

/// An integer (bytes) or a string with a unit ("64KiB"), in [lo, hi].
field size_field(std::string_view name, std::size_t& target, std::size_t lo, std::size_t hi);

/// A string with a unit ("10s"), in [lo, hi].
field duration_field(std::string_view name, std::chrono::milliseconds& target,
                     std::chrono::milliseconds lo, std::chrono::milliseconds hi);

/// Like duration_field, but "0" (or 0, or any zero duration) switches the
/// setting off: target 0.
field duration_or_off_field(std::string_view name, std::chrono::milliseconds& target,
                            std::chrono::milliseconds lo, std::chrono::milliseconds hi);

field bool_field(std::string_view name, bool& target);

field string_field(std::string_view name, std::string& target, check_fn check);

/// An array of strings, each passing `check`; errors name the item as key[i].
field string_list_field(std::string_view name, std::vector<std::string>& target, check_fn check);

} // namespace herald::toml_fields

#pragma once

// Reads a herald TOML config onto a config struct. Strict on purpose: an
// unknown section or key, a wrong type or a value out of range is an error
// naming the key, because a typo that silently falls back to a default (say,
// "allowed_origin" instead of "allowed_origins") is a security hole that
// nobody notices.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace herald {

struct config_error {
  std::string key;     // "websocket.max_message_size", "--listen", or empty for the file itself
  std::string message; // what was expected and what was given

  /// One line: `config error: websocket.max_message_size: expected ..., got "abc"`.
  std::string what() const;
};

/// Parses the file at `path` and applies every key it holds onto `out`; keys
/// it does not mention keep the value `out` had. On error `out` is left
/// untouched. A missing, unreadable or unparsable file is an error (parse
/// errors carry path:line:column).
std::optional<config_error> load_config_file(const std::string& path, config& out);

/// As load_config_file, for TOML text already in memory.
std::optional<config_error> load_config_string(std::string_view toml, config& out);

} // namespace herald

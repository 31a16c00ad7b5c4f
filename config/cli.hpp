#pragma once

// The command line: which config file to read, and a few flags that override
// it. Order of precedence, lowest first: the struct defaults (what `cfg`
// holds on entry), the config file, the flags.

#include <string>
#include <vector>

#include "config/config.hpp"

namespace herald {

/// Where herald looks for its config when no --config flag is given,
/// relative to the working directory. Absent: built-in defaults.
constexpr const char* default_config_path = "config/herald.toml";

struct cli_result {
  enum class action { run, check, help, version, fail } what = action::fail;
  /// help/version: the text to print (ends with a newline);
  /// check: the effective config, secrets masked (config/describe.hpp; ends
  /// with a newline); fail: one error line naming the flag or config key
  /// (no newline).
  std::string text;
  /// The config file that was read; empty when the built-in defaults were used.
  std::string config_path;
};

/// Parses `--config FILE`, `--check-config FILE`, `--listen ADDR:PORT`, `--db PATH`,
/// `--log-level LEVEL`, `--redis URL`, `--help`, `--version` (each value flag also as
/// `--flag=value`). On `run` and `check`, `cfg` holds the effective config;
/// otherwise `cfg` is left as it was. --help and --version win over
/// everything else except a malformed command line, and read no file.
/// `--check-config FILE` reads and checks FILE (with the other flags on top)
/// exactly as `--config FILE` would for a start, and answers `check` instead
/// of `run`.
cli_result parse_command_line(int argc, const char* const* argv, config& cfg);

/// The same for a command line kept as strings (args[0] is the program), so
/// a config reload can read the file again with the flags of the start.
cli_result parse_command_line(const std::vector<std::string>& args, config& cfg);

/// The --help text.
std::string help_text();

/// The --version text: "herald X.Y.Z\n".
std::string version_text();

} // namespace herald

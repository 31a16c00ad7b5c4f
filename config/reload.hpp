#pragma once

// A config reload (SIGHUP): which settings of a freshly read config a
// running server takes at once, and which wait for a restart. Pure: the
// server applies the plan (net/server.hpp), app/main.cpp wires the two.
//
// Settings read per request or per new connection (tokens, origins, limits,
// timeouts, WebSocket sizes, slow-consumer policies, log level and format)
// apply at once; connections already open keep what they started with.
// Settings that shaped what runs (sockets, threads, TLS, storage, cluster,
// the log's destination) need a restart: the plan keeps their running values.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace herald {

struct reload_plan {
  /// What to run with from now on: the new config's settings that apply at
  /// once, the running config's for every other one.
  config next;
  /// Names of the settings that changed and apply now ("auth.tokens",
  /// "limits.max_connections"), in the order of herald.toml.
  std::vector<std::string> applied;
  /// Names of the settings that changed but keep their running value until
  /// a restart ("server.listen").
  std::vector<std::string> restart;
};

/// Compares `running` with `loaded` (a config just read and validated).
/// Names only: values (tokens, secrets) never leave this function.
reload_plan plan_reload(const config& running, const config& loaded);

enum class setting_reload { now, after_restart, unknown };

/// How a setting, named as in herald.toml ("limits.max_channels"), takes a
/// reload. A setting this file does not list is `unknown`; plan_reload
/// still notices its changes (through describe_config) and treats them as
/// needing a restart.
setting_reload reload_kind(std::string_view name);

/// The setting a describe_config key belongs to: its first two dotted parts
/// ("auth.tokens.\"de…\"" -> "auth.tokens").
std::string setting_of(std::string_view described_key);

/// "a, b, c" for a log line.
std::string join_names(const std::vector<std::string>& names);

} // namespace herald

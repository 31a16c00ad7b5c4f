#pragma once

// Installs spdlog's default logger from the [log] section. Call once at
// start-up, before any thread logs; every part of herald then logs through
// the spdlog::info/warn/... free functions.

#include <string>

#include "config/config.hpp"

namespace herald {

/// Console (stderr, coloured when it is a terminal) when cfg.log_file is
/// empty, else a size-rotated file (log_max_size bytes, log_max_files old
/// files kept). Level from cfg.log_level; lines start with the ISO 8601 time
/// and the level, or are JSON objects with cfg.log_format "json"
/// (config/json_log_formatter.hpp). Returns false with one line in `error`
/// when the level or format is unknown or the log file cannot be opened; the
/// previous logger stays.
bool setup_logging(const config& cfg, std::string& error);

/// A config reload: the running logger takes cfg.log_level and
/// cfg.log_format from its next line on. Where the lines go (console, file,
/// rotation) stays as setup_logging made it. Thread-safe; the level and
/// format must be valid (the config loader checked them).
void update_logging(const config& cfg);

/// The line prefix: ISO 8601 local time with milliseconds and UTC offset,
/// then the level, e.g. "2024-05-01T12:00:00.123+02:00 [info] ...".
constexpr const char* log_pattern = "%Y-%m-%dT%H:%M:%S.%e%z [%l] %v";

} // namespace herald

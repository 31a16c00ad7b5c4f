#pragma once

// Parsers and printers for the value forms the config file and the command
// line share: ADDR:PORT, durations with a unit, sizes with a unit, log levels.
// Each parser returns an empty optional on success, or the reason it failed
// (phrased to follow "key: "), so callers can name the key or the flag.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/redis_url.hpp"

namespace herald {

/// "127.0.0.1:9999", "0.0.0.0:0" or "[::1]:9999". The address must be an IP
/// literal (the listener does no name lookup); `address` gets it without the
/// brackets. Port 0 means "any free port".
std::optional<std::string> parse_listen(std::string_view text, std::string& address,
                                        uint16_t& port);

/// An integer with a unit: "500ms", "10s", "2m", "1h", "7d".
std::optional<std::string> parse_duration(std::string_view text, std::chrono::milliseconds& out);

/// An integer with an optional unit: "512", "512B", "64KiB", "4MiB", "1GiB".
std::optional<std::string> parse_size(std::string_view text, std::size_t& out);

/// The [cluster] redis setting: "" (a single node: `out` is reset) or a URL
/// redis://[[user]:password@]host[:port][/db]. The reason for a bad one does
/// not repeat the text, which may hold a password.
std::optional<std::string> parse_redis_setting(std::string_view text,
                                               std::optional<redis_url>& out);

/// trace, debug, info, warn, error, critical or off.
bool is_log_level(std::string_view level);

/// The accepted levels, for error messages and --help.
constexpr const char* log_levels_text = "trace, debug, info, warn, error, critical, off";

/// The shortest exact form: 10000ms -> "10s", 1500ms -> "1500ms", 48h -> "2d".
std::string format_duration(std::chrono::milliseconds d);

/// The shortest exact form: 65536 -> "64KiB", 1000 -> "1000B".
std::string format_size(std::size_t bytes);

/// ADDR:PORT with brackets around IPv6 addresses, the form parse_listen reads.
std::string format_listen(const std::string& address, uint16_t port);

/// `text` in double quotes, with quotes, backslashes and control characters
/// escaped, so an error message shows exactly what was given.
std::string in_quotes(std::string_view text);

} // namespace herald

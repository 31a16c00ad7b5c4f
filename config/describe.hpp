#pragma once

// The effective config as text for the start-up log, so that an operator can
// see what the server actually runs with (file + flags + defaults).

#include <string>

#include "config/config.hpp"

namespace herald {

/// One `section.key = value` line per setting, in the order of herald.toml,
/// joined by '\n' (no trailing newline). Tokens are masked: a line per token
/// shows at most its first 2 characters and the username it maps to.
std::string describe_config(const config& cfg);

/// A token as logs may show it: the first 2 characters then "…"; tokens
/// shorter than 8 characters show only "…", since 2 characters of a very
/// short token give away too much of it.
std::string mask_token(const std::string& token);

} // namespace herald

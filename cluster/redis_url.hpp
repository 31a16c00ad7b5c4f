#pragma once

// The [cluster] redis setting: redis://[[user]:password@]host[:port][/db].

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

struct redis_url {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string username; // empty: AUTH with the password alone (or no AUTH)
  std::string password;
  int db = 0;
};

/// Parses the URL; nullopt with a reason in *error when it is not one.
std::optional<redis_url> parse_redis_url(std::string_view text, std::string* error);

/// The URL with any password masked, for logs and --check-config.
std::string to_display_string(const redis_url& url);

} // namespace herald

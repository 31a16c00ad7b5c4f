#pragma once

// The inputs of the API endpoints, validated: who publishes what, and the
// `since` / `limit` parameters. Pure: the caller passes header values and
// the body, so every rule of docs/api.md here is unit-tested directly.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

inline constexpr uint32_t default_history_limit = 100;
inline constexpr uint32_t max_history_limit = 1000;

/// A publish request: status 200 with token, username and text, or 400/401
/// and why. `token` is the configured one (for the rate limit; never log it).
struct publish_fields {
  int status = 200;
  std::string error;
  std::string token;
  std::string username;
  std::string text;
};

/// Auth first (missing/unknown token: 401), then the body: with
/// Content-Type application/json an object with a string "message";
/// otherwise (form-urlencoded or no type) the form field "message".
/// Missing, non-string, empty or invalid UTF-8 messages are 400.
publish_fields parse_publish(std::string_view authorization, std::string_view token_header,
                             std::string_view content_type, std::string_view body,
                             const std::map<std::string, std::string>& tokens);

/// Just the body part of parse_publish.
struct message_text {
  int status = 200;
  std::string error;
  std::string text;
};
message_text parse_message_body(std::string_view content_type, std::string_view body);

/// GET /api/channels/{channel}/messages?since=ID&limit=N
struct history_params {
  int status = 200;
  std::string error;
  uint64_t since = 0;
  uint32_t limit = default_history_limit; // 1..max_history_limit
};
history_params parse_history_query(std::string_view query);

/// /socket/{channel}?since=ID&token=JWT (other fields are ignored)
struct socket_params {
  int status = 200;
  std::string error;
  std::optional<uint64_t> since;
  std::optional<std::string> token; // a connection token, decoded; never log it
};
socket_params parse_socket_query(std::string_view query);

} // namespace herald

#pragma once

// The herald API as the suites use it: publishing, history, and strict
// checks of the message and error objects the contract (docs/api.md) defines.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "support/herald_process.hpp"
#include "support/http_client.hpp"
#include "support/ws_client.hpp"

namespace herald::test_support {

enum class body_format { form, json };
enum class token_header { bearer, token, none };

struct publish_result {
  int status = 0;
  uint64_t id = 0; // from {"status":"OK","id":N}; 0 if absent
  http_response response;
};

/// POST /api/channels/{channel}/messages (or /api/tool/send_message when
/// channel is empty) with `message` in the given format and token header.
publish_result publish(http_client& http, const std::string& channel, const std::string& message,
                       body_format format = body_format::form,
                       const std::string& token = default_token,
                       token_header how = token_header::bearer);

/// The same POST to any target (for paths publish() would not build).
publish_result publish_at(http_client& http, const std::string& target, const std::string& message,
                          body_format format = body_format::form,
                          const std::string& token = default_token,
                          token_header how = token_header::bearer);

/// Publishes `count` messages to `channel` from `threads` connections at
/// once (so the server batches commits); the acknowledged ids, sorted. Stops
/// a connection at its first failure.
std::vector<uint64_t> publish_many(uint16_t port, const std::string& channel, int count,
                                   int threads);

/// "/api/channels/<channel>/messages".
std::string messages_path(const std::string& channel);

/// application/x-www-form-urlencoded value encoding.
std::string form_encode(const std::string& text);

/// One message object as the contract defines it.
struct message {
  uint64_t id = 0;
  std::string channel;
  std::string username;
  std::string text;
  std::string time;
};

/// Strict parse: exactly the keys id, channel, username, message, time with
/// the right types and a well-formed time. On failure, `why` says what broke.
std::optional<message> parse_message(const boost::json::value& v, std::string* why = nullptr);
std::optional<message> parse_message(const std::string& frame, std::string* why = nullptr);

/// "YYYY-MM-DDTHH:MM:SS.mmmZ" as milliseconds since the epoch; nullopt if malformed.
std::optional<int64_t> parse_time_ms(const std::string& time);
int64_t now_ms();

/// JSON body as an object; nullopt if it is not one.
std::optional<boost::json::object> parse_object(const std::string& body);

/// The contract's error shape: the status, Content-Type application/json and
/// a body {"code":status,"message":"..."}. `why` says what differs.
bool is_json_error(const http_response& res, int status, std::string* why = nullptr);

/// GET history; messages in the order the server sent them.
struct history_result {
  int status = 0;
  std::vector<message> messages;
  std::string error; // a message that did not parse, or a bad shape
};
history_result history(http_client& http, const std::string& channel,
                       const std::string& query = {});

/// Reads up to `count` text frames and returns their ids (0 for a frame
/// that is not a valid message), stopping early on close/timeout/error.
std::vector<uint64_t> read_ids(ws_client& ws, std::size_t count,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// Reads frames until one carries id `last` (inclusive), at most `limit`
/// frames and `timeout` in total; ids in order of arrival. If it stops
/// early on something other than a text frame, `stopped_by` describes it.
std::vector<uint64_t> read_ids_until(ws_client& ws, uint64_t last, std::size_t limit,
                                     std::chrono::milliseconds timeout,
                                     std::string* stopped_by = nullptr);

/// The ids in `ids` greater than `since`, in order.
std::vector<uint64_t> ids_after(const std::vector<uint64_t>& ids, uint64_t since);

/// Subscriber count and stored count of a channel in GET /api/channels;
/// nullopt if the channel is not listed.
struct channel_info {
  uint64_t subscribers = 0;
  uint64_t stored = 0;
  uint64_t last_id = 0;
};
std::optional<channel_info> channel_stats(http_client& http, const std::string& channel);

} // namespace herald::test_support

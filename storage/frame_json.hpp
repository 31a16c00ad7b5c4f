#pragma once

// The one place where a message becomes the JSON text frame that subscribers,
// history and recovery all receive. Storage renders a frame once at commit
// and again when it rebuilds history from rows; both go through here, so the
// two can never disagree.

#include <cstdint>
#include <string>
#include <string_view>

namespace herald {

/// `unix_ms` as an RFC 3339 UTC timestamp with milliseconds,
/// e.g. "2026-11-25T18:20:48.123Z". Times before 1970 round towards the past.
std::string format_time_ms(int64_t unix_ms);

/// {"id":N,"channel":"...","username":"...","message":"...","time":"..."}
/// in exactly that key order. Strings are JSON-escaped; bytes that are not
/// valid UTF-8 become U+FFFD, so the result is always a valid WebSocket text
/// frame whatever the input was.
std::string render_frame(uint64_t id, std::string_view channel, std::string_view username,
                         std::string_view text, int64_t time_ms);

} // namespace herald

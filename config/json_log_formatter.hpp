#pragma once

// [log] format = "json": one JSON object per line, for log collectors that
// should not have to parse free text:
//   {"time":"2026-05-01T12:00:00.123Z","level":"info","msg":"ws open conn=7 ...","conn":7}
// "conn" is there when the message names a connection (config/conn_tag.hpp).
// The message is escaped so that every line parses, whatever it holds:
// quotes, backslashes, newlines and control characters are escaped, and bytes
// that are not UTF-8 become U+FFFD.

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace herald {

class json_log_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

/// Appends `text` as a JSON string, quotes included (see above).
void append_json_string(std::string_view text, std::string& out);

} // namespace herald

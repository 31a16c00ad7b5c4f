#pragma once

// How a log line names the connection it is about: "conn=N", the id the
// listener gave the connection at accept. One spelling everywhere, so that
// `grep 'conn=42 '` finds a connection's whole life (HTTP and WebSocket), and
// the JSON log format can lift N into its "conn" field.

#include <cstdint>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace herald {

/// A connection as a log argument: spdlog::info("ws open {} peer={}",
/// conn_tag{id}, peer) logs "ws open conn=42 peer=...". Formatting it costs
/// no allocation, so it can stand in debug lines that are usually off.
struct conn_tag {
  uint64_t id;
};

/// The N of the first word "conn=N" in a log message (a word: at the start
/// or after a space, N all digits, ended by the end of the text or by a
/// character other than a digit); nullopt when there is none.
std::optional<uint64_t> find_conn_tag(std::string_view message);

} // namespace herald

template <>
struct fmt::formatter<herald::conn_tag> {
  constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }

  template <class FormatContext>
  auto format(const herald::conn_tag& c, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "conn={}", c.id);
  }
};

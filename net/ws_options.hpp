#pragma once

// How a server-side WebSocket stream is configured from herald's config, and
// the small text rules of the handshake and the closing handshake. Shared by
// ws_session and its tests, so the tests exercise the production settings.
// Included by net/ .cpp files only (it pulls in Beast's websocket headers).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "config/config.hpp"
#include "net/tls_context.hpp"

namespace herald {

using ws_stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;
using wss_stream = boost::beast::websocket::stream<tls_stream>;

/// Close reasons are at most 123 bytes (RFC 6455 5.5: control payloads are
/// 125 bytes, two of which carry the code).
constexpr std::size_t max_close_reason = 123;

/// Applies the handshake timeout, message and buffer sizes, compression and
/// the response decorator (`Server: herald`, and `Sec-WebSocket-Protocol:
/// <subprotocol>` unless it is empty). Call before accepting.
void configure_ws_stream(ws_stream& ws, const config& cfg, std::string subprotocol);
void configure_ws_stream(wss_stream& ws, const config& cfg, std::string subprotocol);

/// The entries of a `Sec-WebSocket-Protocol` offer (a comma-separated list,
/// possibly from several header lines joined by commas), trimmed of spaces
/// and tabs, empty ones dropped.
std::vector<std::string_view> subprotocol_entries(std::string_view offered);

/// The first protocol of the client's `Sec-WebSocket-Protocol` offer (a
/// comma-separated list, possibly from several header lines joined by
/// commas) that `supported` lists; empty when none matches.
std::string choose_subprotocol(std::string_view offered,
                               const std::vector<std::string>& supported);

/// Whether `code` may be sent in a close frame (RFC 6455 7.4: 1000-1003,
/// 1007-1014 and the application range 3000-4999).
bool is_sendable_close_code(uint16_t code);

/// `reason` cut to max_close_reason bytes, never inside a UTF-8 sequence.
std::string fit_close_reason(std::string_view reason);

/// The 1008 reason a slow consumer gets; `resume_id` is what it passes as
/// `since` to pick up where it stopped.
std::string slow_consumer_reason(uint64_t resume_id);

/// A printable excerpt of untrusted text for the log: at most `max` bytes
/// (cut on a UTF-8 boundary), control characters replaced by '?'.
std::string log_excerpt(std::string_view text, std::size_t max = 200);

} // namespace herald

#pragma once

// The label values herald's metrics distinguish, as enums (cheap to count
// by) with their exposed names. docs/api.md lists what each one means.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace herald {

/// What a client connection is now: an HTTP connection, or a WebSocket that
/// began as one.
enum class connection_kind : uint8_t { http, websocket };
inline constexpr std::size_t connection_kind_count = 2;

/// Why a connection ended.
enum class close_reason : uint8_t {
  normal,            // the client ended it cleanly (close frame; HTTP close between requests)
  client_gone,       // the peer vanished without a close: reset, EOF, failed write
  slow_consumer,     // 1008: its write queue overflowed
  ping_timeout,      // 1001: no answer to a keepalive ping
  idle_timeout,      // a kept-alive HTTP connection idle too long
  handshake_timeout, // request, TLS or WebSocket handshake not complete in time
  shutdown,          // the server is shutting down
  protocol_error,    // malformed HTTP or WebSocket input, or input over a limit
  server_error,      // 1011 / 1012, or an unexpected I/O error
};
inline constexpr std::size_t close_reason_count = 9;

/// Why a connection was turned away at accept or at the WebSocket upgrade.
enum class refusal_reason : uint8_t {
  max_connections,        // 503 at accept: limits.max_connections
  max_connections_per_ip, // 429 at accept: limits.max_connections_per_ip
  bad_request,            // 400 at the upgrade: bad since or token parameters
  origin,                 // 403 at the upgrade: Origin not allowed
  auth,                   // 401 / 403 at the upgrade: connection token
  shutting_down,          // 503 at the upgrade: shutdown has begun
};
inline constexpr std::size_t refusal_reason_count = 6;

/// Why a publish got no 200.
enum class publish_refusal : uint8_t {
  bad_request,         // 400: form, JSON, message or channel name
  unauthorized,        // 401: missing or unknown token
  rate_limited,        // 429: limits.publish_rate
  too_large,           // 413: body over max_message_size
  channel_limit,       // 429: limits.max_channels
  storage_unavailable, // 503: storage could not commit
  shutting_down,       // 503: shutdown has begun
};
inline constexpr std::size_t publish_refusal_count = 7;

std::string_view name_of(connection_kind k);
std::string_view name_of(close_reason r);
std::string_view name_of(refusal_reason r);
std::string_view name_of(publish_refusal r);

} // namespace herald

#pragma once

// The WebSocket side of a connection, from the upgrade request on: the
// handshake, the read loop that watches the client, and the bounded write
// queue that carries live messages (from the I/O thread's fan-out) and the
// session actor's replay to the socket.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "actors/messages.hpp"
#include "net/tls_context.hpp"

namespace herald {

struct config;
class hub;
class fanout_shard;

/// The connection an upgrade request came on: plain TCP or TLS.
using upgraded_stream = std::variant<boost::beast::tcp_stream, tls_stream>;

/// Takes over a connection whose upgrade request passed routing, channel, and Origin checks:
/// performs the WebSocket handshake (subprotocols, compression, timeouts from cfg) and runs the session.
/// Call on the connection's strand (the stream's executor), on an I/O thread with a fanout_shard.
/// `cfg` and `h` must outlive the connection; `held` lives as long as it does (ws_params::held).
void start_ws_session(upgraded_stream stream, boost::beast::flat_buffer buffer,
                      boost::beast::http::request<boost::beast::http::string_body> req,
                      std::string channel, std::optional<uint64_t> since,
                      uint64_t connection_id, const config& cfg, hub& h,
                      std::shared_ptr<const void> held);

/// What the connection tells its owner; all run on the connection's strand.
struct ws_hooks {
  /// Once, before the handshake, after the connection joined its shard; the
  /// sink is the connection. The handshake completes when the owner calls
  /// the sink's subscribed().
  std::function<void(sink_ptr)> opened;
  /// Once, after `opened`, when the connection is over (handshake failed or
  /// read loop ended).
  std::function<void()> ended;
  /// After notify_when_drained(), once the queue has room again.
  std::function<void()> drained;
};

struct ws_params {
  std::string channel; // for the log
  std::optional<uint64_t> since;
  uint64_t connection_id = 0;
  /// Where live messages come from; none in tests that feed the sink only.
  fanout_shard* shard = nullptr;
  /// Held for as long as the connection lives (its slot in the connection
  /// limits, for one).
  std::shared_ptr<const void> held;
  /// The diagnostics echo endpoint: each client message goes back as it
  /// came, through the write queue and its bound. Without a shard or hooks.
  bool echo = false;
};

/// The same connection with the hub replaced by `hooks` (start_ws_session
/// is this plus the hub's session actor), so it can run without actors.
/// The config is read at start; no reference to it is kept.
void start_ws_session(upgraded_stream stream, boost::beast::flat_buffer buffer,
                      boost::beast::http::request<boost::beast::http::string_body> req,
                      ws_params params, const config& cfg, ws_hooks hooks);

} // namespace herald

#pragma once

// The endpoint table of docs/api.md: request method + target -> endpoint.
// Pure (no Beast, no I/O), so every routing rule is unit-tested directly.

#include <string>
#include <string_view>
#include <vector>

#include "net/web_assets.hpp"

namespace herald {

enum class endpoint {
  healthz,          // GET /healthz
  readyz,           // GET /readyz
  metrics,          // GET /metrics (Prometheus text format)
  asset,            // GET / and GET /<file of web/>
  send_message,     // POST /api/tool/send_message (channel system/message)
  publish,          // POST /api/channels/{channel}/messages
  history,          // GET  /api/channels/{channel}/messages
  channels,         // GET  /api/channels
  socket,           // WebSocket upgrade on /socket/{channel}
  echo,             // WebSocket upgrade on [diagnostics] echo_path, when set
};

/// The channel POST /api/tool/send_message publishes to.
inline constexpr std::string_view tool_channel = "system/message";

struct route {
  int status = 200;    // 200: matched; else 400, 404 or 405 and `error`
  std::string error;   // the reason, for the JSON error body
  std::string allow;   // the Allow header value with 405
  // Also set with a 400 for an invalid channel name: what the request was
  // for (a refused publish is counted as one).
  endpoint kind = endpoint::healthz;
  std::string channel; // percent-decoded and valid, for the channel endpoints
  std::string_view query;           // the raw query string (after '?'), still encoded
  const web_asset* asset = nullptr; // for endpoint::asset
};

/// Resolves one request. `method` is the request's method text ("GET");
/// `target` the raw request target; `websocket_upgrade` whether the request
/// asks for a WebSocket upgrade (only /socket/... and `echo_path` accept
/// one, anything else upgraded is 404). The path is percent-decoded before
/// matching, so `%2F` and `/` are the same. `assets` is normally
/// web_assets(). `echo_path` is the config's [diagnostics] echo_path, empty
/// when off; an upgrade there is the echo endpoint even when the path looks
/// like /socket/{channel}, while a request without an upgrade goes to any
/// other endpoint of that path first (the config loader refuses the
/// server's own API paths, so that only ever is a file of the tool page).
route resolve_route(std::string_view method, std::string_view target, bool websocket_upgrade,
                    const std::vector<web_asset>& assets, std::string_view echo_path = {});

} // namespace herald

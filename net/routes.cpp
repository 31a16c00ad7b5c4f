#include "net/routes.hpp"

#include <optional>

#include "net/channel_name.hpp"
#include "net/form_decoding.hpp"

namespace herald {

namespace {

constexpr std::string_view channels_prefix = "/api/channels/";
constexpr std::string_view messages_suffix = "/messages";
constexpr std::string_view socket_prefix = "/socket/";

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

route fail(int status, std::string error, std::string allow = {}) {
  route r;
  r.status = status;
  r.error = std::move(error);
  r.allow = std::move(allow);
  return r;
}

route not_found() {
  return fail(404, "not found");
}

/// A matched path: checks the method against the ones the path accepts.
route accept(endpoint kind, std::string_view method, std::string_view allowed) {
  // `allowed` is "GET", "POST" or "GET, POST"; compare whole tokens.
  bool ok = false;
  std::string_view rest = allowed;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    while (!one.empty() && one.front() == ' ')
      one.remove_prefix(1);
    ok = ok || one == method;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  if (!ok)
    return fail(405, "method not allowed", std::string(allowed));
  route r;
  r.kind = kind;
  return r;
}

route with_channel(route r, std::string channel) {
  if (r.status != 200)
    return r;
  if (!valid_channel_name(channel)) {
    auto bad = fail(400, "invalid channel name");
    bad.kind = r.kind;
    return bad;
  }
  r.channel = std::move(channel);
  return r;
}

const web_asset* find_asset(std::string_view path, const std::vector<web_asset>& assets) {
  if (path == "/")
    path = "/index.html";
  for (const auto& a : assets)
    if (a.path == path)
      return &a;
  return nullptr;
}

// The echo endpoint, at a path the config chose.
route echo(std::string_view method, bool upgrade) {
  if (!upgrade && method == "GET")
    return fail(400, "WebSocket upgrade required");
  return accept(endpoint::echo, method, "GET");
}

route match_path(std::string_view method, const std::string& path, bool upgrade,
                 const std::vector<web_asset>& assets, std::string_view echo_path) {
  const bool at_echo = !echo_path.empty() && path == echo_path;
  if (at_echo && upgrade)
    return echo(method, upgrade);
  if (starts_with(path, socket_prefix)) {
    if (!upgrade && method == "GET")
      return fail(400, "WebSocket upgrade required");
    return with_channel(accept(endpoint::socket, method, "GET"),
                        path.substr(socket_prefix.size()));
  }
  // Only /socket/... (and the echo path) turns into a WebSocket.
  if (upgrade)
    return not_found();
  if (path == "/healthz")
    return accept(endpoint::healthz, method, "GET");
  if (path == "/readyz")
    return accept(endpoint::readyz, method, "GET");
  if (path == "/metrics")
    return accept(endpoint::metrics, method, "GET");
  if (path == "/api/tool/send_message") {
    auto r = accept(endpoint::send_message, method, "POST");
    if (r.status == 200)
      r.channel = std::string(tool_channel);
    return r;
  }
  if (path == "/api/channels")
    return accept(endpoint::channels, method, "GET");
  if (starts_with(path, channels_prefix) && ends_with(path, messages_suffix)
      && path.size() >= channels_prefix.size() + messages_suffix.size()) {
    auto channel = path.substr(channels_prefix.size(),
                               path.size() - channels_prefix.size() - messages_suffix.size());
    auto r = accept(method == "POST" ? endpoint::publish : endpoint::history, method,
                    "GET, POST");
    return with_channel(std::move(r), std::move(channel));
  }
  if (auto* asset = find_asset(path, assets)) {
    auto r = accept(endpoint::asset, method, "GET");
    if (r.status == 200)
      r.asset = asset;
    return r;
  }
  if (at_echo)
    return echo(method, upgrade);
  return not_found();
}

} // namespace

route resolve_route(std::string_view method, std::string_view target, bool websocket_upgrade,
                    const std::vector<web_asset>& assets, std::string_view echo_path) {
  // Only origin-form targets ("/path?query"); absolute-form and "*" are not served.
  if (target.empty() || target.front() != '/')
    return fail(400, "malformed request target");
  auto [raw_path, query] = split_request_target(target);
  auto path = percent_decode(raw_path);
  if (!path)
    return fail(400, "malformed percent-escape in path");
  auto r = match_path(method, *path, websocket_upgrade, assets, echo_path);
  if (r.status == 200)
    r.query = query;
  return r;
}

} // namespace herald

#pragma once

// The Origin check of WebSocket upgrades (docs/api.md, "Auth"). Pure.

#include <string>
#include <string_view>
#include <vector>

namespace herald {

/// Whether a browser page from `origin` may open a WebSocket here.
/// - `allowed` is empty: only the server's own host, i.e. the origin is
///   http(s)://host[:port] and host[:port] equals `host_header`
///   (case-insensitive; an explicit default port of the origin's scheme is
///   the same as none).
/// - otherwise: `origin` equals one of `allowed`, case-insensitive, or
///   matches a pattern `scheme://*.domain[:port]`, where `*.` stands for one
///   or more subdomain labels (not the bare domain, not another port). There
///   is no catch-all: the config loader refuses "*" (cross-site hijacking).
/// A request without an Origin header is not a browser's and is not checked
/// here; the caller allows it.
bool origin_allowed(std::string_view origin, std::string_view host_header,
                    const std::vector<std::string>& allowed);

} // namespace herald

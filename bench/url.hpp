#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <netinet/in.h>

namespace herald::bench {

// A ws:// or http:// URL with a numeric IPv4 host or "localhost"; the
// harness talks to servers on this machine and does no DNS on purpose.
struct url {
  std::string scheme;   // "ws" or "http"
  std::string host;     // as written, for the Host header
  std::uint16_t port = 0;
  std::string target;   // path and query, at least "/"
  sockaddr_in address{};

  // target with "since=<id>" added to its query.
  std::string target_with_since(std::uint64_t id) const;
  bool is_loopback() const noexcept;
};

// Parses text; on failure returns nullopt and sets error.
std::optional<url> parse_url(const std::string& text, std::string& error);

} // namespace herald::bench

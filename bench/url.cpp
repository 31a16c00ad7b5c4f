#include "bench/url.hpp"

#include <arpa/inet.h>

namespace herald::bench {

std::string url::target_with_since(std::uint64_t id) const {
  auto sep = target.find('?') == std::string::npos ? '?' : '&';
  return target + sep + "since=" + std::to_string(id);
}

bool url::is_loopback() const noexcept {
  return (ntohl(address.sin_addr.s_addr) >> 24) == 127;
}

std::optional<url> parse_url(const std::string& text, std::string& error) {
  url u;
  auto colon = text.find("://");
  if (colon == std::string::npos) {
    error = "'" + text + "' is not a URL (scheme://host:port/path)";
    return std::nullopt;
  }
  u.scheme = text.substr(0, colon);
  std::uint16_t default_port;
  if (u.scheme == "ws" || u.scheme == "http") {
    default_port = 80;
  } else {
    error = "'" + text + "': only ws:// and http:// are supported";
    return std::nullopt;
  }
  auto rest = text.substr(colon + 3);
  auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target[0] == '?')
    u.target.insert(0, "/");
  auto pc = authority.rfind(':');
  u.host = authority.substr(0, pc);
  u.port = default_port;
  if (pc != std::string::npos) {
    auto digits = authority.substr(pc + 1);
    unsigned long port = 0;
    if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos
        || (port = std::stoul(digits)) == 0 || port > 65535) {
      error = "'" + text + "': bad port";
      return std::nullopt;
    }
    u.port = static_cast<std::uint16_t>(port);
  }
  auto ip = u.host == "localhost" ? std::string{"127.0.0.1"} : u.host;
  u.address.sin_family = AF_INET;
  u.address.sin_port = htons(u.port);
  if (inet_pton(AF_INET, ip.c_str(), &u.address.sin_addr) != 1) {
    error = "'" + text + "': the host must be an IPv4 address or localhost";
    return std::nullopt;
  }
  return u;
}

} // namespace herald::bench

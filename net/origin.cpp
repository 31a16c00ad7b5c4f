#include "net/origin.hpp"

#include <algorithm>
#include <cctype>

namespace herald {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size()
         && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
              return std::tolower(static_cast<unsigned char>(x))
                     == std::tolower(static_cast<unsigned char>(y));
            });
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// "host:80" -> "host" when 80 is the default port; IPv6 "[::1]:80" too.
std::string_view strip_default_port(std::string_view authority, std::string_view port) {
  std::string suffix = ":" + std::string(port);
  if (ends_with(authority, suffix))
    return authority.substr(0, authority.size() - suffix.size());
  return authority;
}

/// An authority as browsers send it: host or [v6], then an optional :port.
/// Rejects anything that could smuggle another host (userinfo, paths, spaces).
bool plausible_authority(std::string_view a) {
  if (a.empty())
    return false;
  for (char c : a) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '/' || c == '@' || c == '\\' || c == '?' || c == '#')
      return false;
  }
  return true;
}

bool same_host(std::string_view origin, std::string_view host_header) {
  std::string_view scheme_sep = "://";
  auto pos = origin.find(scheme_sep);
  if (pos == std::string_view::npos)
    return false;
  std::string_view scheme = origin.substr(0, pos);
  std::string_view authority = origin.substr(pos + scheme_sep.size());
  std::string_view default_port;
  if (iequals(scheme, "http"))
    default_port = "80";
  else if (iequals(scheme, "https"))
    default_port = "443";
  else
    return false;
  if (!plausible_authority(authority) || !plausible_authority(host_header))
    return false;
  return iequals(strip_default_port(authority, default_port),
                 strip_default_port(host_header, default_port));
}

// "https://*.example.com" against "https://a.b.example.com".
bool matches_pattern(std::string_view origin, std::string_view pattern) {
  constexpr std::string_view wildcard = "://*.";
  auto star = pattern.find(wildcard);
  auto sep = origin.find("://");
  if (star == std::string_view::npos || sep == std::string_view::npos
      || !iequals(origin.substr(0, sep), pattern.substr(0, star)))
    return false;
  auto domain = pattern.substr(star + wildcard.size()); // "example.com[:port]"
  auto authority = origin.substr(sep + 3);
  if (!plausible_authority(authority) || authority.size() < domain.size() + 2)
    return false;
  auto cut = authority.size() - domain.size();
  if (authority[cut - 1] != '.' || !iequals(authority.substr(cut), domain))
    return false;
  // What the star stands for: dot-separated labels of letters, digits and '-'.
  auto labels = authority.substr(0, cut - 1);
  char prev = '.';
  for (char c : labels) {
    bool label_char = std::isalnum(static_cast<unsigned char>(c)) || c == '-';
    if (!label_char && !(c == '.' && prev != '.'))
      return false;
    prev = c;
  }
  return prev != '.';
}

} // namespace

bool origin_allowed(std::string_view origin, std::string_view host_header,
                    const std::vector<std::string>& allowed) {
  if (allowed.empty())
    return same_host(origin, host_header);
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) {
    return iequals(a, origin) || matches_pattern(origin, a);
  });
}

} // namespace herald

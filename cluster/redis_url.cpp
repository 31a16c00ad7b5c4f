#include "cluster/redis_url.hpp"

#include <charconv>

namespace herald {

namespace {

constexpr std::string_view scheme = "redis://";

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i])
      return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// %XX escapes become their byte; any other '%' is an error, so that a
// password is never silently something else than what was meant.
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size())
      return std::nullopt;
    int hi = hex_value(in[i + 1]);
    int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                      || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

bool is_hostname_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
         || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return hex_value(c) >= 0 || c == ':' || c == '.';
}

template <class T>
bool parse_decimal(std::string_view text, T& out) {
  if (text.empty())
    return false;
  for (char c : text)
    if (c < '0' || c > '9')
      return false; // from_chars would take a sign
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool fail(std::string* error, std::string reason) {
  if (error != nullptr)
    *error = std::move(reason);
  return false;
}

bool parse_userinfo(std::string_view info, redis_url& url, std::string* error) {
  auto colon = info.find(':');
  if (colon == std::string_view::npos)
    return fail(error, "the part before '@' needs a ':' before the password "
                       "(redis://:password@host or redis://user:password@host)");
  auto user = percent_decode(info.substr(0, colon));
  if (!user)
    return fail(error, "bad %-escape in the user name");
  auto password = percent_decode(info.substr(colon + 1));
  if (!password)
    return fail(error, "bad %-escape in the password");
  if (password->empty())
    return fail(error, "the password is empty");
  url.username = std::move(*user);
  url.password = std::move(*password);
  return true;
}

bool parse_host_port(std::string_view hp, redis_url& url, std::string* error) {
  std::string_view port_text;
  bool has_port = false;
  if (!hp.empty() && hp.front() == '[') {
    auto close = hp.find(']');
    if (close == std::string_view::npos)
      return fail(error, "'[' of an IPv6 address without ']'");
    auto host = hp.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos)
      return fail(error, "'" + std::string{host} + "' is not an IPv6 address");
    for (char c : host)
      if (!is_ipv6_char(c))
        return fail(error, "'" + std::string{host} + "' is not an IPv6 address");
    url.host = std::string{host};
    auto rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return fail(error, "unexpected '" + std::string{rest} + "' after the IPv6 address");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    auto colon = hp.find(':');
    auto host = hp.substr(0, colon);
    if (host.empty())
      return fail(error, "the host is missing");
    for (char c : host)
      if (!is_hostname_char(c))
        return fail(error, "'" + std::string{host}
                             + "' is not a host name (an IPv6 address goes in [brackets])");
    url.host = std::string{host};
    if (colon != std::string_view::npos) {
      port_text = hp.substr(colon + 1);
      has_port = true;
    }
  }
  if (has_port) {
    unsigned port = 0;
    if (!parse_decimal(port_text, port) || port == 0 || port > 65535)
      return fail(error, "'" + std::string{port_text} + "' is not a port (1-65535)");
    url.port = static_cast<uint16_t>(port);
  }
  return true;
}

bool parse_db(std::string_view path, redis_url& url, std::string* error) {
  // path is "" or starts with '/'.
  if (path.size() <= 1)
    return true;
  auto number = path.substr(1);
  int db = 0;
  if (!parse_decimal(number, db))
    return fail(error, "'" + std::string{number} + "' is not a database number");
  url.db = db;
  return true;
}

} // namespace

std::optional<redis_url> parse_redis_url(std::string_view text, std::string* error) {
  if (starts_with_nocase(text, "rediss://")) {
    fail(error, "rediss:// (TLS) is not supported; use redis://");
    return std::nullopt;
  }
  if (!starts_with_nocase(text, scheme)) {
    fail(error, "'" + std::string{text} + "' does not start with redis://");
    return std::nullopt;
  }
  auto rest = text.substr(scheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    fail(error, "query and fragment ('?', '#') are not supported");
    return std::nullopt;
  }
  redis_url url;
  // The last '@' ends the userinfo: a password may contain '@' or '/' even
  // unescaped, a host or database number never does.
  auto at = rest.rfind('@');
  if (at != std::string_view::npos) {
    if (!parse_userinfo(rest.substr(0, at), url, error))
      return std::nullopt;
    rest = rest.substr(at + 1);
  }
  auto slash = rest.find('/');
  auto host_port = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (!parse_host_port(host_port, url, error) || !parse_db(path, url, error))
    return std::nullopt;
  return url;
}

std::string to_display_string(const redis_url& url) {
  std::string out{scheme};
  if (!url.username.empty() || !url.password.empty())
    out += percent_encode(url.username) + (url.password.empty() ? "@" : ":***@");
  if (url.host.find(':') != std::string::npos)
    out += "[" + url.host + "]";
  else
    out += url.host;
  out += ":" + std::to_string(url.port) + "/" + std::to_string(url.db);
  return out;
}

} // namespace herald

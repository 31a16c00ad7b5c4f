#include "config/values.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <limits>

namespace herald {

namespace {

// Leading decimal digits of `text` into `out`; false when there are none or
// the number does not fit. `text` keeps what follows the digits.
bool take_number(std::string_view& text, uint64_t& out) {
  std::size_t i = 0;
  uint64_t n = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    auto digit = static_cast<uint64_t>(text[i] - '0');
    if (n > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return false;
    n = n * 10 + digit;
  }
  if (i == 0)
    return false;
  out = n;
  text.remove_prefix(i);
  return true;
}

bool is_ip(const std::string& address, int family) {
  unsigned char buf[16];
  return inet_pton(family, address.c_str(), buf) == 1;
}

} // namespace

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::optional<std::string> parse_listen(std::string_view text, std::string& address,
                                        uint16_t& port) {
  auto shape_error = [&] {
    return "expected ADDR:PORT such as \"127.0.0.1:9999\" or \"[::1]:9999\", got " + in_quotes(text);
  };
  std::string addr;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return shape_error();
    addr = std::string{text.substr(1, close - 1)};
    rest = text.substr(close + 2);
    if (!is_ip(addr, AF_INET6))
      return in_quotes(addr) + " is not an IPv6 address (got " + in_quotes(text) + ")";
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return shape_error();
    addr = std::string{text.substr(0, colon)};
    rest = text.substr(colon + 1);
    if (addr.find(':') != std::string::npos)
      return "an IPv6 address needs brackets, as in \"[::1]:9999\", got " + in_quotes(text);
    if (!is_ip(addr, AF_INET))
      return in_quotes(addr) + " is not an IP address; the listener does no name lookup (got "
             + in_quotes(text) + ")";
  }
  uint64_t n = 0;
  auto digits = rest;
  if (!take_number(digits, n) || !digits.empty())
    return shape_error();
  if (n > 65535)
    return "port must be 0-65535 (0: any free port), got " + in_quotes(text);
  address = std::move(addr);
  port = static_cast<uint16_t>(n);
  return std::nullopt;
}

std::optional<std::string> parse_duration(std::string_view text, std::chrono::milliseconds& out) {
  auto error = [&] {
    return "expected a duration such as \"500ms\", \"10s\", \"2m\", \"1h\" or \"7d\", got "
           + in_quotes(text);
  };
  auto rest = text;
  uint64_t n = 0;
  if (!take_number(rest, n))
    return error();
  uint64_t scale = 0;
  if (rest == "ms")
    scale = 1;
  else if (rest == "s")
    scale = 1000;
  else if (rest == "m")
    scale = 60 * 1000;
  else if (rest == "h")
    scale = 60 * 60 * 1000;
  else if (rest == "d")
    scale = 24 * 60 * 60 * 1000;
  else
    return error();
  // Far beyond any sane setting; the per-key range check gives the real limit.
  constexpr uint64_t max_ms = uint64_t{1} << 48;
  if (n > max_ms / scale)
    return "duration too large, got " + in_quotes(text);
  out = std::chrono::milliseconds{static_cast<int64_t>(n * scale)};
  return std::nullopt;
}

std::optional<std::string> parse_size(std::string_view text, std::size_t& out) {
  auto error = [&] {
    return "expected a positive integer or a size such as \"64KiB\" or \"4MiB\" (units B, KiB, "
           "MiB, GiB), got "
           + in_quotes(text);
  };
  auto rest = text;
  uint64_t n = 0;
  if (!take_number(rest, n))
    return error();
  uint64_t scale = 0;
  if (rest.empty() || rest == "B")
    scale = 1;
  else if (rest == "KiB")
    scale = uint64_t{1} << 10;
  else if (rest == "MiB")
    scale = uint64_t{1} << 20;
  else if (rest == "GiB")
    scale = uint64_t{1} << 30;
  else
    return error();
  constexpr uint64_t max_bytes = uint64_t{1} << 48;
  if (n > max_bytes / scale)
    return "size too large, got " + in_quotes(text);
  out = static_cast<std::size_t>(n * scale);
  return std::nullopt;
}

std::optional<std::string> parse_redis_setting(std::string_view text,
                                               std::optional<redis_url>& out) {
  if (text.empty()) {
    out.reset();
    return std::nullopt;
  }
  std::string why;
  auto url = parse_redis_url(text, &why);
  if (!url) {
    // Some reasons quote the whole text, password and all: not in a log.
    if (why.find(text) != std::string::npos)
      why = "not a redis:// URL";
    return "expected \"\" (a single node) or a URL redis://[[user]:password@]host[:port][/db]"
           + (why.empty() ? std::string{} : ": " + why);
  }
  out = std::move(*url);
  return std::nullopt;
}

bool is_log_level(std::string_view level) {
  for (auto known : {"trace", "debug", "info", "warn", "error", "critical", "off"})
    if (level == known)
      return true;
  return false;
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 86'400'000 == 0)
    return std::to_string(ms / 86'400'000) + "d";
  if (ms != 0 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms != 0 && ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_size(std::size_t bytes) {
  struct unit {
    std::size_t scale;
    const char* name;
  };
  for (auto u : {unit{std::size_t{1} << 30, "GiB"}, unit{std::size_t{1} << 20, "MiB"},
                 unit{std::size_t{1} << 10, "KiB"}})
    if (bytes != 0 && bytes % u.scale == 0)
      return std::to_string(bytes / u.scale) + u.name;
  return std::to_string(bytes) + "B";
}

std::string format_listen(const std::string& address, uint16_t port) {
  if (address.find(':') != std::string::npos)
    return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

} // namespace herald

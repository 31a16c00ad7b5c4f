#include "bench/http_response.hpp"

#include <cstring>
#include <string_view>

namespace herald::bench {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z')
      x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = static_cast<char>(y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return true;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
    v.remove_suffix(1);
  return v;
}

bool contains_token(std::string_view list, std::string_view token) {
  for (std::size_t i = 0; i + token.size() <= list.size(); ++i)
    if (iequals(list.substr(i, token.size()), token))
      return true;
  return false;
}

// Parses a chunked body starting at `pos`; sets end to one past its last byte.
http_response::result skip_chunked(std::string_view buf, std::size_t pos, std::size_t& end) {
  for (;;) {
    auto eol = buf.find("\r\n", pos);
    if (eol == std::string_view::npos)
      return http_response::result::incomplete;
    std::size_t chunk = 0;
    std::size_t digits = 0;
    for (auto i = pos; i < eol; ++i, ++digits) {
      char c = buf[i];
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (v < 0)
        break; // chunk extensions follow
      if (digits >= 12)
        return http_response::result::invalid;
      chunk = chunk * 16 + static_cast<std::size_t>(v);
    }
    if (digits == 0)
      return http_response::result::invalid;
    pos = eol + 2;
    if (chunk == 0) {
      // Trailers, then an empty line.
      for (;;) {
        auto line_end = buf.find("\r\n", pos);
        if (line_end == std::string_view::npos)
          return http_response::result::incomplete;
        bool empty = line_end == pos;
        pos = line_end + 2;
        if (empty) {
          end = pos;
          return http_response::result::complete;
        }
      }
    }
    if (buf.size() < pos + chunk + 2)
      return http_response::result::incomplete;
    pos += chunk + 2;
  }
}

} // namespace

http_response::result parse_http_response(const char* data, std::size_t size, http_response& out) {
  std::string_view buf{data, size};
  out = http_response{};
  auto head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos)
    return buf.size() > 64 * 1024 ? http_response::result::invalid : http_response::result::incomplete;
  if (buf.size() < 12 || buf.compare(0, 5, "HTTP/") != 0)
    return http_response::result::invalid;
  auto sp = buf.find(' ');
  if (sp == std::string_view::npos || sp + 4 > head_end)
    return http_response::result::invalid;
  int status = 0;
  for (std::size_t i = sp + 1; i < sp + 4; ++i) {
    if (buf[i] < '0' || buf[i] > '9')
      return http_response::result::invalid;
    status = status * 10 + (buf[i] - '0');
  }
  out.status = status;
  bool http10 = buf.compare(0, 8, "HTTP/1.0") == 0;
  bool chunked = false;
  bool has_length = false;
  std::size_t content_length = 0;
  auto pos = buf.find("\r\n") + 2;
  while (pos < head_end + 2) {
    auto eol = buf.find("\r\n", pos);
    auto line = buf.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      continue;
    auto name = line.substr(0, colon);
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (value.empty() || value.size() > 12)
        return http_response::result::invalid;
      content_length = 0;
      for (char c : value) {
        if (c < '0' || c > '9')
          return http_response::result::invalid;
        content_length = content_length * 10 + static_cast<std::size_t>(c - '0');
      }
      has_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = contains_token(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (contains_token(value, "close"))
        out.close = true;
    }
  }
  if (http10)
    out.close = true;
  auto body = head_end + 4;
  if ((status >= 100 && status < 200) || status == 204 || status == 304) {
    out.length = body;
    return http_response::result::complete;
  }
  if (chunked) {
    std::size_t end = 0;
    auto r = skip_chunked(buf, body, end);
    if (r == http_response::result::complete)
      out.length = end;
    return r;
  }
  if (!has_length) {
    // Delimited by the end of the connection: unusable for keep-alive.
    out.close = true;
    out.length = buf.size();
    return http_response::result::invalid;
  }
  if (buf.size() < body + content_length)
    return http_response::result::incomplete;
  out.length = body + content_length;
  return http_response::result::complete;
}

} // namespace herald::bench

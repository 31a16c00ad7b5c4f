#include "storage/frame_json.hpp"

#include <cstdio>
#include <ctime>

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace herald {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80)
    return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80; // allowed range of the second byte
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c == 0xE0) {
    n = 3;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    n = 3;
  } else if (c == 0xED) {
    n = 3;
    hi = 0x9F;
  } else if (c == 0xF0) {
    n = 4;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    n = 4;
  } else if (c == 0xF4) {
    n = 4;
    hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < n)
    return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi)
    return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
      return 0;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto n = utf8_sequence_length(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

// A copy of `s` with each byte that starts no valid sequence replaced by
// U+FFFD. Only taken for broken input; valid text is never copied.
std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    auto n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  if (is_valid_utf8(s)) {
    out += boost::json::serialize(boost::json::string_view{s.data(), s.size()});
  } else {
    auto fixed = replace_invalid_utf8(s);
    out += boost::json::serialize(boost::json::string_view{fixed.data(), fixed.size()});
  }
}

} // namespace

std::string format_time_ms(int64_t unix_ms) {
  // Floor division, so that -1 ms is 23:59:59.999 of the day before.
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr)
    return "1970-01-01T00:00:00.000Z"; // unrepresentable year: a stored row is corrupt
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms));
  return buf;
}

std::string render_frame(uint64_t id, std::string_view channel, std::string_view username,
                         std::string_view text, int64_t time_ms) {
  std::string out;
  out.reserve(64 + channel.size() + username.size() + text.size() + text.size() / 8);
  out += "{\"id\":";
  out += std::to_string(id);
  out += ",\"channel\":";
  append_json_string(out, channel);
  out += ",\"username\":";
  append_json_string(out, username);
  out += ",\"message\":";
  append_json_string(out, text);
  out += ",\"time\":\"";
  out += format_time_ms(time_ms);
  out += "\"}";
  return out;
}

} // namespace herald

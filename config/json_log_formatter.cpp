#include "config/json_log_formatter.hpp"

#include <chrono>
#include <ctime>
#include <iterator>

#include <spdlog/common.h>
#include <spdlog/details/log_msg.h>

#include "config/conn_tag.hpp"

namespace herald {

namespace {

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), 0 if there is none.
std::size_t utf8_sequence(std::string_view s) {
  auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
    return i < s.size() && byte(i) >= lo && byte(i) <= hi;
  };
  unsigned lead = byte(0);
  if (lead < 0x80)
    return 1;
  if (lead >= 0xC2 && lead <= 0xDF)
    return in(1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    unsigned lo = lead == 0xE0 ? 0xA0 : 0x80;
    unsigned hi = lead == 0xED ? 0x9F : 0xBF;
    return in(1, lo, hi) && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    unsigned lo = lead == 0xF0 ? 0x90 : 0x80;
    unsigned hi = lead == 0xF4 ? 0x8F : 0xBF;
    return in(1, lo, hi) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// `Out` is std::string or spdlog's memory buffer: both have push_back and
// append(first, last).
template <class Out>
void append_literal(Out& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

template <class Out>
void append_escaped(std::string_view text, Out& out) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text.front());
    if (c >= 0x80) {
      auto n = utf8_sequence(text);
      if (n == 0) {
        append_literal(out, "\\ufffd");
        n = 1;
      } else {
        append_literal(out, text.substr(0, n));
      }
      text.remove_prefix(n);
      continue;
    }
    text.remove_prefix(1);
    switch (c) {
      case '"':
        append_literal(out, "\\\"");
        continue;
      case '\\':
        append_literal(out, "\\\\");
        continue;
      case '\n':
        append_literal(out, "\\n");
        continue;
      case '\r':
        append_literal(out, "\\r");
        continue;
      case '\t':
        append_literal(out, "\\t");
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) { // DEL is legal JSON, but no terminal should get it raw
      append_literal(out, "\\u00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
      continue;
    }
    out.push_back(static_cast<char>(c));
  }
  out.push_back('"');
}

} // namespace

void append_json_string(std::string_view text, std::string& out) {
  append_escaped(text, out);
}

void json_log_formatter::format(const spdlog::details::log_msg& msg,
                                spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  // UTC with a Z, unlike the text format's local time: collectors merge
  // lines from machines in different zones.
  auto since_epoch = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
  auto ms = ((since_epoch % 1000) + 1000) % 1000;
  auto seconds = static_cast<std::time_t>((since_epoch - ms) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  auto out = std::back_inserter(dest);
  fmt::format_to(out, "{{\"time\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\",\"level\":\"",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, ms);
  auto level = spdlog::level::to_string_view(msg.level);
  dest.append(level.data(), level.data() + level.size());
  append_literal(dest, "\",\"msg\":");
  std::string_view text{msg.payload.data(), msg.payload.size()};
  append_escaped(text, dest);
  if (auto conn = find_conn_tag(text))
    fmt::format_to(out, ",\"conn\":{}", *conn);
  append_literal(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const {
  return std::make_unique<json_log_formatter>();
}

} // namespace herald

#include "cluster/redis_stream.hpp"

#include <charconv>
#include <chrono>

#include <hiredis/hiredis.h>

#include "cluster/redis_connection.hpp"
#include "storage/frame_json.hpp"

namespace herald {

namespace {

bool is_string(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_STRING;
}

// One entry: [id, [field, value, field, value, ...]].
bool decode_entry(const redisReply& entry, const std::string* channel,
                  std::chrono::steady_clock::time_point committed_at, frame_list& out,
                  std::string& error) {
  if (entry.type != REDIS_REPLY_ARRAY || entry.elements != 2 || !is_string(entry.element[0])
      || entry.element[1]->type != REDIS_REPLY_ARRAY) {
    error = "malformed stream entry";
    return false;
  }
  auto id_text = reply_text(*entry.element[0]);
  auto id = parse_stream_id(id_text);
  if (!id) {
    error = "stream entry id '" + std::string{id_text} + "' is not herald's";
    return false;
  }
  const auto& fields = *entry.element[1];
  std::optional<std::string_view> c, u, m, t, p;
  for (std::size_t i = 0; i + 1 < fields.elements; i += 2) {
    if (!is_string(fields.element[i]) || !is_string(fields.element[i + 1]))
      continue;
    auto name = reply_text(*fields.element[i]);
    auto value = reply_text(*fields.element[i + 1]);
    if (name == "c")
      c = value;
    else if (name == "u")
      u = value;
    else if (name == "m")
      m = value;
    else if (name == "t")
      t = value;
    else if (name == "p")
      p = value;
  }
  auto time_ms = t ? parse_i64(*t) : std::nullopt;
  auto prev_id = p ? parse_u64(*p) : std::nullopt;
  if ((channel == nullptr && !c) || !u || !m || !time_ms || !prev_id) {
    error = "stream entry " + std::string{id_text} + " lacks a field of herald's";
    return false;
  }
  auto f = std::make_shared<frame_data>();
  f->id = *id;
  f->prev_id = *prev_id;
  f->channel = channel != nullptr ? *channel : std::string{*c};
  f->json = render_frame(f->id, f->channel, *u, *m, *time_ms);
  f->committed_at = committed_at;
  out.push_back(std::move(f));
  return true;
}

} // namespace

std::string stream_id(uint64_t id) {
  return "0-" + std::to_string(id);
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9')
    return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::optional<int64_t> parse_i64(std::string_view text) {
  if (text.empty() || (text.front() == '+'))
    return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_stream_id(std::string_view text) {
  if (text.substr(0, 2) != "0-")
    return std::nullopt;
  return parse_u64(text.substr(2));
}

bool decode_entries(const redisReply& entries, const std::string* channel, frame_list& out,
                    std::string& error) {
  if (entries.type != REDIS_REPLY_ARRAY) {
    error = "a stream read did not answer with entries";
    return false;
  }
  out.reserve(out.size() + entries.elements);
  // Entries of the log are commits this node learns of now, which is where
  // its publish-to-write latency starts; a channel stream's are history.
  auto committed_at = channel == nullptr ? std::chrono::steady_clock::now()
                                         : std::chrono::steady_clock::time_point{};
  for (std::size_t i = 0; i < entries.elements; ++i)
    if (!decode_entry(*entries.element[i], channel, committed_at, out, error))
      return false;
  return true;
}

} // namespace herald

#include "support/api.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <mutex>
#include <thread>

namespace herald::test_support {

namespace json = boost::json;

std::string messages_path(const std::string& channel) {
  return "/api/channels/" + channel + "/messages";
}

std::string form_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

publish_result publish(http_client& http, const std::string& channel, const std::string& text,
                       body_format format, const std::string& token, token_header how) {
  auto target = channel.empty() ? std::string{"/api/tool/send_message"} : messages_path(channel);
  return publish_at(http, target, text, format, token, how);
}

publish_result publish_at(http_client& http, const std::string& target, const std::string& text,
                          body_format format, const std::string& token, token_header how) {
  header_list headers;
  std::string body;
  if (format == body_format::form) {
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    body = "message=" + form_encode(text);
  } else {
    headers.emplace_back("Content-Type", "application/json");
    body = json::serialize(json::object{{"message", text}});
  }
  if (how == token_header::bearer)
    headers.emplace_back("Authorization", "Bearer " + token);
  else if (how == token_header::token)
    headers.emplace_back("Token", token);
  publish_result result;
  result.response = http.request("POST", target, body, headers);
  result.status = result.response.status;
  if (auto obj = parse_object(result.response.body)) {
    auto* id = obj->if_contains("id");
    auto* status = obj->if_contains("status");
    if (id && id->is_number() && status && status->is_string() && status->get_string() == "OK"
        && obj->size() == 2) {
      std::error_code ec;
      auto n = id->to_number<uint64_t>(ec);
      if (!ec)
        result.id = n;
    }
  }
  return result;
}

std::vector<uint64_t> publish_many(uint16_t port, const std::string& channel, int count,
                                   int threads) {
  std::mutex mtx;
  std::vector<uint64_t> ids;
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      http_client http{port};
      for (int i = next++; i < count; i = next++) {
        auto r = publish(http, channel, "bulk " + std::to_string(i));
        if (r.status != 200)
          return;
        std::lock_guard<std::mutex> guard{mtx};
        ids.push_back(r.id);
      }
    });
  for (auto& w : workers)
    w.join();
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<json::object> parse_object(const std::string& body) {
  json::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  return v.as_object();
}

std::optional<int64_t> parse_time_ms(const std::string& t) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ, 24 characters, digits where digits belong.
  static const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (t.size() != shape.size())
    return std::nullopt;
  for (std::size_t i = 0; i < t.size(); ++i) {
    bool digit = std::isdigit(static_cast<unsigned char>(t[i])) != 0;
    if (shape[i] == 'd' ? !digit : t[i] != shape[i])
      return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(t.substr(pos, len)); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59
      || tm.tm_sec > 60)
    return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + num(20, 3);
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<message> parse_message(const json::value& v, std::string* why) {
  auto fail = [&](const std::string& what) -> std::optional<message> {
    if (why)
      *why = what + " in " + json::serialize(v);
    return std::nullopt;
  };
  if (!v.is_object())
    return fail("not an object");
  auto& obj = v.as_object();
  if (obj.size() != 5)
    return fail("expected exactly 5 keys");
  message m;
  auto* id = obj.if_contains("id");
  if (!id || !(id->is_int64() || id->is_uint64()) || (id->is_int64() && id->as_int64() <= 0))
    return fail("id missing or not a positive integer");
  m.id = id->is_uint64() ? id->as_uint64() : static_cast<uint64_t>(id->as_int64());
  for (auto [key, slot] : {std::pair{"channel", &m.channel}, std::pair{"username", &m.username},
                           std::pair{"message", &m.text}, std::pair{"time", &m.time}}) {
    auto* field = obj.if_contains(key);
    if (!field || !field->is_string())
      return fail(std::string{key} + " missing or not a string");
    *slot = std::string{field->as_string()};
  }
  if (!parse_time_ms(m.time))
    return fail("malformed time");
  return m;
}

std::optional<message> parse_message(const std::string& frame, std::string* why) {
  json::error_code ec;
  auto v = json::parse(frame, ec);
  if (ec) {
    if (why)
      *why = "not JSON: " + frame.substr(0, 200);
    return std::nullopt;
  }
  return parse_message(v, why);
}

bool is_json_error(const http_response& res, int status, std::string* why) {
  auto fail = [&](const std::string& what) {
    if (why)
      *why = what + " (status " + std::to_string(res.status) + ", body " + res.body.substr(0, 200)
             + (res.error.empty() ? "" : ", error " + res.error) + ")";
    return false;
  };
  if (res.status != status)
    return fail("wrong status, expected " + std::to_string(status));
  if (res.header("content-type").find("application/json") != 0)
    return fail("Content-Type " + res.header("content-type"));
  auto obj = parse_object(res.body);
  if (!obj)
    return fail("body is not a JSON object");
  auto* code = obj->if_contains("code");
  auto* msg = obj->if_contains("message");
  if (!code || !code->is_number() || code->to_number<int64_t>() != status)
    return fail("code missing or different");
  if (!msg || !msg->is_string() || msg->as_string().empty())
    return fail("message missing, empty or not a string");
  return true;
}

history_result history(http_client& http, const std::string& channel, const std::string& query) {
  history_result result;
  auto res = http.request("GET", messages_path(channel) + query);
  result.status = res.status;
  if (res.status != 200) {
    result.error = "status " + std::to_string(res.status) + ": " + res.body;
    return result;
  }
  auto obj = parse_object(res.body);
  auto* ch = obj ? obj->if_contains("channel") : nullptr;
  auto* msgs = obj ? obj->if_contains("messages") : nullptr;
  if (!ch || !ch->is_string() || ch->as_string() != channel || !msgs || !msgs->is_array()) {
    result.error = "bad shape: " + res.body.substr(0, 300);
    return result;
  }
  for (auto& v : msgs->as_array()) {
    auto m = parse_message(v, &result.error);
    if (!m)
      return result;
    result.messages.push_back(std::move(*m));
  }
  return result;
}

std::vector<uint64_t> read_ids(ws_client& ws, std::size_t count,
                               std::chrono::milliseconds timeout) {
  std::vector<uint64_t> ids;
  for (std::size_t i = 0; i < count; ++i) {
    auto text = ws.read_text(timeout);
    if (!text)
      break;
    auto m = parse_message(*text);
    ids.push_back(m ? m->id : 0);
  }
  return ids;
}

std::vector<uint64_t> read_ids_until(ws_client& ws, uint64_t last, std::size_t limit,
                                     std::chrono::milliseconds timeout,
                                     std::string* stopped_by) {
  std::vector<uint64_t> ids;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ids.size() < limit) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero())
      break;
    auto ev = ws.read(left);
    if (ev.kind != ws_event::text) {
      if (stopped_by)
        *stopped_by = to_string(ev);
      break;
    }
    auto m = parse_message(ev.data);
    ids.push_back(m ? m->id : 0);
    if (m && m->id >= last)
      break;
  }
  return ids;
}

std::vector<uint64_t> ids_after(const std::vector<uint64_t>& ids, uint64_t since) {
  std::vector<uint64_t> out;
  for (auto id : ids)
    if (id > since)
      out.push_back(id);
  return out;
}

std::optional<channel_info> channel_stats(http_client& http, const std::string& channel) {
  auto res = http.request("GET", "/api/channels");
  auto obj = parse_object(res.body);
  auto* list = obj ? obj->if_contains("channels") : nullptr;
  if (res.status != 200 || !list || !list->is_array())
    return std::nullopt;
  for (auto& v : list->as_array()) {
    auto* entry = v.if_object();
    auto* name = entry ? entry->if_contains("name") : nullptr;
    if (!name || !name->is_string() || name->as_string() != channel)
      continue;
    channel_info info;
    auto number = [&](const char* key) -> uint64_t {
      auto* f = entry->if_contains(key);
      std::error_code ec;
      auto n = f && f->is_number() ? f->to_number<uint64_t>(ec) : 0;
      return ec ? 0 : n;
    };
    info.subscribers = number("subscribers");
    info.stored = number("stored");
    info.last_id = number("last_id");
    return info;
  }
  return std::nullopt;
}

} // namespace herald::test_support

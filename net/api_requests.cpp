#include "net/api_requests.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "net/auth.hpp"
#include "net/form_decoding.hpp"

namespace herald {

namespace {

/// "Application/JSON; charset=utf-8" -> true.
bool is_json(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t'))
    media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t'))
    media.remove_suffix(1);
  constexpr std::string_view json = "application/json";
  return media.size() == json.size()
         && std::equal(media.begin(), media.end(), json.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == b;
            });
}

message_text bad(std::string error) {
  message_text m;
  m.status = 400;
  m.error = std::move(error);
  return m;
}

message_text from_json(std::string_view body) {
  boost::system::error_code ec;
  // The parser rejects invalid UTF-8 and nests at most 32 deep (its defaults).
  boost::json::value v = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
  if (ec)
    return bad("invalid JSON: " + ec.message());
  const auto* obj = v.if_object();
  if (!obj)
    return bad("JSON body must be an object");
  const auto* field = obj->if_contains("message");
  if (!field)
    return bad("missing \"message\"");
  const auto* str = field->if_string();
  if (!str)
    return bad("\"message\" must be a string");
  message_text m;
  m.text.assign(str->data(), str->size());
  return m;
}

message_text from_form(std::string_view body) {
  auto field = find_form_field(body, "message");
  if (field.malformed)
    return bad("invalid form encoding");
  if (!field.value)
    return bad("missing form field \"message\"");
  message_text m;
  m.text = std::move(*field.value);
  return m;
}

} // namespace

message_text parse_message_body(std::string_view content_type, std::string_view body) {
  auto m = is_json(content_type) ? from_json(body) : from_form(body);
  if (m.status != 200)
    return m;
  if (m.text.empty())
    return bad("empty message");
  // JSON escapes and form escapes can both produce bytes that are not UTF-8.
  if (!valid_utf8(m.text))
    return bad("message is not valid UTF-8");
  return m;
}

publish_fields parse_publish(std::string_view authorization, std::string_view token_header,
                             std::string_view content_type, std::string_view body,
                             const std::map<std::string, std::string>& tokens) {
  publish_fields p;
  auto who = identify(authorization, token_header, tokens);
  if (!who) {
    p.status = 401;
    p.error = "missing or unknown token";
    return p;
  }
  auto m = parse_message_body(content_type, body);
  if (m.status != 200) {
    p.status = m.status;
    p.error = std::move(m.error);
    return p;
  }
  p.token = std::move(who->token);
  p.username = std::move(who->username);
  p.text = std::move(m.text);
  return p;
}

history_params parse_history_query(std::string_view query) {
  history_params h;
  auto since = find_form_field(query, "since");
  auto limit = find_form_field(query, "limit");
  if (since.malformed || limit.malformed) {
    h.status = 400;
    h.error = "malformed query string";
    return h;
  }
  if (since.value) {
    auto n = parse_uint64(*since.value);
    if (!n) {
      h.status = 400;
      h.error = "since must be a non-negative integer";
      return h;
    }
    h.since = *n;
  }
  if (limit.value) {
    auto n = parse_uint64(*limit.value);
    if (!n || *n == 0) {
      h.status = 400;
      h.error = "limit must be a positive integer";
      return h;
    }
    h.limit = static_cast<uint32_t>(std::min<uint64_t>(*n, max_history_limit));
  }
  return h;
}

socket_params parse_socket_query(std::string_view query) {
  socket_params s;
  auto since = find_form_field(query, "since");
  if (since.malformed) {
    s.status = 400;
    s.error = "malformed query string";
    return s;
  }
  if (since.value) {
    auto n = parse_uint64(*since.value);
    if (!n) {
      s.status = 400;
      s.error = "since must be a non-negative integer";
      return s;
    }
    s.since = *n;
  }
  // Checked, or ignored, by authorize_upgrade: only it knows whether tokens are required.
  s.token = find_form_field(query, "token").value;
  return s;
}

} // namespace herald

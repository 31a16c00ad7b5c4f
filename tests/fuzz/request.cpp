// Fuzzes what an HTTP request's text goes through before any handler runs:
// the router (resolve_route, with an echo path set), the query strings of
// history and socket requests, publish bodies (auth, JSON and form decoding,
// UTF-8), and the target as the log shows it (connection tokens redacted).
//
// Input: newline-separated fields
//   method, target, "upgrade" or anything else, Content-Type,
//   Authorization, Token, then the body (the rest, newlines included).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "net/api_requests.hpp"
#include "net/channel_name.hpp"
#include "net/form_decoding.hpp"
#include "net/query_redaction.hpp"
#include "net/routes.hpp"

using namespace herald;

namespace {

const std::vector<web_asset>& test_assets() {
  static const std::vector<web_asset> assets{
    {"/index.html", "text/html; charset=utf-8", "<!doctype html>"},
    {"/app.js", "text/javascript", "void 0;"},
  };
  return assets;
}

const std::map<std::string, std::string>& test_tokens() {
  static const std::map<std::string, std::string> tokens{{"alice-token", "alice"},
                                                         {"bob-token", "bob"}};
  return tokens;
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty()
         || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_route(const route& r, std::string_view target) {
  FUZZ_CHECK(r.status == 200 || r.status == 400 || r.status == 404 || r.status == 405);
  if (r.status != 200) {
    FUZZ_CHECK(!r.error.empty());
    FUZZ_CHECK((r.status == 405) == !r.allow.empty());
    return;
  }
  // The query is a view into the target, after its first '?'.
  FUZZ_CHECK(inside(r.query, target));
  switch (r.kind) {
    case endpoint::publish:
    case endpoint::history:
    case endpoint::socket:
    case endpoint::send_message:
      FUZZ_CHECK(valid_channel_name(r.channel));
      break;
    case endpoint::asset:
      FUZZ_CHECK(r.asset != nullptr);
      break;
    case endpoint::echo:
      FUZZ_CHECK(r.channel.empty());
      break;
    default:
      break;
  }
}

void check_history(std::string_view query) {
  auto h = parse_history_query(query);
  FUZZ_CHECK(h.status == 200 || h.status == 400);
  if (h.status == 200)
    FUZZ_CHECK(h.limit >= 1 && h.limit <= max_history_limit);
}

void check_socket(std::string_view query) {
  auto s = parse_socket_query(query);
  FUZZ_CHECK(s.status == 200 || s.status == 400);
  FUZZ_CHECK(s.status == 200 || (!s.since && !s.token));
}

void check_publish(std::string_view authorization, std::string_view token,
                   std::string_view content_type, std::string_view body) {
  auto p = parse_publish(authorization, token, content_type, body, test_tokens());
  FUZZ_CHECK(p.status == 200 || p.status == 400 || p.status == 401);
  if (p.status == 200) {
    FUZZ_CHECK(test_tokens().count(p.token) == 1);
    FUZZ_CHECK(test_tokens().at(p.token) == p.username);
    FUZZ_CHECK(!p.text.empty());
    FUZZ_CHECK(valid_utf8(p.text));
  } else {
    FUZZ_CHECK(!p.error.empty());
  }
  // The body alone decodes the same way whoever sends it.
  auto m = parse_message_body(content_type, body);
  if (p.status != 401) {
    FUZZ_CHECK(m.status == p.status);
    FUZZ_CHECK(m.status != 200 || m.text == p.text);
  }
}

// Whatever the socket query parser would read as the token, the logged
// target shows as REDACTED; the path is logged as it came.
void check_redaction(std::string_view target) {
  auto logged = redact_query_secrets(target);
  auto [path, query] = split_request_target(target);
  auto [logged_path, logged_query] = split_request_target(logged);
  FUZZ_CHECK(logged_path == path);
  auto token = parse_socket_query(query).token;
  if (token && !token->empty())
    FUZZ_CHECK(parse_socket_query(logged_query).token == std::optional<std::string>("REDACTED"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest{reinterpret_cast<const char*>(data), size};
  auto method = fuzz::next_line(rest);
  auto target = fuzz::next_line(rest);
  bool upgrade = fuzz::next_line(rest) == "upgrade";
  auto content_type = fuzz::next_line(rest);
  auto authorization = fuzz::next_line(rest);
  auto token = fuzz::next_line(rest);
  auto body = rest;

  auto r = resolve_route(method, target, upgrade, test_assets(), "/echo");
  check_route(r, target);

  // The query parsers see what the router hands them, and the raw text too.
  check_history(r.query);
  check_socket(r.query);
  check_history(body);
  check_socket(body);
  check_publish(authorization, token, content_type, body);
  check_redaction(target);

  auto decoded = percent_decode(body, true);
  if (decoded)
    FUZZ_CHECK(decoded->size() <= body.size());
  return 0;
}

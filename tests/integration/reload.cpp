// SIGHUP reloads the config without dropping connections: tokens, limits and
// the log level change at once, open WebSockets stay, an invalid file is
// refused (the running config stays), and settings that need a restart are
// named and kept.
#define CAF_SUITE integration_reload
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <string>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

constexpr const char* reloaded_line = "config reloaded from";
constexpr const char* refused_line = "config reload refused";

// Sends SIGHUP and waits for the line that says how the reload ended: the
// only acknowledgement a signal gets.
bool reload(herald_process& server, const std::string& outcome = reloaded_line) {
  auto before = server.log_count(outcome);
  return server.kill(SIGHUP) && server.wait_for_log(outcome, before + 1);
}

// The log line that contains `what` (empty if none).
std::string line_with(const std::string& log, const std::string& what) {
  auto at = log.find(what);
  if (at == std::string::npos)
    return {};
  auto start = log.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  return log.substr(start, log.find('\n', at) - start);
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

} // namespace

CAF_TEST(a subscriber stays connected and keeps receiving across a reload) {
  herald_options opts;
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/reload/live").upgraded);
  http_client http{server.port()};
  auto first = publish(http, "reload/live", "before the reload");
  CAF_REQUIRE_EQUAL(first.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{first.id});

  opts.tokens["carol-token"] = "carol";
  opts.websocket_toml = "max_message_size = \"32KiB\"\n";
  CAF_REQUIRE(server.rewrite_config(opts));
  CAF_REQUIRE(reload(server));

  auto second = publish(http, "reload/live", "after the reload", body_format::form,
                        "carol-token");
  CAF_REQUIRE_EQUAL(second.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{second.id});
  CAF_CHECK(ws.is_open());
  auto line = line_with(server.log_text(), reloaded_line);
  CAF_CHECK(contains(line, "auth.tokens"));
  CAF_CHECK(contains(line, "websocket.max_message_size"));
  CAF_CHECK(contains(line, server.config_path()));
}

CAF_TEST(a new token works after a reload and a removed one gets 401) {
  herald_options opts;
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  // Opened before the reload and kept alive across it: each request takes
  // the config in force when it arrives.
  http_client kept{server.port()};
  CAF_REQUIRE_EQUAL(publish(kept, "reload/tokens", "x", body_format::form, other_token).status,
                    200);
  CAF_REQUIRE_EQUAL(publish(kept, "reload/tokens", "x", body_format::form, "carol-token").status,
                    401);

  opts.tokens = {{default_token, default_user}, {"carol-token", "carol"}}; // bob's is gone
  CAF_REQUIRE(server.rewrite_config(opts));
  CAF_REQUIRE(reload(server));

  auto check_tokens = [](http_client& client) {
    CAF_CHECK_EQUAL(publish(client, "reload/tokens", "x", body_format::form, "carol-token").status,
                    200);
    auto removed = publish(client, "reload/tokens", "x", body_format::form, other_token);
    std::string why;
    CAF_CHECK(is_json_error(removed.response, 401, &why));
    CAF_CHECK_EQUAL(why, "");
    CAF_CHECK_EQUAL(publish(client, "reload/tokens", "x").status, 200);
  };
  check_tokens(kept);
  http_client fresh{server.port()};
  check_tokens(fresh);
  // Published as carol: the username comes from the new config.
  auto h = history(fresh, "reload/tokens");
  CAF_REQUIRE_GREATER_OR_EQUAL(h.messages.size(), 2u);
  CAF_CHECK_EQUAL(h.messages[0].username, other_user);
  CAF_CHECK_EQUAL(h.messages[1].username, "carol");
  // Names only: no token reaches the log.
  auto log = server.log_text();
  CAF_CHECK(contains(line_with(log, reloaded_line), "auth.tokens"));
  CAF_CHECK(!contains(log, "carol-token"));
  CAF_CHECK(!contains(log, default_token));
}

CAF_TEST(a lowered max_message_size applies to new requests and connections) {
  herald_options opts;
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  const std::string big(2000, 'b');
  http_client http{server.port()};
  CAF_REQUIRE_EQUAL(publish(http, "reload/size", big).status, 200);
  // Opened before: keeps the limit it started with.
  ws_client old_ws{server.port()};
  CAF_REQUIRE(old_ws.connect("/socket/reload/size").upgraded);

  opts.websocket_toml = "max_message_size = \"1KiB\"\n";
  CAF_REQUIRE(server.rewrite_config(opts));
  CAF_REQUIRE(reload(server));

  auto refused = publish(http, "reload/size", big);
  std::string why;
  CAF_CHECK(is_json_error(refused.response, 413, &why));
  CAF_CHECK_EQUAL(why, "");
  CAF_CHECK_EQUAL(publish(http, "reload/size", std::string(500, 's')).status, 200);

  ws_client new_ws{server.port()};
  CAF_REQUIRE(new_ws.connect("/socket/reload/size").upgraded);
  CAF_REQUIRE(new_ws.send_text(big));
  std::vector<std::string> texts;
  auto end = new_ws.read_until_close(texts, 5s, 100);
  CAF_CHECK_EQUAL(to_string(end).substr(0, 11), "closed 1009");

  // The old connection's 2000 bytes are within its limit: ignored, not
  // closed, and it still gets what is published.
  CAF_REQUIRE(old_ws.send_text(big));
  auto next = publish(http, "reload/size", "still here");
  CAF_REQUIRE_EQUAL(next.status, 200);
  auto ids = read_ids_until(old_ws, next.id, 10, 5s);
  CAF_REQUIRE(!ids.empty());
  CAF_CHECK_EQUAL(ids.back(), next.id);
}

CAF_TEST(an invalid config is refused and the running one keeps serving) {
  herald_options opts;
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/reload/bad").upgraded);

  auto valid = server.config_text();
  CAF_REQUIRE(server.rewrite_config_text(valid + "\n[limits]\nmax_connections = 0\n"));
  CAF_REQUIRE(reload(server, refused_line));
  auto line = line_with(server.log_text(), refused_line);
  CAF_CHECK(contains(line, "limits.max_connections"));
  CAF_CHECK(contains(line, "keeping the running config"));
  CAF_CHECK_EQUAL(server.log_count(reloaded_line), 0u);

  // A file that does not parse at all, too.
  CAF_REQUIRE(server.rewrite_config_text("[server\n"));
  CAF_REQUIRE(reload(server, refused_line));
  CAF_CHECK_EQUAL(server.log_count(refused_line), 2u);

  CAF_CHECK(server.running());
  http_client http{server.port()};
  CAF_CHECK_EQUAL(http.request("GET", "/healthz").status, 200);
  auto r = publish(http, "reload/bad", "old tokens still work", body_format::form, other_token);
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
}

CAF_TEST(settings that need a restart are named and kept) {
  herald_options opts;
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  auto changed = opts;
  changed.server_toml = "io_threads = 3\n";
  changed.storage_toml = "cache_per_channel = 10\n";
  changed.tokens["carol-token"] = "carol";
  CAF_REQUIRE(server.rewrite_config(changed));
  CAF_REQUIRE(reload(server));
  auto log = server.log_text();
  auto restart = line_with(log, "takes effect after a restart");
  CAF_CHECK(contains(restart, "changed, takes effect after a restart: "));
  CAF_CHECK(contains(restart, "server.io_threads"));
  CAF_CHECK(contains(restart, "storage.cache_per_channel"));
  CAF_CHECK(!contains(restart, "auth.tokens"));
  auto applied = line_with(log, reloaded_line);
  CAF_CHECK(contains(applied, "auth.tokens"));
  CAF_CHECK(!contains(applied, "io_threads"));
  http_client http{server.port()};
  CAF_CHECK_EQUAL(publish(http, "reload/restart", "x", body_format::form, "carol-token").status,
                  200);
}

CAF_TEST(a log level reload takes effect at once) {
  herald_options opts;
  herald_process server{opts}; // level info: requests are logged at debug
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  CAF_REQUIRE_EQUAL(http.request("GET", "/api/channels").status, 200);
  CAF_CHECK_EQUAL(server.log_count("GET /api/channels -> 200"), 0u);

  opts.log_level = "debug";
  CAF_REQUIRE(server.rewrite_config(opts));
  CAF_REQUIRE(reload(server));
  CAF_CHECK(contains(line_with(server.log_text(), reloaded_line), "log.level"));
  CAF_REQUIRE_EQUAL(http.request("GET", "/api/channels").status, 200);
  CAF_CHECK(server.wait_for_log("GET /api/channels -> 200"));
}

CAF_TEST(a reload keeps the command line flags on top of the file) {
  herald_options opts;
  opts.extra_args = {"--log-level", "info"};
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  opts.log_level = "debug"; // in the file; the flag still says info
  opts.tokens["carol-token"] = "carol";
  CAF_REQUIRE(server.rewrite_config(opts));
  CAF_REQUIRE(reload(server));
  auto applied = line_with(server.log_text(), reloaded_line);
  CAF_CHECK(contains(applied, "auth.tokens"));
  CAF_CHECK(!contains(applied, "log.level"));
  http_client http{server.port()};
  CAF_REQUIRE_EQUAL(http.request("GET", "/api/channels").status, 200);
  CAF_REQUIRE_EQUAL(publish(http, "reload/flags", "x", body_format::form, "carol-token").status,
                    200);
  CAF_CHECK_EQUAL(server.log_count("GET /api/channels -> 200"), 0u);
}

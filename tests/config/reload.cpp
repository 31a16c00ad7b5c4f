// Tests config/reload.hpp: which settings of a reloaded config apply at once,
// which wait for a restart (and keep their running value), and that every
// setting herald knows is classified one way or the other.
#define CAF_SUITE config_reload
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "config/describe.hpp"
#include "config/reload.hpp"
#include "config/values.hpp"

using herald::config;
using herald::parse_redis_setting;
using herald::plan_reload;
using herald::setting_reload;

namespace {

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Every setting describe_config shows, by setting name (maps included).
std::set<std::string> described_settings() {
  config c;
  c.tokens = {{"some-token-value", "alice"}};
  c.slow_consumer_channels = {{"metrics/*", "drop_oldest"}};
  std::set<std::string> names;
  auto text = herald::describe_config(c);
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = std::min(text.find('\n', start), text.size());
    auto line = text.substr(start, end - start);
    start = end + 1;
    auto eq = line.find(" = ");
    if (eq != std::string::npos)
      names.insert(herald::setting_of(line.substr(0, eq)));
  }
  return names;
}

} // namespace

CAF_TEST(an unchanged config changes nothing) {
  config running;
  running.tokens = {{"token-one-value", "alice"}};
  auto plan = plan_reload(running, running);
  CAF_CHECK(plan.applied.empty());
  CAF_CHECK(plan.restart.empty());
  CAF_CHECK(plan.next.tokens == running.tokens);
}

CAF_TEST(live settings are taken from the new config and named) {
  config running;
  running.tokens = {{"old-token-value", "alice"}};
  config loaded = running;
  loaded.tokens = {{"new-token-value", "bob"}};
  loaded.allowed_origins = {"https://example.com"};
  loaded.max_connections = 7;
  loaded.publish_rate = 3;
  loaded.max_channels = 9;
  loaded.max_message_size = 1024;
  loaded.ping_interval = std::chrono::milliseconds(500);
  loaded.slow_consumer_policy = "drop_oldest";
  loaded.log_level = "debug";
  loaded.log_format = "json";
  loaded.connection_token_secret = std::string(32, 's');
  auto plan = plan_reload(running, loaded);
  CAF_CHECK(plan.restart.empty());
  for (auto name : {"auth.tokens", "websocket.allowed_origins", "limits.max_connections",
                    "limits.publish_rate", "limits.max_channels", "websocket.max_message_size",
                    "websocket.ping_interval", "slow_consumer.policy", "log.level", "log.format",
                    "auth.connection_token_secret"})
    CAF_CHECK(has(plan.applied, name));
  CAF_CHECK_EQUAL(plan.applied.size(), 11u);
  CAF_CHECK(plan.next.tokens == loaded.tokens);
  CAF_CHECK(plan.next.allowed_origins == loaded.allowed_origins);
  CAF_CHECK_EQUAL(plan.next.max_connections, 7u);
  CAF_CHECK_EQUAL(plan.next.max_channels, 9u);
  CAF_CHECK_EQUAL(plan.next.max_message_size, 1024u);
  CAF_CHECK_EQUAL(plan.next.log_level, "debug");
  CAF_CHECK_EQUAL(plan.next.log_format, "json");
}

CAF_TEST(restart-only settings keep their running value and are named) {
  config running;
  config loaded = running;
  loaded.port = 1234;
  loaded.io_threads = 4;
  loaded.db_path = "other.db";
  loaded.tls_cert = "cert.pem";
  loaded.tls_key = "key.pem";
  loaded.log_file = "herald.log";
  loaded.idle_timeout = std::chrono::milliseconds(1500); // one live change among them
  auto plan = plan_reload(running, loaded);
  CAF_CHECK_EQUAL(plan.applied, std::vector<std::string>{"limits.idle_timeout"});
  CAF_CHECK_EQUAL(plan.restart,
                  (std::vector<std::string>{"server.listen", "server.io_threads", "tls.cert",
                                            "tls.key", "storage.path", "log.file"}));
  CAF_CHECK_EQUAL(plan.next.port, running.port);
  CAF_CHECK_EQUAL(plan.next.io_threads, running.io_threads);
  CAF_CHECK_EQUAL(plan.next.db_path, running.db_path);
  CAF_CHECK_EQUAL(plan.next.tls_cert, "");
  CAF_CHECK_EQUAL(plan.next.log_file, "");
  CAF_CHECK_EQUAL(plan.next.idle_timeout.count(), 1500);
}

CAF_TEST(a changed redis password is noticed though the description masks it) {
  config running;
  CAF_REQUIRE(!parse_redis_setting("redis://:first-password@127.0.0.1:6379", running.redis));
  config loaded;
  CAF_REQUIRE(!parse_redis_setting("redis://:second-password@127.0.0.1:6379", loaded.redis));
  auto plan = plan_reload(running, loaded);
  CAF_CHECK_EQUAL(plan.restart, std::vector<std::string>{"cluster.redis"});
  CAF_CHECK_EQUAL(plan.next.redis->password, "first-password");
}

CAF_TEST(a token swapped for one with the same mask and user is noticed) {
  config running;
  running.tokens = {{"same-prefix-one", "alice"}};
  config loaded = running;
  loaded.tokens = {{"same-prefix-two", "alice"}};
  auto plan = plan_reload(running, loaded);
  CAF_CHECK_EQUAL(plan.applied, std::vector<std::string>{"auth.tokens"});
}

CAF_TEST(the plan names settings only never their values) {
  config running;
  running.tokens = {{"secret-token-aaaa", "alice"}};
  config loaded = running;
  loaded.tokens = {{"secret-token-bbbb", "alice"}};
  loaded.connection_token_secret = std::string(40, 'q');
  auto plan = plan_reload(running, loaded);
  auto all = herald::join_names(plan.applied) + herald::join_names(plan.restart);
  CAF_CHECK_EQUAL(all.find("secret-token"), std::string::npos);
  CAF_CHECK_EQUAL(all.find("qqqq"), std::string::npos);
  CAF_CHECK_EQUAL(herald::join_names({"a.b", "c.d"}), "a.b, c.d");
}

// A setting added to config.hpp and describe.cpp must be sorted into
// config/reload.cpp's list: does a running server take it at once?
CAF_TEST(every setting herald describes is classified for reloads) {
  auto names = described_settings();
  CAF_REQUIRE_GREATER(names.size(), 30u);
  for (auto& name : names) {
    if (herald::reload_kind(name) == setting_reload::unknown)
      CAF_ERROR("setting " << name << " is not in config/reload.cpp's list");
  }
  CAF_CHECK(herald::reload_kind("auth.tokens") == setting_reload::now);
  CAF_CHECK(herald::reload_kind("limits.max_channels") == setting_reload::now);
  CAF_CHECK(herald::reload_kind("server.listen") == setting_reload::after_restart);
  CAF_CHECK(herald::reload_kind("log.file") == setting_reload::after_restart);
  CAF_CHECK(herald::reload_kind("no.such") == setting_reload::unknown);
}

CAF_TEST(a described key belongs to its section and key) {
  CAF_CHECK_EQUAL(herald::setting_of("auth.tokens.\"de\xe2\x80\xa6\""), "auth.tokens");
  CAF_CHECK_EQUAL(herald::setting_of("slow_consumer.channels.\"news.x*\""),
                  "slow_consumer.channels");
  CAF_CHECK_EQUAL(herald::setting_of("log.level"), "log.level");
}

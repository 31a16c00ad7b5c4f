#define CAF_SUITE config_load
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "config/describe.hpp"
#include "config/load.hpp"
#include "common/temp_dir.hpp"

using namespace std::chrono_literals;
using herald::config;
using herald::load_config_file;
using herald::load_config_string;

namespace {

// Every field differs from its default, so loading a file onto it shows
// which keys the file sets.
config perturbed() {
  config c;
  c.listen_address = "10.1.2.3";
  c.port = 1;
  c.io_threads = 7;
  c.actor_threads = 7;
  c.shutdown_timeout = 1ms;
  c.handshake_timeout = 1ms;
  c.read_buffer_size = 1;
  c.write_buffer_size = 1;
  c.subprotocols = {"x"};
  c.allowed_origins = {"https://x.example"};
  c.max_message_size = 1;
  c.write_queue_limit = 1;
  c.ping_interval = 1ms;
  c.pong_timeout = 1ms;
  c.max_connections = 1;
  c.max_connections_per_ip = 1;
  c.publish_rate = 1;
  c.publish_burst = 1;
  c.max_channels = 1;
  c.max_header_size = 1;
  c.idle_timeout = 1ms;
  c.tls_cert = "x.pem";
  c.tls_key = "x.key";
  c.tls_ca = "ca.pem";
  c.plain_listen_address = "127.0.0.9";
  c.plain_port = 1;
  c.require_connection_token = true;
  c.connection_token_secret = "x";
  c.echo_path = "/x";
  c.slow_consumer_policy = "drop_newest";
  c.slow_consumer_channels = {{"x/*", "drop_oldest"}};
  c.db_path = "other.db";
  c.cache_per_channel = 1;
  c.synchronous = "normal";
  c.retention = 1ms;
  c.max_messages_per_channel = 1;
  c.redis = herald::redis_url{"10.9.9.9", 1, "u", "p", 3};
  c.node_id = "x";
  c.key_prefix = "x";
  c.log_length = 1;
  c.report_interval = 1ms;
  c.tokens = {{"t", "u"}};
  c.log_level = "trace";
  c.log_file = "x.log";
  c.log_format = "json";
  c.log_max_size = 1;
  c.log_max_files = 1;
  return c;
}

void check_same(const config& a, const config& b) {
  CAF_CHECK_EQUAL(a.listen_address, b.listen_address);
  CAF_CHECK_EQUAL(a.port, b.port);
  CAF_CHECK_EQUAL(a.io_threads, b.io_threads);
  CAF_CHECK_EQUAL(a.actor_threads, b.actor_threads);
  CAF_CHECK_EQUAL(a.shutdown_timeout.count(), b.shutdown_timeout.count());
  CAF_CHECK_EQUAL(a.handshake_timeout.count(), b.handshake_timeout.count());
  CAF_CHECK_EQUAL(a.read_buffer_size, b.read_buffer_size);
  CAF_CHECK_EQUAL(a.write_buffer_size, b.write_buffer_size);
  CAF_CHECK(a.subprotocols == b.subprotocols);
  CAF_CHECK(a.allowed_origins == b.allowed_origins);
  CAF_CHECK_EQUAL(a.max_message_size, b.max_message_size);
  CAF_CHECK_EQUAL(a.write_queue_limit, b.write_queue_limit);
  CAF_CHECK_EQUAL(a.ping_interval.count(), b.ping_interval.count());
  CAF_CHECK_EQUAL(a.pong_timeout.count(), b.pong_timeout.count());
  CAF_CHECK_EQUAL(a.max_connections, b.max_connections);
  CAF_CHECK_EQUAL(a.max_connections_per_ip, b.max_connections_per_ip);
  CAF_CHECK_EQUAL(a.publish_rate, b.publish_rate);
  CAF_CHECK_EQUAL(a.publish_burst, b.publish_burst);
  CAF_CHECK_EQUAL(a.max_channels, b.max_channels);
  CAF_CHECK_EQUAL(a.max_header_size, b.max_header_size);
  CAF_CHECK_EQUAL(a.idle_timeout.count(), b.idle_timeout.count());
  CAF_CHECK_EQUAL(a.tls_cert, b.tls_cert);
  CAF_CHECK_EQUAL(a.tls_key, b.tls_key);
  CAF_CHECK_EQUAL(a.tls_ca, b.tls_ca);
  CAF_CHECK_EQUAL(a.plain_listen_address, b.plain_listen_address);
  CAF_CHECK_EQUAL(a.plain_port, b.plain_port);
  CAF_CHECK_EQUAL(a.require_connection_token, b.require_connection_token);
  CAF_CHECK_EQUAL(a.connection_token_secret, b.connection_token_secret);
  CAF_CHECK_EQUAL(a.echo_path, b.echo_path);
  CAF_CHECK_EQUAL(a.slow_consumer_policy, b.slow_consumer_policy);
  CAF_CHECK(a.slow_consumer_channels == b.slow_consumer_channels);
  CAF_CHECK_EQUAL(a.db_path, b.db_path);
  CAF_CHECK_EQUAL(a.cache_per_channel, b.cache_per_channel);
  CAF_CHECK_EQUAL(a.synchronous, b.synchronous);
  CAF_CHECK_EQUAL(a.retention.count(), b.retention.count());
  CAF_CHECK_EQUAL(a.max_messages_per_channel, b.max_messages_per_channel);
  CAF_CHECK_EQUAL(a.redis.has_value(), b.redis.has_value());
  if (a.redis && b.redis) {
    CAF_CHECK_EQUAL(herald::to_display_string(*a.redis), herald::to_display_string(*b.redis));
    CAF_CHECK_EQUAL(a.redis->password, b.redis->password);
  }
  CAF_CHECK_EQUAL(a.node_id, b.node_id);
  CAF_CHECK_EQUAL(a.key_prefix, b.key_prefix);
  CAF_CHECK_EQUAL(a.log_length, b.log_length);
  CAF_CHECK_EQUAL(a.report_interval.count(), b.report_interval.count());
  CAF_CHECK(a.tokens == b.tokens);
  CAF_CHECK_EQUAL(a.log_level, b.log_level);
  CAF_CHECK_EQUAL(a.log_file, b.log_file);
  CAF_CHECK_EQUAL(a.log_format, b.log_format);
  CAF_CHECK_EQUAL(a.log_max_size, b.log_max_size);
  CAF_CHECK_EQUAL(a.log_max_files, b.log_max_files);
  // Catches a field added to the struct and to describe_config but not here.
  CAF_CHECK_EQUAL(herald::describe_config(a), herald::describe_config(b));
}

// The key an error names, or "(no error)".
std::string error_key(const std::string& toml) {
  config c;
  auto e = load_config_string(toml, c);
  return e ? e->key : "(no error)";
}

} // namespace

CAF_TEST(the shipped herald.toml sets every key to the built-in default) {
  auto c = perturbed();
  auto e = load_config_file(HERALD_SOURCE_DIR "/config/herald.toml", c);
  CAF_REQUIRE(!e);
  config expected;
  // The binary compiles in no credential; the shipped file has the demo one.
  expected.tokens = {{"dev-token", "admin"}};
  // [cluster] is commented out, so its keys keep what they had (a test
  // below uncomments it).
  auto before = perturbed();
  expected.redis = before.redis;
  expected.node_id = before.node_id;
  expected.key_prefix = before.key_prefix;
  expected.log_length = before.log_length;
  expected.report_interval = before.report_interval;
  check_same(c, expected);
}

CAF_TEST(absent keys keep their values) {
  config c;
  CAF_REQUIRE(!load_config_string("", c));
  check_same(c, config{});
  CAF_REQUIRE(!load_config_string("[websocket]\nmax_message_size = \"1MiB\"\n", c));
  CAF_CHECK_EQUAL(c.max_message_size, 1024u * 1024u);
  auto expected = config{};
  expected.max_message_size = 1024 * 1024;
  check_same(c, expected);
}

CAF_TEST(unknown sections and keys are errors naming them) {
  config c;
  auto e = load_config_string("[server]\nlisen = \"127.0.0.1:1\"\n", c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->key, "server.lisen");
  CAF_CHECK_EQUAL(e->what().rfind("config error: server.lisen: unknown key", 0), 0u);
  CAF_CHECK_NOT_EQUAL(e->message.find("listen"), std::string::npos); // lists the known keys
  e = load_config_string("[servr]\n", c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->key, "servr");
  CAF_CHECK_EQUAL(e->message.rfind("unknown section", 0), 0u);
  CAF_CHECK_EQUAL(error_key("port = 9999\n"), "port");
  CAF_CHECK_EQUAL(error_key("[auth]\nusers = 1\n"), "auth.users");
  CAF_CHECK_EQUAL(error_key("[log]\n\"odd key\" = 1\n"), "log.\"odd key\"");
  CAF_CHECK_EQUAL(error_key("[storage.extra]\n"), "storage.extra");
}

CAF_TEST(wrong types are errors naming the key) {
  CAF_CHECK_EQUAL(error_key("server = 1\n"), "server");
  CAF_CHECK_EQUAL(error_key("[server]\nlisten = 9999\n"), "server.listen");
  CAF_CHECK_EQUAL(error_key("[server]\nio_threads = \"1\"\n"), "server.io_threads");
  CAF_CHECK_EQUAL(error_key("[server]\nactor_threads = 1.5\n"), "server.actor_threads");
  CAF_CHECK_EQUAL(error_key("[websocket]\nhandshake_timeout = 10\n"),
                  "websocket.handshake_timeout");
  CAF_CHECK_EQUAL(error_key("[websocket]\ncompression = \"yes\"\n"), "websocket.compression");
  CAF_CHECK_EQUAL(error_key("[websocket]\ncompression = true\n"), "websocket.compression");
  CAF_CHECK_EQUAL(error_key("[websocket]\nsubprotocols = \"chat\"\n"), "websocket.subprotocols");
  CAF_CHECK_EQUAL(error_key("[websocket]\nsubprotocols = [\"a\", 1]\n"),
                  "websocket.subprotocols[1]");
  CAF_CHECK_EQUAL(error_key("[websocket]\nread_buffer_size = true\n"),
                  "websocket.read_buffer_size");
  CAF_CHECK_EQUAL(error_key("[storage]\npath = 1\n"), "storage.path");
  CAF_CHECK_EQUAL(error_key("[auth]\ntokens = \"x\"\n"), "auth.tokens");
  CAF_CHECK_EQUAL(error_key("[log]\nmax_files = \"5\"\n"), "log.max_files");
  config c;
  auto e = load_config_string("[websocket]\nmax_message_size = \"abc\"\n", c);
  CAF_REQUIRE(e);
  auto what = e->what();
  CAF_CHECK_EQUAL(
    what.rfind("config error: websocket.max_message_size: expected a positive integer", 0), 0u);
  CAF_CHECK_EQUAL(what.substr(what.size() - 9), "got \"abc\"");
}

CAF_TEST(bad values are errors naming the key) {
  struct bad_case {
    const char* toml;
    const char* key;
  };
  const bad_case cases[] = {
    {"[server]\nlisten = \"127.0.0.1:65536\"", "server.listen"},
    {"[server]\nlisten = \"localhost:9999\"", "server.listen"},
    {"[server]\nlisten = \"::1:9999\"", "server.listen"},
    {"[server]\nlisten = \"127.0.0.1\"", "server.listen"},
    {"[server]\nlisten = \"[::1]\"", "server.listen"},
    {"[server]\nio_threads = 0", "server.io_threads"},
    {"[server]\nactor_threads = 65", "server.actor_threads"},
    {"[server]\nshutdown_timeout = \"11m\"", "server.shutdown_timeout"},
    {"[server]\nshutdown_timeout = \"5\"", "server.shutdown_timeout"},
    {"[websocket]\nhandshake_timeout = \"0ms\"", "websocket.handshake_timeout"},
    {"[websocket]\nhandshake_timeout = \"-1s\"", "websocket.handshake_timeout"},
    {"[websocket]\nmax_message_size = 0", "websocket.max_message_size"},
    {"[websocket]\nmax_message_size = -1", "websocket.max_message_size"},
    {"[websocket]\nmax_message_size = \"128MiB\"", "websocket.max_message_size"},
    {"[websocket]\nwrite_queue_limit = \"4MB\"", "websocket.write_queue_limit"},
    {"[websocket]\nsubprotocols = [\"a b\"]", "websocket.subprotocols[0]"},
    {"[websocket]\nsubprotocols = [\"chat\", \"chat\"]", "websocket.subprotocols[1]"},
    {"[websocket]\nallowed_origins = [\"*\"]", "websocket.allowed_origins[0]"},
    {"[websocket]\nallowed_origins = [\"https://*\"]", "websocket.allowed_origins[0]"},
    {"[slow_consumer]\npolicy = \"drop\"", "slow_consumer.policy"},
    {"[slow_consumer.channels]\n\"a*b\" = \"drop_oldest\"", "slow_consumer.channels.\"a*b\""},
    {"[slow_consumer.channels]\n\"a\" = \"later\"", "slow_consumer.channels.\"a\""},
    {"[websocket]\nallowed_origins = [\"https://*.com\"]", "websocket.allowed_origins[0]"},
    {"[websocket]\nallowed_origins = [\"https://a.*.example.com\"]", "websocket.allowed_origins[0]"},
    {"[websocket]\nallowed_origins = [\"https://a.example/\"]", "websocket.allowed_origins[0]"},
    {"[websocket]\nallowed_origins = [\"https://A.example\"]", "websocket.allowed_origins[0]"},
    {"[websocket]\nallowed_origins = [\"a.example\"]", "websocket.allowed_origins[0]"},
    {"[storage]\npath = \"\"", "storage.path"},
    {"[storage]\ncache_per_channel = 0", "storage.cache_per_channel"},
    {"[storage]\nsynchronous = \"off\"", "storage.synchronous"},
    {"[log]\nlevel = \"verbose\"", "log.level"},
    {"[log]\nmax_files = 0", "log.max_files"},
    {"[log]\nmax_size = \"2GiB\"", "log.max_size"},
    {"[log]\nformat = \"xml\"", "log.format"},
  };
  for (auto& bad : cases) {
    config c;
    auto e = load_config_string(bad.toml, c);
    auto got = std::string{bad.toml} + " -> " + (e ? e->key : "(no error)");
    CAF_CHECK_EQUAL(got, std::string{bad.toml} + " -> " + bad.key);
    check_same(c, config{}); // a rejected file changes nothing
  }
}

CAF_TEST(a failing file applies nothing even after good keys) {
  config c;
  auto e = load_config_string("[server]\nio_threads = 2\n[websocket]\nmax_message_size = 0\n", c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(c.io_threads, 1u);
}

CAF_TEST(listen addresses durations and sizes parse) {
  config c;
  CAF_REQUIRE(!load_config_string("[server]\nlisten = \"[::1]:8080\"\nshutdown_timeout = "
                                  "\"500ms\"\n[websocket]\nhandshake_timeout = \"2m\"\n"
                                  "read_buffer_size = 65536\nwrite_buffer_size = \"512B\"\n"
                                  "max_message_size = \"64KiB\"\nwrite_queue_limit = \"1GiB\"\n",
                                  c));
  CAF_CHECK_EQUAL(c.listen_address, "::1");
  CAF_CHECK_EQUAL(c.port, 8080u);
  CAF_CHECK_EQUAL(c.shutdown_timeout.count(), 500);
  CAF_CHECK_EQUAL(c.handshake_timeout.count(), 120000);
  CAF_CHECK_EQUAL(c.read_buffer_size, 65536u);
  CAF_CHECK_EQUAL(c.write_buffer_size, 512u);
  CAF_CHECK_EQUAL(c.max_message_size, 65536u);
  CAF_CHECK_EQUAL(c.write_queue_limit, 1024u * 1024u * 1024u);
  CAF_REQUIRE(!load_config_string("[server]\nlisten = \"0.0.0.0:0\"\n", c));
  CAF_CHECK_EQUAL(c.listen_address, "0.0.0.0");
  CAF_CHECK_EQUAL(c.port, 0u);
}

CAF_TEST(tokens replace the previous table and errors hide them) {
  config c;
  c.tokens = {{"old-token-123", "old"}};
  CAF_REQUIRE(!load_config_string("[auth.tokens]\n\"tok-aaaaaaaa\" = \"alice\"\n"
                                  "\"tok-bbbbbbbb\" = \"bob\"\n",
                                  c));
  CAF_CHECK_EQUAL(c.tokens.size(), 2u);
  CAF_CHECK_EQUAL(c.tokens.count("old-token-123"), 0u);
  CAF_CHECK_EQUAL(c.tokens["tok-bbbbbbbb"], "bob");
  auto e = load_config_string("[auth.tokens]\n\"secret-value-42\" = \"\"\n", c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->key.rfind("auth.tokens", 0), 0u);
  CAF_CHECK_EQUAL(e->what().find("secret-value-42"), std::string::npos);
  e = load_config_string("[auth.tokens]\n\"has space\" = \"carol\"\n", c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->what().find("has space"), std::string::npos);
}

CAF_TEST(missing and unparsable files are errors) {
  herald::test::temp_dir dir;
  config c;
  auto missing = (dir.path() / "nope.toml").string();
  auto e = load_config_file(missing, c);
  CAF_REQUIRE(e);
  CAF_CHECK_NOT_EQUAL(e->what().find(missing), std::string::npos);
  CAF_CHECK_NOT_EQUAL(e->what().find("No such file"), std::string::npos);
  e = load_config_file(dir.path().string(), c);
  CAF_REQUIRE(e);
  CAF_CHECK_NOT_EQUAL(e->what().find("directory"), std::string::npos);
  auto broken = dir.write("broken.toml", "[server]\nio_threads = 2\nlisten = \n");
  e = load_config_file(broken, c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->key, "");
  // path:line:column, pointing at the third line.
  CAF_CHECK_EQUAL(e->message.rfind(broken + ":3:", 0), 0u);
  CAF_CHECK_EQUAL(c.io_threads, 1u);
  auto good = dir.write("good.toml", "[log]\nlevel = \"debug\"\n");
  CAF_REQUIRE(!load_config_file(good, c));
  CAF_CHECK_EQUAL(c.log_level, "debug");
}

CAF_TEST(a subdomain origin pattern loads) {
  config c;
  CAF_REQUIRE(!load_config_string(
    "[websocket]\nallowed_origins = [\"https://*.example.com\", \"http://*.dev.test:8080\"]\n", c));
  CAF_CHECK_EQUAL(c.allowed_origins.size(), 2u);
}

CAF_TEST(settings that only work together are checked together) {
  CAF_CHECK_EQUAL(error_key("[tls]\ncert = \"c.pem\"\n"), "tls.key");
  CAF_CHECK_EQUAL(error_key("[tls]\nkey = \"k.pem\"\n"), "tls.cert");
  CAF_CHECK_EQUAL(error_key("[tls]\nca = \"ca.pem\"\n"), "tls.ca");
  CAF_CHECK_EQUAL(error_key("[tls]\nplain_listen = \"127.0.0.1:9080\"\n"), "tls.plain_listen");
  CAF_CHECK_EQUAL(error_key("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n"
                            "plain_listen = \"127.0.0.1:9080\"\n"),
                  "(no error)");
  CAF_CHECK_EQUAL(error_key("[auth]\nrequire_connection_token = true\n"),
                  "auth.connection_token_secret");
  CAF_CHECK_EQUAL(error_key("[auth]\nrequire_connection_token = true\n"
                            "connection_token_secret = \"0123456789abcdef0123456789abcdef\"\n"),
                  "(no error)");
}

CAF_TEST(the plain listener next to TLS is loopback only) {
  auto with = [](const std::string& listen) {
    return error_key("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\nplain_listen = \"" + listen
                     + "\"\n");
  };
  CAF_CHECK_EQUAL(with("0.0.0.0:9080"), "tls.plain_listen");
  CAF_CHECK_EQUAL(with("10.0.0.1:9080"), "tls.plain_listen");
  CAF_CHECK_EQUAL(with("[::1]:9080"), "(no error)");
  CAF_CHECK_EQUAL(with("127.0.0.5:0"), "(no error)");
  config c;
  CAF_REQUIRE(!load_config_string("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n"
                                  "plain_listen = \"127.0.0.2:9080\"\n",
                                  c));
  CAF_CHECK_EQUAL(c.plain_listen_address, "127.0.0.2");
  CAF_CHECK_EQUAL(c.plain_port, 9080u);
}

CAF_TEST(new limits and secrets are validated) {
  CAF_CHECK_EQUAL(error_key("[auth]\nconnection_token_secret = \"short\"\n"),
                  "auth.connection_token_secret");
  CAF_CHECK_EQUAL(error_key("[limits]\nmax_header_size = 100\n"), "limits.max_header_size");
  CAF_CHECK_EQUAL(error_key("[limits]\nidle_timeout = 5\n"), "limits.idle_timeout");
  CAF_CHECK_EQUAL(error_key("[limits]\nmax_channels = -1\n"), "limits.max_channels");
  CAF_CHECK_EQUAL(error_key("[diagnostics]\necho_path = \"echo\"\n"), "diagnostics.echo_path");
  CAF_CHECK_EQUAL(error_key("[diagnostics]\necho_path = \"/e?x=1\"\n"), "diagnostics.echo_path");
  CAF_CHECK_EQUAL(error_key("[diagnostics]\necho_path = \"/socket/echo\"\n"), "(no error)");
}

CAF_TEST(the echo path may not be a path the server already serves) {
  auto echo_at = [](const std::string& path) {
    return error_key("[diagnostics]\necho_path = \"" + path + "\"\n");
  };
  for (auto taken : {"/healthz", "/api", "/api/channels", "/api/tool/send_message",
                     "/api/channels/news/messages", "/api/anything", "/socket/system/message"})
    CAF_CHECK_EQUAL(std::string(taken) + ": " + echo_at(taken),
                    std::string(taken) + ": diagnostics.echo_path");
  // Near misses and other channels' paths are free.
  for (auto free : {"/socket/echo", "/echo", "/apis", "/healthz2", "/socket/system/messages"})
    CAF_CHECK_EQUAL(std::string(free) + ": " + echo_at(free), std::string(free) + ": (no error)");
  config c;
  auto err = load_config_string("[diagnostics]\necho_path = \"/socket/system/message\"\n", c);
  CAF_REQUIRE(err.has_value());
  CAF_CHECK(err->message.find("already") != std::string::npos);
  CAF_CHECK_EQUAL(c.echo_path, "");
}

CAF_TEST(the cluster section sets the redis url and its companions) {
  config c;
  CAF_REQUIRE(!load_config_string("[cluster]\nredis = \"redis://:s3cret@10.0.0.7:6380/2\"\n"
                                  "node_id = \"web-1:9999\"\nkey_prefix = \"chat-prod\"\n"
                                  "log_length = 5000\nreport_interval = \"200ms\"\n",
                                  c));
  CAF_REQUIRE(c.redis.has_value());
  CAF_CHECK_EQUAL(c.redis->host, "10.0.0.7");
  CAF_CHECK_EQUAL(c.redis->port, 6380u);
  CAF_CHECK_EQUAL(c.redis->password, "s3cret");
  CAF_CHECK_EQUAL(c.redis->db, 2);
  CAF_CHECK_EQUAL(c.node_id, "web-1:9999");
  CAF_CHECK_EQUAL(c.key_prefix, "chat-prod");
  CAF_CHECK_EQUAL(c.log_length, 5000u);
  CAF_CHECK_EQUAL(c.report_interval.count(), 200);
  // An empty URL is a single node again.
  CAF_REQUIRE(!load_config_string("[cluster]\nredis = \"\"\n", c));
  CAF_CHECK(!c.redis.has_value());
  CAF_CHECK_EQUAL(c.key_prefix, "chat-prod"); // absent keys keep their values
}

CAF_TEST(bad cluster values are errors naming the key) {
  struct bad_case {
    const char* toml;
    const char* key;
  };
  const bad_case cases[] = {
    {"[cluster]\nredis = 6379", "cluster.redis"},
    {"[cluster]\nredis = \"127.0.0.1:6379\"", "cluster.redis"},
    {"[cluster]\nredis = \"http://127.0.0.1:6379\"", "cluster.redis"},
    {"[cluster]\nredis = \"rediss://127.0.0.1:6379\"", "cluster.redis"},
    {"[cluster]\nredis = \"redis://127.0.0.1:0\"", "cluster.redis"},
    {"[cluster]\nredis = \"redis://127.0.0.1:6379/x\"", "cluster.redis"},
    {"[cluster]\nredis = \"redis://\"", "cluster.redis"},
    {"[cluster]\nnode_id = \"web 1\"", "cluster.node_id"},
    {"[cluster]\nnode_id = 1", "cluster.node_id"},
    {"[cluster]\nkey_prefix = \"\"", "cluster.key_prefix"},
    {"[cluster]\nkey_prefix = \"a*b\"", "cluster.key_prefix"},
    {"[cluster]\nlog_length = 99", "cluster.log_length"},
    {"[cluster]\nlog_length = \"1000\"", "cluster.log_length"},
    {"[cluster]\nreport_interval = \"5ms\"", "cluster.report_interval"},
    {"[cluster]\nreport_interval = \"11m\"", "cluster.report_interval"},
    {"[cluster]\nredis_url = \"redis://127.0.0.1\"", "cluster.redis_url"},
  };
  for (auto& bad : cases) {
    config c;
    auto e = load_config_string(bad.toml, c);
    auto got = std::string{bad.toml} + " -> " + (e ? e->key : "(no error)");
    CAF_CHECK_EQUAL(got, std::string{bad.toml} + " -> " + bad.key);
    check_same(c, config{});
  }
}

CAF_TEST(a bad redis url is reported without its password) {
  for (auto url : {"redis://:hunter2@", "redis://u:hunter2@host:99999", "redis://:hunter2%zz@h",
                   "tcp://:hunter2@host:6379", ":hunter2@host:6379"}) {
    config c;
    auto e = load_config_string(std::string{"[cluster]\nredis = \""} + url + "\"\n", c);
    CAF_REQUIRE(e);
    CAF_CHECK_EQUAL(e->key, "cluster.redis");
    CAF_CHECK_EQUAL(std::string{url} + ": " + std::to_string(e->what().find("hunter2")),
                    std::string{url} + ": " + std::to_string(std::string::npos));
    CAF_CHECK(!c.redis.has_value());
  }
}

CAF_TEST(the commented cluster section of herald.toml loads with the defaults) {
  // Uncomment the section header and its settings, leave the prose alone.
  std::ifstream in{HERALD_SOURCE_DIR "/config/herald.toml"};
  std::stringstream text;
  text << in.rdbuf();
  const std::regex setting{R"(^# (\[cluster\]|[a-z_]+ = .*)$)"};
  std::string line;
  std::string uncommented;
  int settings = 0;
  bool in_cluster = false;
  while (std::getline(text, line)) {
    if (line == "# [cluster]")
      in_cluster = true;
    else if (!line.empty() && line.front() == '[')
      in_cluster = false;
    std::smatch m;
    if (in_cluster && std::regex_match(line, m, setting)) {
      line = m[1];
      ++settings;
    }
    uncommented += line + "\n";
  }
  CAF_CHECK_EQUAL(settings, 6); // the header and five keys
  config c;
  auto e = load_config_string(uncommented, c);
  CAF_REQUIRE(!e);
  CAF_REQUIRE(c.redis.has_value());
  CAF_CHECK_EQUAL(herald::to_display_string(*c.redis), "redis://127.0.0.1:6379/0");
  config expected;
  expected.tokens = {{"dev-token", "admin"}};
  expected.redis = c.redis;
  check_same(c, expected);
}

CAF_TEST(retention takes 0 or a duration and max_messages_per_channel a count) {
  config c;
  CAF_REQUIRE(!load_config_string("[storage]\nretention = \"7d\"\nmax_messages_per_channel = 10\n",
                                  c));
  CAF_CHECK_EQUAL(c.retention.count(), 7 * 24 * 3600 * 1000);
  CAF_CHECK_EQUAL(c.max_messages_per_channel, 10u);
  CAF_REQUIRE(!load_config_string("[storage]\nretention = \"12h\"\n", c));
  CAF_CHECK_EQUAL(c.retention.count(), 12 * 3600 * 1000);
  // "0", 0 and any zero duration switch it off.
  for (auto off : {"\"0\"", "0", "\"0s\"", "\"0d\""}) {
    c.retention = 1h;
    CAF_REQUIRE(!load_config_string(std::string{"[storage]\nretention = "} + off + "\n", c));
    CAF_CHECK_EQUAL(c.retention.count(), 0);
  }
  for (auto bad : {"\"7\"", "\"500ms\"", "\"3651d\"", "\"7 days\"", "7", "true", "\"-1d\""})
    CAF_CHECK_EQUAL(error_key(std::string{"[storage]\nretention = "} + bad + "\n"),
                    "storage.retention");
  CAF_CHECK_EQUAL(error_key("[storage]\nmax_messages_per_channel = -1\n"),
                  "storage.max_messages_per_channel");
  CAF_CHECK_EQUAL(error_key("[storage]\nmax_messages_per_channel = \"10\"\n"),
                  "storage.max_messages_per_channel");
  auto e = load_config_string("[storage]\nretention = \"500ms\"\n", c);
  CAF_REQUIRE(e);
  CAF_CHECK_EQUAL(e->message, "must be \"0\" (off) or from 1s to 3650d, got \"500ms\"");
}

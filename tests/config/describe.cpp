#define CAF_SUITE config_describe
#include <caf/test/unit_test.hpp>

#include <string>

#include "config/describe.hpp"

using herald::config;
using herald::describe_config;
using herald::mask_token;

namespace {

const std::string ellipsis = "\xe2\x80\xa6";

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text + "\n").find("\n" + line + "\n") != std::string::npos;
}

} // namespace

CAF_TEST(every setting appears as a key = value line) {
  config c;
  c.listen_address = "::1";
  c.port = 0;
  c.subprotocols = {"chat"};
  auto text = describe_config(c);
  CAF_CHECK(has_line(text, "server.listen = \"[::1]:0\""));
  CAF_CHECK(has_line(text, "server.io_threads = 1"));
  CAF_CHECK(has_line(text, "server.shutdown_timeout = \"5s\""));
  CAF_CHECK(has_line(text, "websocket.handshake_timeout = \"10s\""));
  CAF_CHECK(has_line(text, "websocket.subprotocols = [\"chat\"]"));
  CAF_CHECK(has_line(text, "websocket.compression = false"));
  CAF_CHECK(has_line(text, "websocket.max_message_size = \"64KiB\""));
  CAF_CHECK(has_line(text, "websocket.write_queue_limit = \"4MiB\""));
  CAF_CHECK(has_line(text, "storage.path = \"herald.db\""));
  CAF_CHECK(has_line(text, "storage.synchronous = \"full\""));
  CAF_CHECK(has_line(text, "log.level = \"info\""));
  CAF_CHECK(has_line(text, "log.max_files = 5"));
  CAF_CHECK_NOT_EQUAL(text.back(), '\n');
}

CAF_TEST(tokens are masked and usernames shown) {
  config c;
  c.tokens = {{"dev-token", "admin"}, {"s3cr3t-l0ng-token-value", "alice"}};
  auto text = describe_config(c);
  CAF_CHECK_EQUAL(text.find("dev-token"), std::string::npos);
  CAF_CHECK_EQUAL(text.find("s3cr3t"), std::string::npos);
  CAF_CHECK_EQUAL(text.find("token-value"), std::string::npos);
  CAF_CHECK(has_line(text, "auth.tokens.\"de" + ellipsis + "\" = \"admin\""));
  CAF_CHECK(has_line(text, "auth.tokens.\"s3" + ellipsis + "\" = \"alice\""));
}

CAF_TEST(masking shows at most two characters) {
  CAF_CHECK_EQUAL(mask_token("abcdefghijkl"), "ab" + ellipsis);
  // Short tokens show nothing: two characters would give away too much.
  CAF_CHECK_EQUAL(mask_token("abc"), ellipsis);
  CAF_CHECK_EQUAL(mask_token(""), ellipsis);
  // Multi-byte characters are never cut in half.
  CAF_CHECK_EQUAL(mask_token("\xc3\xa9\xc3\xa9zzzzzzzz"), "\xc3\xa9\xc3\xa9" + ellipsis);
}

CAF_TEST(the connection token secret is masked) {
  config c;
  c.require_connection_token = true;
  c.connection_token_secret = "0123456789abcdef0123456789abcdef";
  auto text = describe_config(c);
  CAF_CHECK_EQUAL(text.find("0123456789"), std::string::npos);
  CAF_CHECK(has_line(text, "auth.connection_token_secret = \"01" + ellipsis + "\""));
  CAF_CHECK(has_line(text, "auth.require_connection_token = true"));
}

CAF_TEST(the cluster settings are shown with the redis password masked) {
  config c;
  auto text = describe_config(c);
  CAF_CHECK(has_line(text, "cluster.redis = \"\" (single node, SQLite)"));
  CAF_CHECK(has_line(text, "cluster.node_id = \"\" (listen host:port)"));
  CAF_CHECK(has_line(text, "cluster.key_prefix = \"herald\""));
  CAF_CHECK(has_line(text, "cluster.log_length = 1000000"));
  CAF_CHECK(has_line(text, "cluster.report_interval = \"1s\""));
  c.redis = herald::redis_url{"10.0.0.7", 6380, "app", "hunter2-long-password", 1};
  c.node_id = "web-1";
  text = describe_config(c);
  CAF_CHECK_EQUAL(text.find("hunter2"), std::string::npos);
  CAF_CHECK(has_line(text, "cluster.redis = \"" + herald::to_display_string(*c.redis) + "\""));
  CAF_CHECK_NOT_EQUAL(text.find("10.0.0.7:6380"), std::string::npos);
  CAF_CHECK(has_line(text, "cluster.node_id = \"web-1\""));
}

CAF_TEST(retention settings show their value or what 0 means) {
  config c;
  auto text = describe_config(c);
  CAF_CHECK(has_line(text, "storage.retention = \"0\" (keep forever)"));
  CAF_CHECK(has_line(text, "storage.max_messages_per_channel = 0 (no limit)"));
  c.retention = std::chrono::hours(24 * 7);
  c.max_messages_per_channel = 500;
  text = describe_config(c);
  CAF_CHECK(has_line(text, "storage.retention = \"7d\""));
  CAF_CHECK(has_line(text, "storage.max_messages_per_channel = 500"));
}

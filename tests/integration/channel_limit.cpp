// [limits] max_channels on the real binary: a publish that would create one
// channel more than allowed gets 429 JSON (no Retry-After) and is not
// stored, publishing to existing channels goes on, and after a restart on
// the same database the channels already stored still count.
#define CAF_SUITE integration_channel_limit
#include <caf/test/unit_test.hpp>

#include <csignal>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

const std::string limit_message
  = "channel limit reached (max_channels = 2): publish to an existing channel";

herald_options two_channels(const temp_dir& db_dir) {
  herald_options opts;
  opts.db_path = db_dir.file("herald.db");
  opts.extra_toml = "[limits]\nmax_channels = 2\n";
  return opts;
}

// The publish was refused at the channel limit, exactly as docs/api.md says.
void check_refused(const publish_result& r) {
  std::string why;
  CAF_CHECK(is_json_error(r.response, 429, &why));
  CAF_CHECK_EQUAL(why, "");
  auto body = parse_object(r.response.body);
  CAF_REQUIRE(body.has_value());
  auto* message = body->if_contains("message");
  CAF_REQUIRE(message != nullptr && message->is_string());
  CAF_CHECK_EQUAL(std::string(message->as_string()), limit_message);
  CAF_CHECK_EQUAL(r.response.header("retry-after"), "");
}

} // namespace

CAF_TEST(a publish past max_channels gets 429 and existing channels go on) {
  temp_dir db_dir;
  auto opts = two_channels(db_dir);
  uint64_t last_a = 0;
  {
    herald_process server{opts};
    CAF_REQUIRE(server.start());
    http_client http{server.port()};
    CAF_REQUIRE_EQUAL(publish(http, "lim/a", "one").status, 200);
    CAF_REQUIRE_EQUAL(publish(http, "lim/b", "two").status, 200);
    check_refused(publish(http, "lim/c", "three"));
    auto again = publish(http, "lim/a", "four");
    CAF_CHECK_EQUAL(again.status, 200);
    last_a = again.id;
    // Nothing of the refused publish was stored.
    CAF_CHECK(!channel_stats(http, "lim/c").has_value());
    auto h = history(http, "lim/c");
    CAF_CHECK_EQUAL(h.status, 200);
    CAF_CHECK(h.messages.empty());
    CAF_REQUIRE(server.kill(SIGTERM));
    CAF_CHECK_EQUAL(to_string(server.wait_exit(10s)), "exit 0");
  }
  // A restart on the same database counts the two channels already there.
  herald_process second{opts};
  CAF_REQUIRE(second.start());
  http_client http{second.port()};
  check_refused(publish(http, "lim/c", "five"));
  auto b = publish(http, "lim/b", "six");
  CAF_CHECK_EQUAL(b.status, 200);
  CAF_CHECK_GREATER(b.id, last_a);
}

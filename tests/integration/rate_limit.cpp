// The publish rate limit of [limits] against the real binary: a token past
// its burst gets 429 with Retry-After and stores nothing, other tokens are
// unaffected, and the bucket refills at publish_rate.
#define CAF_SUITE integration_rate_limit
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

herald_options limited(int rate, int burst) {
  herald_options opts;
  opts.extra_toml = "[limits]\npublish_rate = " + std::to_string(rate)
                    + "\npublish_burst = " + std::to_string(burst) + "\n";
  return opts;
}

} // namespace

CAF_TEST(a token past its burst gets 429 and the refused message is not stored) {
  herald_process server{limited(2, 3)};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  const std::string channel = "limit/a";
  auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 3; ++i)
    CAF_CHECK_EQUAL(publish(http, channel, "a" + std::to_string(i)).status, 200);
  auto refused = publish(http, channel, "refused");
  // Half a second refills one publish at rate 2: the four must come sooner.
  auto elapsed = std::chrono::steady_clock::now() - start;
  CAF_REQUIRE_LESS(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 450);
  std::string why;
  CAF_CHECK(is_json_error(refused.response, 429, &why));
  CAF_CHECK_EQUAL(why, "");
  CAF_CHECK_EQUAL(refused.response.header("retry-after"), "1");
  auto body = parse_object(refused.response.body);
  CAF_REQUIRE(body.has_value());
  auto* message = body->if_contains("message");
  CAF_REQUIRE(message && message->is_string());
  CAF_CHECK_EQUAL(message->get_string(), "publish rate limit exceeded; retry after 1 s");
  // Another token has its own bucket.
  auto bob = publish(http, channel, "b1", body_format::json, other_token);
  CAF_CHECK_EQUAL(bob.status, 200);

  auto h = history(http, channel);
  CAF_REQUIRE_EQUAL(h.error, "");
  CAF_REQUIRE_EQUAL(h.messages.size(), 4u);
  CAF_CHECK_EQUAL(h.messages[0].text, "a1");
  CAF_CHECK_EQUAL(h.messages[2].text, "a3");
  CAF_CHECK_EQUAL(h.messages[3].text, "b1");
  CAF_CHECK_EQUAL(h.messages[3].username, other_user);

  std::this_thread::sleep_for(600ms);
  auto again = publish(http, channel, "a4");
  CAF_CHECK_EQUAL(again.status, 200);
  h = history(http, channel);
  CAF_REQUIRE_EQUAL(h.messages.size(), 5u);
  CAF_CHECK_EQUAL(h.messages[4].text, "a4");
  CAF_CHECK_EQUAL(server.log_text().find(default_token), std::string::npos);
}

CAF_TEST(without publish_rate publishes past the default burst are not limited) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  int ok = 0;
  for (int i = 0; i < 120; ++i)
    ok += publish(http, "limit/none", "m" + std::to_string(i)).status == 200 ? 1 : 0;
  CAF_CHECK_EQUAL(ok, 120);
}

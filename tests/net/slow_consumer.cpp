// Which slow-consumer policy a channel gets, and the lagged notice's text.

#define CAF_SUITE net_slow_consumer
#include <caf/test/unit_test.hpp>

#include <map>
#include <string>

#include "net/slow_consumer.hpp"

using namespace herald;

CAF_TEST(the fallback applies when no pattern matches) {
  std::map<std::string, std::string> none;
  CAF_CHECK(policy_for("chat", "disconnect", none) == slow_policy::disconnect);
  CAF_CHECK(policy_for("chat", "drop_newest", none) == slow_policy::drop_newest);
  std::map<std::string, std::string> other{{"metrics/*", "drop_oldest"}};
  CAF_CHECK(policy_for("chat", "disconnect", other) == slow_policy::disconnect);
  CAF_CHECK(policy_for("metrics", "disconnect", other) == slow_policy::disconnect);
}

CAF_TEST(a prefix pattern matches every channel under it) {
  std::map<std::string, std::string> p{{"metrics/*", "drop_oldest"}};
  CAF_CHECK(policy_for("metrics/", "disconnect", p) == slow_policy::drop_oldest);
  CAF_CHECK(policy_for("metrics/cpu/0", "disconnect", p) == slow_policy::drop_oldest);
  std::map<std::string, std::string> all{{"*", "drop_newest"}};
  CAF_CHECK(policy_for("anything", "disconnect", all) == slow_policy::drop_newest);
}

CAF_TEST(the longest match wins and an exact name beats an equal prefix) {
  std::map<std::string, std::string> p{{"a/*", "drop_oldest"},
                                       {"a/b/*", "drop_newest"},
                                       {"a/b/", "disconnect"}};
  CAF_CHECK(policy_for("a/x", "disconnect", p) == slow_policy::drop_oldest);
  CAF_CHECK(policy_for("a/b/x", "disconnect", p) == slow_policy::drop_newest);
  CAF_CHECK(policy_for("a/b/", "drop_oldest", p) == slow_policy::disconnect);
}

CAF_TEST(the lagged notice names the count and the id to fetch from) {
  CAF_CHECK_EQUAL(lagged_notice(12, 340), R"({"type":"lagged","skipped":12,"resume_from":340})");
  CAF_CHECK_EQUAL(lagged_notice(1, 0), R"({"type":"lagged","skipped":1,"resume_from":0})");
}

// Parsing the [cluster] redis URL: defaults, user and password with
// %-escapes, IPv6 hosts, database numbers, the errors for everything else,
// and the display form that never shows a password.

#define CAF_SUITE cluster_redis_url
#include <caf/test/unit_test.hpp>

#include <string>

#include "cluster/redis_url.hpp"

using namespace herald;

namespace {

// The reason a text is refused; "" when it parses.
std::string refusal(const std::string& text) {
  std::string error;
  auto url = parse_redis_url(text, &error);
  return url ? std::string{} : (error.empty() ? "(no reason)" : error);
}

redis_url parsed(const std::string& text) {
  std::string error;
  auto url = parse_redis_url(text, &error);
  if (!url)
    CAF_FAIL("refused " << text << ": " << error);
  return *url;
}

} // namespace

CAF_TEST(host alone takes the default port and database) {
  auto url = parsed("redis://cache.internal");
  CAF_CHECK_EQUAL(url.host, "cache.internal");
  CAF_CHECK_EQUAL(url.port, 6379);
  CAF_CHECK_EQUAL(url.db, 0);
  CAF_CHECK_EQUAL(url.username, "");
  CAF_CHECK_EQUAL(url.password, "");
}

CAF_TEST(port and database number) {
  auto url = parsed("redis://10.0.0.7:6380/3");
  CAF_CHECK_EQUAL(url.host, "10.0.0.7");
  CAF_CHECK_EQUAL(url.port, 6380);
  CAF_CHECK_EQUAL(url.db, 3);
  CAF_CHECK_EQUAL(parsed("redis://h:1/").db, 0);
  CAF_CHECK_EQUAL(parsed("REDIS://h:65535").port, 65535);
}

CAF_TEST(password alone and user with password) {
  auto alone = parsed("redis://:s3cret@h");
  CAF_CHECK_EQUAL(alone.username, "");
  CAF_CHECK_EQUAL(alone.password, "s3cret");
  auto both = parsed("redis://herald:pw@h:7000/1");
  CAF_CHECK_EQUAL(both.username, "herald");
  CAF_CHECK_EQUAL(both.password, "pw");
  CAF_CHECK_EQUAL(both.host, "h");
  CAF_CHECK_EQUAL(both.port, 7000);
  CAF_CHECK_EQUAL(both.db, 1);
}

CAF_TEST(percent escapes in user and password are decoded) {
  auto url = parsed("redis://us%40er:p%3Aw%2F%25d%00x@h");
  CAF_CHECK_EQUAL(url.username, "us@er");
  CAF_CHECK_EQUAL(url.password, std::string("p:w/%d\0x", 8));
}

CAF_TEST(the last at sign ends the password) {
  auto url = parsed("redis://:a@b/c@h:1/2");
  CAF_CHECK_EQUAL(url.password, "a@b/c");
  CAF_CHECK_EQUAL(url.host, "h");
  CAF_CHECK_EQUAL(url.port, 1);
  CAF_CHECK_EQUAL(url.db, 2);
}

CAF_TEST(ipv6 hosts go in brackets) {
  auto url = parsed("redis://[::1]:6390/2");
  CAF_CHECK_EQUAL(url.host, "::1");
  CAF_CHECK_EQUAL(url.port, 6390);
  CAF_CHECK_EQUAL(url.db, 2);
  CAF_CHECK_EQUAL(parsed("redis://:pw@[fe80::1]").host, "fe80::1");
  CAF_CHECK_EQUAL(parsed("redis://[::1]").port, 6379);
}

CAF_TEST(malformed urls are refused with a reason) {
  std::string accepted;
  for (auto bad : {"", "127.0.0.1:6379", "http://h", "redis:/h", "redis://", "redis://:6379",
                   "redis://h:", "redis://h:0", "redis://h:65536", "redis://h:-1",
                   "redis://h:63x", "redis://h/x", "redis://h/-1", "redis://h/99999999999",
                   "redis://h/1/2", "redis://h?db=1", "redis://h#x", "redis://h o",
                   "redis://[::1", "redis://[]", "redis://[zz]", "redis://[::1]x",
                   "redis://::1", "redis://pw@h", "redis://user:@h", "redis://:@h",
                   "redis://:%4@h", "redis://:%zz@h", "redis://u%@h:1", "redis://:pw@"}) {
    if (refusal(bad).empty())
      accepted += std::string{"'"} + bad + "' ";
  }
  CAF_CHECK_EQUAL(accepted, "");
  CAF_CHECK_NOT_EQUAL(refusal("rediss://h").find("TLS"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(refusal("redis://h:99999").find("99999"), std::string::npos);
}

CAF_TEST(a null error pointer is allowed) {
  CAF_CHECK(!parse_redis_url("nope", nullptr));
  CAF_CHECK(parse_redis_url("redis://h", nullptr).has_value());
}

CAF_TEST(the display form masks the password) {
  CAF_CHECK_EQUAL(to_display_string(parsed("redis://h")), "redis://h:6379/0");
  CAF_CHECK_EQUAL(to_display_string(parsed("redis://:secret@h:1/2")), "redis://:***@h:1/2");
  CAF_CHECK_EQUAL(to_display_string(parsed("redis://a%20b:secret@[::1]:7/0")),
                  "redis://a%20b:***@[::1]:7/0");
  auto shown = to_display_string(parsed("redis://u:topsecret@h"));
  CAF_CHECK_EQUAL(shown.find("topsecret"), std::string::npos);
}

CAF_TEST(the display form parses back to the same place) {
  auto url = parsed("redis://herald:pw@[::1]:6390/4");
  auto again = parsed(to_display_string(url));
  CAF_CHECK_EQUAL(again.username, url.username);
  CAF_CHECK_EQUAL(again.host, url.host);
  CAF_CHECK_EQUAL(again.port, url.port);
  CAF_CHECK_EQUAL(again.db, url.db);
}

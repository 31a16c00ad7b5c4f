#define CAF_SUITE net_auth
#include <caf/test/unit_test.hpp>

#include "common/must.hpp"

#include <map>
#include <optional>
#include <string>

#include "net/auth.hpp"

using namespace herald;
using herald::test::must;

namespace {
const std::map<std::string, std::string> tokens{{"s3cret", "alice"}, {"other", "bob"}};
} // namespace

CAF_TEST(bearer tokens) {
  CAF_CHECK_EQUAL(must(bearer_token("Bearer abc")), "abc");
  CAF_CHECK_EQUAL(must(bearer_token("bearer abc")), "abc");
  CAF_CHECK_EQUAL(must(bearer_token("BEARER   abc  ")), "abc");
  CAF_CHECK_EQUAL(must(bearer_token("Bearer\tabc")), "abc");
  CAF_CHECK(!bearer_token(""));
  CAF_CHECK(!bearer_token("Bearer"));
  CAF_CHECK(!bearer_token("Bearer "));
  CAF_CHECK(!bearer_token("Bearerabc"));
  CAF_CHECK(!bearer_token("Basic YWxpY2U6eA=="));
  CAF_CHECK(!bearer_token("abc"));
}

CAF_TEST(authorization header) {
  CAF_CHECK_EQUAL(must(authenticate("Bearer s3cret", "", tokens)), "alice");
  CAF_CHECK_EQUAL(must(authenticate("Bearer other", "", tokens)), "bob");
  CAF_CHECK(!authenticate("Bearer wrong", "", tokens));
  CAF_CHECK(!authenticate("Bearer S3CRET", "", tokens)); // tokens are case-sensitive
  CAF_CHECK(!authenticate("Bearer s3cre", "", tokens));
  CAF_CHECK(!authenticate("Bearer s3crett", "", tokens));
  CAF_CHECK(!authenticate("Basic s3cret", "", tokens));
  CAF_CHECK(!authenticate("s3cret", "", tokens));
}

CAF_TEST(token header) {
  CAF_CHECK_EQUAL(must(authenticate("", "s3cret", tokens)), "alice");
  CAF_CHECK_EQUAL(must(authenticate("", " other ", tokens)), "bob");
  CAF_CHECK(!authenticate("", "nope", tokens));
  // A bearer of another scheme or an unknown one falls back to Token.
  CAF_CHECK_EQUAL(must(authenticate("Basic xyz", "other", tokens)), "bob");
  CAF_CHECK_EQUAL(must(authenticate("Bearer nope", "other", tokens)), "bob");
}

CAF_TEST(missing or empty credentials) {
  CAF_CHECK(!authenticate("", "", tokens));
  CAF_CHECK(!authenticate("Bearer ", " ", tokens));
  std::map<std::string, std::string> with_empty{{"", "nobody"}};
  CAF_CHECK(!authenticate("", "", with_empty));
  CAF_CHECK(!authenticate("Bearer s3cret", "s3cret", {}));
  CAF_CHECK(!authenticate(std::string("Bearer s3cret\0", 14), "", tokens));
}

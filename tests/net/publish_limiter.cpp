// The publish rate limit's token buckets: burst, refill at the rate, the
// Retry-After rounding, one bucket per token, and rate 0 as no limit. Time is
// passed in, so nothing here sleeps.

#define CAF_SUITE net_publish_limiter
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "net/publish_limiter.hpp"

using namespace herald;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> tokens{"alice-token", "bob-token"};

// Any fixed point works; far from the clock's epoch like a real one.
const publish_limiter::clock::time_point t0 = publish_limiter::clock::time_point{} + 1000h;

// How many of `n` publishes at `now` are allowed.
int allowed_of(publish_limiter& limiter, const std::string& token, int n,
               publish_limiter::clock::time_point now) {
  int allowed = 0;
  for (int i = 0; i < n; ++i)
    allowed += limiter.try_take(token, now).allowed ? 1 : 0;
  return allowed;
}

} // namespace

CAF_TEST(a full bucket allows the burst then refuses with the wait for one publish) {
  publish_limiter limiter{2, 3, tokens};
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 3, t0), 3);
  auto refused = limiter.try_take("alice-token", t0);
  CAF_CHECK(!refused.allowed);
  CAF_CHECK_EQUAL(refused.wait.count(), std::chrono::nanoseconds{500ms}.count());
  // Refusals take nothing: the wait shrinks with time, not with attempts.
  auto later = limiter.try_take("alice-token", t0 + 200ms);
  CAF_CHECK(!later.allowed);
  CAF_CHECK_EQUAL(later.wait.count(), std::chrono::nanoseconds{300ms}.count());
}

CAF_TEST(the bucket refills at the rate and never beyond the burst) {
  publish_limiter limiter{2, 3, tokens};
  CAF_REQUIRE_EQUAL(allowed_of(limiter, "alice-token", 3, t0), 3);
  CAF_CHECK(!limiter.try_take("alice-token", t0 + 499ms).allowed);
  CAF_CHECK(limiter.try_take("alice-token", t0 + 500ms).allowed);
  CAF_CHECK(!limiter.try_take("alice-token", t0 + 500ms).allowed);
  // 1.25 s later: 2.5 publishes' worth, so two now and half of the next.
  auto t1 = t0 + 500ms + 1250ms;
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 3, t1), 2);
  CAF_CHECK_EQUAL(limiter.try_take("alice-token", t1).wait.count(),
                  std::chrono::nanoseconds{250ms}.count());
  // An hour idle fills the bucket to the burst, not to 7200.
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 10, t1 + 1h), 3);
}

CAF_TEST(a rate that does not divide a second still refills exactly) {
  publish_limiter limiter{3, 1, tokens};
  CAF_REQUIRE(limiter.try_take("alice-token", t0).allowed);
  auto refused = limiter.try_take("alice-token", t0);
  CAF_CHECK_EQUAL(refused.wait.count(), 333'333'334); // rounded up: never early
  CAF_CHECK(!limiter.try_take("alice-token", t0 + 333'333'333ns).allowed);
  CAF_CHECK(limiter.try_take("alice-token", t0 + 333'333'334ns).allowed);
  // Ten seconds of steps of a third of a second (plus the nanosecond the
  // first wait was rounded up by) allow exactly one publish each.
  int allowed = 0;
  for (int i = 2; i <= 30; ++i)
    allowed += allowed_of(limiter, "alice-token", 2, t0 + i * 333'333'334ns);
  CAF_CHECK_EQUAL(allowed, 29);
}

CAF_TEST(retry after rounds up to whole seconds and is never zero) {
  CAF_CHECK_EQUAL(retry_after_seconds(0ns), 1u);
  CAF_CHECK_EQUAL(retry_after_seconds(1ns), 1u);
  CAF_CHECK_EQUAL(retry_after_seconds(500ms), 1u);
  CAF_CHECK_EQUAL(retry_after_seconds(1s), 1u);
  CAF_CHECK_EQUAL(retry_after_seconds(1s + 1ns), 2u);
  CAF_CHECK_EQUAL(retry_after_seconds(2500ms), 3u);
  CAF_CHECK_EQUAL(retry_after_seconds(-5s), 1u);
  // The limiter's own wait at one publish per second, 0.1 s after the last.
  publish_limiter slow{1, 1, tokens};
  CAF_REQUIRE(slow.try_take("bob-token", t0).allowed);
  auto refused = slow.try_take("bob-token", t0 + 100ms);
  CAF_CHECK_EQUAL(retry_after_seconds(refused.wait), 1u);
}

CAF_TEST(each token has its own bucket) {
  publish_limiter limiter{1, 2, tokens};
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 5, t0), 2);
  CAF_CHECK_EQUAL(allowed_of(limiter, "bob-token", 5, t0), 2);
  CAF_CHECK(!limiter.try_take("alice-token", t0).allowed);
  // A token the config does not know gets no bucket (and is not limited
  // here: authentication has refused it before).
  CAF_CHECK_EQUAL(allowed_of(limiter, "stranger", 5, t0), 5);
}

CAF_TEST(rate zero means no limit) {
  publish_limiter limiter{0, 1, tokens};
  CAF_CHECK(limiter.unlimited());
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 10000, t0), 10000);
  CAF_CHECK(!publish_limiter(1, 1, tokens).unlimited());
}

CAF_TEST(a reload keeps what unchanged tokens used and gives new tokens full buckets) {
  publish_limiter limiter{1, 3, tokens};
  CAF_REQUIRE_EQUAL(allowed_of(limiter, "alice-token", 3, t0), 3);
  CAF_REQUIRE_EQUAL(allowed_of(limiter, "bob-token", 1, t0), 1);
  limiter.reconfigure(1, 3, {"alice-token", "carol-token"});
  // alice used up her bucket before the reload: still empty.
  CAF_CHECK(!limiter.try_take("alice-token", t0).allowed);
  CAF_CHECK_EQUAL(allowed_of(limiter, "carol-token", 4, t0), 3);
  // bob is no longer configured: not limited here (auth refuses him).
  CAF_CHECK_EQUAL(allowed_of(limiter, "bob-token", 10, t0), 10);
}

CAF_TEST(a reload to a smaller burst caps the kept buckets) {
  publish_limiter limiter{1, 10, tokens};
  limiter.reconfigure(1, 2, tokens);
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 5, t0), 2);
  // And the new rate refills: two per second after a reload to 2/s.
  limiter.reconfigure(2, 2, tokens);
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 5, t0 + 1s), 2);
}

CAF_TEST(a reload turns the limit on and off) {
  publish_limiter limiter{0, 2, tokens};
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 5, t0), 5);
  limiter.reconfigure(1, 2, tokens);
  CAF_CHECK(!limiter.unlimited());
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 5, t0), 2);
  limiter.reconfigure(0, 2, tokens);
  CAF_CHECK(limiter.unlimited());
  CAF_CHECK_EQUAL(allowed_of(limiter, "alice-token", 5, t0), 5);
}

// The connection limits: the total and per-address caps, which one refuses,
// slots giving their place back when destroyed or moved over, 0 meaning no
// per-address cap, and addresses leaving the map when their count is 0.

#define CAF_SUITE net_connection_limits
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/connection_limits.hpp"

using namespace herald;

namespace {

std::vector<connection_slot> acquire(connection_limits& limits, const std::string& address,
                                     int n) {
  std::vector<connection_slot> slots;
  for (int i = 0; i < n; ++i) {
    auto s = limits.try_acquire(address);
    CAF_REQUIRE(static_cast<bool>(s));
    slots.push_back(std::move(s));
  }
  return slots;
}

} // namespace

CAF_TEST(the total limit refuses every address once reached) {
  connection_limits limits{3, 0};
  auto a = acquire(limits, "10.0.0.1", 2);
  auto b = acquire(limits, "10.0.0.2", 1);
  CAF_CHECK_EQUAL(limits.open(), 3u);
  for (auto address : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
    auto refused = limits.try_acquire(address);
    CAF_CHECK(!refused);
    CAF_CHECK(refused.refusal() == connection_refusal::total);
  }
  CAF_CHECK_EQUAL(limits.open(), 3u);
  CAF_CHECK_EQUAL(limits.open_from("10.0.0.3"), 0u);
}

CAF_TEST(the per address limit refuses only that address) {
  connection_limits limits{100, 2};
  auto a = acquire(limits, "10.0.0.1", 2);
  auto refused = limits.try_acquire("10.0.0.1");
  CAF_CHECK(!refused);
  CAF_CHECK(refused.refusal() == connection_refusal::per_address);
  CAF_CHECK_EQUAL(limits.open_from("10.0.0.1"), 2u);
  auto other = limits.try_acquire("10.0.0.2");
  CAF_CHECK(static_cast<bool>(other));
  CAF_CHECK(other.refusal() == connection_refusal::none);
  CAF_CHECK_EQUAL(limits.open(), 3u);
}

CAF_TEST(a full total is the reason even when the address is full too) {
  connection_limits limits{2, 2};
  auto a = acquire(limits, "10.0.0.1", 2);
  CAF_CHECK(limits.try_acquire("10.0.0.1").refusal() == connection_refusal::total);
}

CAF_TEST(destroying a slot lets the next connection in) {
  connection_limits limits{2, 1};
  auto a = acquire(limits, "10.0.0.1", 1);
  auto b = acquire(limits, "10.0.0.2", 1);
  CAF_CHECK(!limits.try_acquire("10.0.0.1"));
  CAF_CHECK(!limits.try_acquire("10.0.0.3"));
  a.clear();
  CAF_CHECK_EQUAL(limits.open(), 1u);
  CAF_CHECK_EQUAL(limits.open_from("10.0.0.1"), 0u);
  auto again = limits.try_acquire("10.0.0.1");
  CAF_CHECK(static_cast<bool>(again));
  CAF_CHECK_EQUAL(limits.open(), 2u);
}

CAF_TEST(a moved slot releases once and a refused one never) {
  connection_limits limits{5, 0};
  {
    auto first = limits.try_acquire("10.0.0.1");
    connection_slot moved{std::move(first)};
    CAF_CHECK(!first);
    CAF_CHECK(static_cast<bool>(moved));
    // Held the way a WebSocket holds it: type-erased in a shared_ptr.
    std::shared_ptr<const void> held = std::make_shared<connection_slot>(std::move(moved));
    CAF_CHECK_EQUAL(limits.open(), 1u);
    connection_slot assigned = limits.try_acquire("10.0.0.1");
    assigned = limits.try_acquire("10.0.0.2"); // gives the 10.0.0.1 place back
    CAF_CHECK_EQUAL(limits.open(), 2u);
    CAF_CHECK_EQUAL(limits.open_from("10.0.0.1"), 1u);
    held.reset();
    CAF_CHECK_EQUAL(limits.open_from("10.0.0.1"), 0u);
    assigned.release();
    assigned.release();
    CAF_CHECK_EQUAL(limits.open(), 0u);
  }
  CAF_CHECK_EQUAL(limits.open(), 0u);
  connection_limits full{1, 0};
  auto held = full.try_acquire("10.0.0.1");
  { auto refused = full.try_acquire("10.0.0.1"); }
  CAF_CHECK_EQUAL(full.open(), 1u);
}

CAF_TEST(per address 0 means no per address limit) {
  connection_limits limits{1000, 0};
  auto slots = acquire(limits, "10.0.0.1", 1000);
  CAF_CHECK_EQUAL(limits.open_from("10.0.0.1"), 1000u);
  CAF_CHECK(limits.try_acquire("10.0.0.1").refusal() == connection_refusal::total);
}

CAF_TEST(addresses leave the map when their last connection ends) {
  connection_limits limits{100, 10};
  {
    auto a = acquire(limits, "10.0.0.1", 3);
    auto b = acquire(limits, "10.0.0.2", 1);
    auto c = acquire(limits, "::1", 2);
    CAF_CHECK_EQUAL(limits.addresses(), 3u);
    b.clear();
    CAF_CHECK_EQUAL(limits.addresses(), 2u);
    a.pop_back();
    CAF_CHECK_EQUAL(limits.addresses(), 2u);
  }
  CAF_CHECK_EQUAL(limits.addresses(), 0u);
  CAF_CHECK_EQUAL(limits.open(), 0u);
  // Refusals leave nothing behind either.
  connection_limits full{1, 1};
  auto held = full.try_acquire("10.0.0.1");
  for (int i = 0; i < 10; ++i)
    CAF_CHECK(!full.try_acquire("10.0.0." + std::to_string(i + 2)));
  CAF_CHECK_EQUAL(full.addresses(), 1u);
}

CAF_TEST(a slot outlives the limits it came from) {
  connection_slot survivor;
  {
    connection_limits limits{1, 1};
    survivor = limits.try_acquire("10.0.0.1");
    CAF_CHECK(static_cast<bool>(survivor));
  }
  survivor.release(); // must not touch freed memory (run under ASan to see it)
  CAF_CHECK(!survivor);
}

CAF_TEST(new limits apply to new connections and leave open ones open) {
  connection_limits limits{4, 3};
  auto a = acquire(limits, "10.0.0.1", 3);
  limits.set_limits(4, 2);
  CAF_CHECK_EQUAL(limits.per_address_limit(), 2u);
  CAF_CHECK_EQUAL(limits.open_from("10.0.0.1"), 3u); // over the new limit, still open
  auto refused = limits.try_acquire("10.0.0.1");
  CAF_CHECK(!refused);
  CAF_CHECK(refused.refusal() == connection_refusal::per_address);
  a.pop_back();
  a.pop_back();
  CAF_CHECK(static_cast<bool>(limits.try_acquire("10.0.0.1"))); // 1 open: room again
  limits.set_limits(1, 0);
  CAF_CHECK(limits.try_acquire("10.0.0.2").refusal() == connection_refusal::total);
  limits.set_limits(10, 0);
  CAF_CHECK(static_cast<bool>(limits.try_acquire("10.0.0.2")));
}

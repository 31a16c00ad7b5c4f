#define CAF_SUITE bench_seq_tracker
#include <caf/test/unit_test.hpp>

#include "bench/seq_tracker.hpp"

using namespace herald::bench;

namespace {
auto all = [](std::uint64_t) { return true; };
using outcome = seq_tracker::outcome;
} // namespace

CAF_TEST(in order delivery) {
  seq_tracker t;
  for (std::uint64_t s = 1; s <= 100; ++s)
    CAF_CHECK(t.on_receive(s, s - 1) == outcome::in_order);
  CAF_CHECK_EQUAL(t.unique(), 100u);
  CAF_CHECK_EQUAL(t.lost(100, all), 0u);
  CAF_CHECK_EQUAL(t.duplicates(), 0u);
  CAF_CHECK_EQUAL(t.out_of_order(), 0u);
}

CAF_TEST(gaps and the tail count as lost) {
  seq_tracker t;
  for (std::uint64_t s : {1, 2, 5, 6, 9})
    t.on_receive(s, 0);
  // Missing: 3 4 7 8 below the highest, 10 11 12 above it.
  CAF_CHECK_EQUAL(t.lost(12, all), 7u);
  CAF_CHECK_EQUAL(t.lost(9, all), 4u);
  // Only acknowledged publishes are expected.
  CAF_CHECK_EQUAL(t.lost(12, [](std::uint64_t s) { return s % 2 == 0; }), 4u); // 4 8 10 12
  CAF_CHECK(t.has(5));
  CAF_CHECK(!t.has(7));
  CAF_CHECK(!t.has(10));
}

CAF_TEST(duplicates are counted and do not hide loss) {
  seq_tracker t;
  t.on_receive(1, 0);
  t.on_receive(2, 0);
  CAF_CHECK(t.on_receive(2, 0) == outcome::duplicate);
  CAF_CHECK(t.on_receive(1, 0) == outcome::duplicate);
  t.on_receive(4, 0);
  CAF_CHECK(t.on_receive(4, 0) == outcome::duplicate);
  CAF_CHECK_EQUAL(t.duplicates(), 3u);
  CAF_CHECK_EQUAL(t.unique(), 3u);
  CAF_CHECK_EQUAL(t.lost(4, all), 1u);
  CAF_CHECK(t.on_receive(3, 0) == outcome::late);
  CAF_CHECK(t.on_receive(3, 0) == outcome::duplicate);
  CAF_CHECK_EQUAL(t.lost(4, all), 0u);
  CAF_CHECK(t.on_receive(0, 0) == outcome::duplicate); // 0 is never published
}

CAF_TEST(reordering among concurrent publishes is allowed) {
  // 1 and 2 were in flight together (watermark 0): the server may commit
  // 2 first.
  seq_tracker t;
  CAF_CHECK(t.on_receive(2, 0) == outcome::in_order);
  CAF_CHECK(t.on_receive(1, 0) == outcome::late);
  CAF_CHECK_EQUAL(t.out_of_order(), 0u);
  CAF_CHECK_EQUAL(t.lost(2, all), 0u);
}

CAF_TEST(delivery after a later acknowledged publish is out of order) {
  // 3 was sent after 1 and 2 were acknowledged (watermark 2): 1 arriving
  // after 3 is an order violation; 2 as well.
  seq_tracker t;
  CAF_CHECK(t.on_receive(3, 2) == outcome::in_order);
  CAF_CHECK(t.on_receive(1, 0) == outcome::out_of_order);
  CAF_CHECK(t.on_receive(2, 0) == outcome::out_of_order);
  CAF_CHECK_EQUAL(t.out_of_order(), 2u);
  CAF_CHECK_EQUAL(t.lost(3, all), 0u);
  CAF_CHECK_EQUAL(t.unique(), 3u);
}

CAF_TEST(gaps split and merge correctly) {
  seq_tracker t;
  t.on_receive(1, 0);
  t.on_receive(10, 0); // gap 2..9
  for (std::uint64_t s : {5, 2, 9, 7})
    CAF_CHECK(t.on_receive(s, 0) == outcome::late);
  // Left: 3 4 6 8.
  CAF_CHECK_EQUAL(t.lost(10, all), 4u);
  for (std::uint64_t s : {3, 4, 6, 8})
    CAF_CHECK(!t.has(s));
  for (std::uint64_t s : {1, 2, 5, 7, 9, 10})
    CAF_CHECK(t.has(s));
  for (std::uint64_t s : {3, 4, 6, 8})
    t.on_receive(s, 0);
  CAF_CHECK_EQUAL(t.lost(10, all), 0u);
  CAF_CHECK_EQUAL(t.duplicates(), 0u);
  CAF_CHECK_EQUAL(t.unique(), 10u);
}

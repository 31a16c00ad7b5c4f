// The byte accounting and resume point of a connection's write queue.

#define CAF_SUITE net_write_queue
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>

#include "net/write_queue.hpp"

using namespace herald;

namespace {

frame make_frame(uint64_t id, uint64_t prev_id, std::size_t size) {
  return std::make_shared<const frame_data>(frame_data{id, prev_id, "c", std::string(size, 'x')});
}

} // namespace

CAF_TEST(bytes are counted from push until the write completes) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 30)));
  CAF_CHECK(q.push(make_frame(2, 1, 20)));
  CAF_CHECK_EQUAL(q.queued_bytes(), 50u);
  CAF_REQUIRE(q.can_write());
  CAF_CHECK_EQUAL(q.begin_write()->id, 1u);
  CAF_CHECK(q.writing());
  CAF_CHECK(!q.can_write()); // one write in flight
  CAF_CHECK_EQUAL(q.queued_bytes(), 50u);
  q.write_done();
  CAF_CHECK_EQUAL(q.queued_bytes(), 20u);
  CAF_CHECK_EQUAL(q.resume_id(), 1u);
  CAF_REQUIRE(q.can_write());
  CAF_CHECK_EQUAL(q.begin_write()->id, 2u);
  q.write_done();
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
  CAF_CHECK_EQUAL(q.resume_id(), 2u);
}

CAF_TEST(a push over the limit is refused and changes nothing) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 60)));
  CAF_CHECK(q.push(make_frame(2, 1, 40))); // exactly at the limit
  CAF_CHECK(!q.push(make_frame(3, 2, 1)));
  CAF_CHECK_EQUAL(q.size(), 2u);
  CAF_CHECK_EQUAL(q.queued_bytes(), 100u);
}

CAF_TEST(the in flight frame counts against the limit) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 80)));
  q.begin_write();
  CAF_CHECK(!q.push(make_frame(2, 1, 30)));
  q.write_done();
  CAF_CHECK(q.push(make_frame(2, 1, 30)));
}

CAF_TEST(an empty queue takes one frame larger than the limit) {
  write_queue q{10, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 50)));
  CAF_CHECK(!q.push(make_frame(2, 1, 1)));
  q.begin_write();
  q.write_done();
  CAF_CHECK(q.push(make_frame(2, 1, 1)));
}

CAF_TEST(drop_pending keeps only the frame in flight) {
  write_queue q{100, std::nullopt};
  for (uint64_t id = 1; id <= 3; ++id)
    CAF_CHECK(q.push(make_frame(id, id - 1, 10)));
  q.begin_write();
  q.drop_pending();
  CAF_CHECK_EQUAL(q.size(), 1u);
  CAF_CHECK_EQUAL(q.queued_bytes(), 10u);
  CAF_CHECK(q.writing());
  q.write_done();
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.resume_id(), 1u);
  // Without a write in flight, everything goes.
  CAF_CHECK(q.push(make_frame(4, 3, 10)));
  q.drop_pending();
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
}

CAF_TEST(clear drops the frame in flight too) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 10)));
  q.begin_write();
  q.clear();
  CAF_CHECK(q.empty());
  CAF_CHECK(!q.writing());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
  q.write_done(); // a late completion changes nothing
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
}

CAF_TEST(resume point before any write) {
  // With since: where the client started.
  write_queue with_since{100, uint64_t{17}};
  CAF_CHECK_EQUAL(with_since.resume_id(), 17u);
  CAF_CHECK(with_since.push(make_frame(20, 18, 10)));
  CAF_CHECK_EQUAL(with_since.resume_id(), 17u);
  // Live only: just before the first message it was given.
  write_queue live{100, std::nullopt};
  CAF_CHECK_EQUAL(live.resume_id(), 0u);
  CAF_CHECK(live.push(make_frame(9, 5, 10)));
  CAF_CHECK(live.push(make_frame(12, 9, 10)));
  CAF_CHECK_EQUAL(live.resume_id(), 5u);
}

CAF_TEST(a null frame is ignored) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(nullptr));
  CAF_CHECK(q.empty());
}

// The byte accounting, gather writes and resume point of a connection's
// write queue.

#define CAF_SUITE net_write_queue
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "net/write_queue.hpp"

using namespace herald;

namespace {

frame make_frame(uint64_t id, uint64_t prev_id, std::size_t size) {
  return std::make_shared<const frame_data>(frame_data{id, prev_id, "c", std::string(size, 'x')});
}

const std::string empty_pong("\x8a\x00", 2);

// What one gather write would put on the wire, as a string.
std::string gathered(const write_queue& q, std::size_t max = 64,
                     std::size_t max_bytes = std::size_t(-1)) {
  std::vector<iovec> iov(max);
  auto n = q.gather(iov.data(), max, max_bytes);
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return out;
}

// A text frame's bytes as a client receives them (short payloads only).
std::string wire(const std::string& text) {
  return std::string{"\x81"} + static_cast<char>(text.size()) + text;
}

} // namespace

CAF_TEST(one gather holds every queued frame with its header) {
  write_queue q{1000, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 3)));
  CAF_CHECK(q.push(make_frame(2, 1, 5)));
  CAF_CHECK_EQUAL(gathered(q), wire("xxx") + wire("xxxxx"));
  CAF_CHECK_EQUAL(q.queued_bytes(), 8u); // message text only
}

CAF_TEST(bytes are counted from push until the frame is written whole) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 30)));
  CAF_CHECK(q.push(make_frame(2, 1, 20)));
  CAF_CHECK_EQUAL(q.queued_bytes(), 50u);
  q.consumed(2 + 29); // one byte of frame 1 is still out
  CAF_CHECK(q.mid_frame());
  CAF_CHECK_EQUAL(q.queued_bytes(), 50u);
  CAF_CHECK_EQUAL(q.size(), 2u);
  q.consumed(1);
  CAF_CHECK(!q.mid_frame());
  CAF_CHECK_EQUAL(q.queued_bytes(), 20u);
  CAF_CHECK_EQUAL(q.resume_id(), 1u);
  q.consumed(22);
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
  CAF_CHECK_EQUAL(q.resume_id(), 2u);
}

CAF_TEST(a partial write resumes inside the frame it stopped in) {
  write_queue q{1000, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 4)));
  CAF_CHECK(q.push(make_frame(2, 1, 4)));
  auto all = gathered(q);
  // Stop inside the first header, then inside the second text.
  q.consumed(1);
  CAF_CHECK_EQUAL(gathered(q), all.substr(1));
  q.consumed(8);
  CAF_CHECK_EQUAL(gathered(q), all.substr(9));
  CAF_CHECK_EQUAL(q.resume_id(), 1u);
}

CAF_TEST(gather stops at the buffer count and the byte cap) {
  write_queue q{1000, std::nullopt};
  for (uint64_t id = 1; id <= 5; ++id)
    CAF_CHECK(q.push(make_frame(id, id - 1, 10)));
  // Three buffers: header, text, header.
  CAF_CHECK_EQUAL(gathered(q, 3).size(), 2u + 10u + 2u);
  // A byte cap reached inside the second frame ends the gather after it.
  CAF_CHECK_EQUAL(gathered(q, 64, 14), wire(std::string(10, 'x')) + wire(std::string(10, 'x')).substr(0, 2));
  // A cap below one buffer still gives one.
  CAF_CHECK_EQUAL(gathered(q, 64, 1).size(), 2u);
}

CAF_TEST(control frames go out in order and do not count against the limit) {
  write_queue q{10, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 10)));
  CAF_CHECK(q.push_control(empty_pong));
  CAF_CHECK_EQUAL(gathered(q), wire(std::string(10, 'x')) + empty_pong);
  CAF_CHECK_EQUAL(q.queued_bytes(), 10u);
  q.consumed(12 + 2);
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.resume_id(), 1u); // a control frame is no resume point
}

CAF_TEST(pongs are capped but the close frame always goes) {
  write_queue q{10, std::nullopt};
  for (std::size_t i = 0; i < write_queue::max_controls; ++i)
    CAF_CHECK(q.push_control(empty_pong));
  CAF_CHECK(!q.push_control(empty_pong));
  CAF_CHECK(q.push_control(std::string("\x88\x00", 2), true));
  CAF_CHECK_EQUAL(q.size(), write_queue::max_controls + 1);
}

CAF_TEST(a push over the limit is refused and changes nothing) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 60)));
  CAF_CHECK(q.push(make_frame(2, 1, 40))); // exactly at the limit
  CAF_CHECK(!q.push(make_frame(3, 2, 1)));
  CAF_CHECK_EQUAL(q.size(), 2u);
  CAF_CHECK_EQUAL(q.queued_bytes(), 100u);
}

CAF_TEST(a frame partly written counts against the limit) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 80)));
  q.consumed(10);
  CAF_CHECK(!q.push(make_frame(2, 1, 30)));
  q.consumed(72);
  CAF_CHECK(q.push(make_frame(2, 1, 30)));
}

CAF_TEST(a queue without text takes one frame larger than the limit) {
  write_queue q{10, std::nullopt};
  CAF_CHECK(q.push_control(empty_pong));
  CAF_CHECK(q.push(make_frame(1, 0, 50)));
  CAF_CHECK(!q.push(make_frame(2, 1, 1)));
  q.consumed(2 + 2 + 50);
  CAF_CHECK(q.push(make_frame(2, 1, 1)));
}

CAF_TEST(drop_pending keeps only a frame partly written) {
  write_queue q{100, std::nullopt};
  for (uint64_t id = 1; id <= 3; ++id)
    CAF_CHECK(q.push(make_frame(id, id - 1, 10)));
  q.consumed(5);
  q.drop_pending();
  CAF_CHECK_EQUAL(q.size(), 1u);
  CAF_CHECK_EQUAL(q.queued_bytes(), 10u);
  q.consumed(7);
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.resume_id(), 1u);
  // Without a frame started, everything goes.
  CAF_CHECK(q.push(make_frame(4, 3, 10)));
  q.drop_pending();
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
}

CAF_TEST(the resume point when written counts a frame partly written) {
  write_queue q{100, uint64_t{7}};
  CAF_CHECK_EQUAL(q.resume_id_when_written(), 7u);
  CAF_CHECK(q.push(make_frame(8, 7, 10)));
  CAF_CHECK(q.push(make_frame(9, 8, 10)));
  q.consumed(3);
  q.drop_pending();
  CAF_CHECK(q.push_control(empty_pong));
  CAF_CHECK_EQUAL(q.resume_id(), 7u);
  CAF_CHECK_EQUAL(q.resume_id_when_written(), 8u);
}

CAF_TEST(drop_oldest makes room from the front and says where the gap starts) {
  write_queue q{30, std::nullopt};
  for (uint64_t id = 1; id <= 3; ++id)
    CAF_CHECK(q.push(make_frame(id, id - 1, 10)));
  q.consumed(4); // frame 1 is partly written: it stays
  CAF_CHECK(q.push_control(empty_pong));
  uint64_t gap_after = 99;
  CAF_CHECK_EQUAL(q.drop_oldest(20, gap_after), 2u); // 2 and 3 go, 1 and the pong stay
  CAF_CHECK_EQUAL(gap_after, 1u);
  CAF_CHECK_EQUAL(q.queued_bytes(), 10u);
  CAF_CHECK(q.push(make_frame(4, 3, 20)));
  CAF_CHECK_EQUAL(gathered(q), (wire(std::string(10, 'x')) + empty_pong).substr(4)
                                 + wire(std::string(20, 'x')));
  // Room already: nothing is dropped.
  write_queue roomy{100, std::nullopt};
  CAF_CHECK(roomy.push(make_frame(1, 0, 10)));
  CAF_CHECK_EQUAL(roomy.drop_oldest(10, gap_after), 0u);
  CAF_CHECK_EQUAL(roomy.size(), 1u);
}

CAF_TEST(a control frame pushed in front waits only for a frame partly written) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 3)));
  CAF_CHECK(q.push(make_frame(2, 1, 3)));
  q.consumed(1);
  q.push_front_control(empty_pong);
  CAF_CHECK_EQUAL(gathered(q), wire("xxx").substr(1) + empty_pong + wire("xxx"));
  write_queue idle{100, std::nullopt};
  CAF_CHECK(idle.push(make_frame(1, 0, 3)));
  idle.push_front_control(empty_pong);
  CAF_CHECK_EQUAL(gathered(idle), empty_pong + wire("xxx"));
}

CAF_TEST(clear drops a frame partly written too) {
  write_queue q{100, std::nullopt};
  CAF_CHECK(q.push(make_frame(1, 0, 10)));
  q.consumed(3);
  q.clear();
  CAF_CHECK(q.empty());
  CAF_CHECK(!q.mid_frame());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
  q.consumed(5); // a late count changes nothing
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
}

CAF_TEST(a long queue drained frame by frame keeps its order) {
  write_queue q{1 << 20, std::nullopt};
  for (uint64_t id = 1; id <= 200; ++id)
    CAF_CHECK(q.push(make_frame(id, id - 1, 1)));
  for (uint64_t id = 1; id <= 200; ++id) {
    CAF_CHECK_EQUAL(gathered(q, 2), wire("x"));
    q.consumed(3);
    CAF_CHECK_EQUAL(q.resume_id(), id);
  }
  CAF_CHECK(q.empty());
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

CAF_TEST(an owned data frame keeps its opcode and counts against the limit) {
  write_queue q{100, std::nullopt};
  std::string payload = "\x01\xFF";
  CAF_CHECK(q.push_data(ws::opcode::binary, payload));
  payload = "changed"; // the queue holds its own copy
  CAF_CHECK(q.push_data(ws::opcode::text, "ok"));
  CAF_CHECK_EQUAL(gathered(q), std::string("\x82\x02\x01\xFF", 4) + wire("ok"));
  CAF_CHECK_EQUAL(q.queued_bytes(), 4u);
  // The same rule as messages: refused over the limit, a frame partly
  // written still counting.
  CAF_CHECK(q.push_data(ws::opcode::text, std::string(96, 'e'))); // exactly at the limit
  q.consumed(3); // inside the first frame
  CAF_CHECK(!q.push_data(ws::opcode::text, "x"));
  CAF_CHECK(!q.push(make_frame(1, 0, 1)));
  CAF_CHECK_EQUAL(q.size(), 3u);
  CAF_CHECK_EQUAL(q.queued_bytes(), 100u);
  q.consumed(1 + 4);
  CAF_CHECK_EQUAL(q.queued_bytes(), 96u);
  CAF_CHECK(q.push_data(ws::opcode::text, "xxxx"));
  CAF_CHECK(!q.push_data(ws::opcode::text, "x"));
}

CAF_TEST(a queue without text takes one owned frame larger than the limit) {
  write_queue q{10, std::nullopt};
  CAF_CHECK(q.push_data(ws::opcode::binary, std::string(50, 'b')));
  CAF_CHECK(!q.push_data(ws::opcode::binary, "b"));
  q.consumed(2 + 50);
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
  CAF_CHECK(q.push_data(ws::opcode::binary, "b"));
}

CAF_TEST(owned data frames are no resume point and drop_oldest leaves them) {
  write_queue q{30, uint64_t{5}};
  CAF_CHECK(q.push(make_frame(6, 5, 10)));
  CAF_CHECK(q.push_data(ws::opcode::text, std::string(10, 'e')));
  CAF_CHECK_EQUAL(q.resume_id_when_written(), 6u);
  uint64_t gap_after = 99;
  CAF_CHECK_EQUAL(q.drop_oldest(20, gap_after), 1u); // the message goes, the data stays
  CAF_CHECK_EQUAL(gap_after, 5u);
  CAF_CHECK_EQUAL(q.size(), 1u);
  CAF_CHECK_EQUAL(q.resume_id_when_written(), 5u);
  q.consumed(2 + 10);
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.resume_id(), 5u);
  // drop_pending drops it like any frame not started, and its bytes with it.
  CAF_CHECK(q.push_data(ws::opcode::text, "abc"));
  q.drop_pending();
  CAF_CHECK(q.empty());
  CAF_CHECK_EQUAL(q.queued_bytes(), 0u);
}

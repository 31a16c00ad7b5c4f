// A herald WebSocket connection over real loopback sockets, with test hooks
// in place of the hub: frames in order, the bounded write queue, closing.

#define CAF_SUITE net_ws_session
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "ws_loopback.hpp"

using namespace herald;
using namespace herald::test;

namespace {

std::string json_of(uint64_t id, std::size_t pad = 0) {
  return "{\"id\":" + std::to_string(id) + ",\"pad\":\"" + std::string(pad, 'p') + "\"}";
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(ws_session_tests, ws_loopback)

CAF_TEST(frames arrive in order as text messages) {
  CAF_REQUIRE(!open());
  CAF_REQUIRE(sink != nullptr);
  for (uint64_t id = 1; id <= 5; ++id)
    sink->send(make_frame(id, id - 1, json_of(id)));
  for (uint64_t id = 1; id <= 5; ++id) {
    auto r = read();
    CAF_REQUIRE(!r.ec);
    CAF_CHECK(r.text_frame);
    CAF_CHECK_EQUAL(r.text, json_of(id));
  }
  CAF_CHECK_EQUAL(ended, 0);
}

CAF_TEST(client text is ignored and the connection stays open) {
  CAF_REQUIRE(!open());
  CAF_REQUIRE(!write("hello server"));
  sink->send(make_frame(1, 0, json_of(1)));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK_EQUAL(r.text, json_of(1));
  CAF_CHECK_EQUAL(ended, 0);
}

CAF_TEST(a slow consumer gets 1008 with the id to resume from) {
  cfg.write_queue_limit = 200;
  CAF_REQUIRE(!open());
  // Ten 60-byte frames at once: far more than 200 bytes wait at one time.
  for (uint64_t id = 1; id <= 10; ++id)
    sink->send(make_frame(id, id - 1, json_of(id, 47)));
  std::vector<std::string> got;
  auto r = read();
  while (!r.ec) {
    got.push_back(r.text);
    r = read();
  }
  CAF_REQUIRE_EQUAL(r.ec, websocket::error::closed);
  CAF_CHECK_EQUAL(client.reason().code, 1008);
  // The client got an unbroken prefix 1..k and is told to resume at k.
  CAF_REQUIRE(!got.empty());
  CAF_CHECK(got.size() < 10);
  for (std::size_t i = 0; i < got.size(); ++i)
    CAF_CHECK_EQUAL(got[i], json_of(i + 1, 47));
  std::string reason{client.reason().reason.data(), client.reason().reason.size()};
  CAF_CHECK_EQUAL(reason, "slow consumer; resume with since=" + std::to_string(got.size()));
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a slow consumer that got nothing resumes before its first frame) {
  cfg.write_queue_limit = 100;
  CAF_REQUIRE(!open({}, uint64_t{40}));
  // The first frame alone is over the limit: taken (an empty queue takes
  // one), then the second overflows while the first is in flight.
  sink->send(make_frame(41, 40, json_of(41, 200)));
  sink->send(make_frame(42, 41, json_of(42)));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK_EQUAL(r.text, json_of(41, 200));
  r = read();
  CAF_REQUIRE_EQUAL(r.ec, websocket::error::closed);
  CAF_CHECK_EQUAL(client.reason().code, 1008);
  std::string reason{client.reason().reason.data(), client.reason().reason.size()};
  CAF_CHECK_EQUAL(reason, "slow consumer; resume with since=41");
}

CAF_TEST(close waits for the write in flight and drops the rest) {
  CAF_REQUIRE(!open());
  sink->send(make_frame(1, 0, json_of(1)));
  sink->send(make_frame(2, 1, json_of(2)));
  sink->close(1001, "server shutting down");
  sink->send(make_frame(3, 2, json_of(3))); // after close: dropped
  std::vector<std::string> got;
  auto r = read();
  while (!r.ec) {
    got.push_back(r.text);
    r = read();
  }
  CAF_REQUIRE_EQUAL(r.ec, websocket::error::closed);
  CAF_CHECK_EQUAL(client.reason().code, 1001);
  std::string reason{client.reason().reason.data(), client.reason().reason.size()};
  CAF_CHECK_EQUAL(reason, "server shutting down");
  // Frame 1 was in flight when the close ran (all four posts run before
  // its write completes); 2 was waiting and is dropped, 3 came after.
  CAF_REQUIRE_EQUAL(got.size(), 1u);
  CAF_CHECK_EQUAL(got[0], json_of(1));
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a long close reason is cut to 123 bytes) {
  CAF_REQUIRE(!open());
  sink->close(1000, std::string(300, 'r'));
  auto r = read();
  CAF_REQUIRE_EQUAL(r.ec, websocket::error::closed);
  CAF_CHECK_EQUAL(client.reason().code, 1000);
  CAF_CHECK_EQUAL(client.reason().reason.size(), 123u);
}

CAF_TEST(a close code that may not be sent becomes 1011) {
  CAF_REQUIRE(!open());
  sink->close(1005, "no status");
  auto r = read();
  CAF_REQUIRE_EQUAL(r.ec, websocket::error::closed);
  CAF_CHECK_EQUAL(client.reason().code, 1011);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a client close ends the connection once and later sends are dropped) {
  CAF_REQUIRE(!open());
  auto closed = std::make_shared<bool>(false);
  client.async_close(websocket::close_reason{websocket::close_code::normal, "bye"},
                     [closed](error_code) { *closed = true; });
  CAF_REQUIRE(pump_until([&] { return *closed && ended == 1; }));
  sink->send(make_frame(1, 0, json_of(1)));
  sink->close(1000, "again");
  // Run what those posted; nothing may end the connection twice.
  drain();
  CAF_CHECK_EQUAL(ended, 1);
  CAF_CHECK_EQUAL(opened, 1);
}

CAF_TEST(a client gone without a close ends the connection) {
  CAF_REQUIRE(!open());
  beast::get_lowest_layer(client).socket().close();
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a client that never answers the close is dropped after the handshake timeout) {
  cfg.handshake_timeout = std::chrono::milliseconds(200);
  CAF_REQUIRE(!open());
  // The client reads nothing, so it never answers the close frame.
  sink->close(1000, "bye");
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST_FIXTURE_SCOPE_END()

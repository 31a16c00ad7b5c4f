// A herald WebSocket connection over real loopback sockets, with test hooks
// in place of the hub: frames in order, live messages from a fan-out shard
// and their seam with the replay, the bounded write queue, closing; and the
// echo endpoint.

#define CAF_SUITE net_ws_session
#include <caf/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "ws_loopback.hpp"

using namespace herald;
using namespace herald::test;

namespace {

std::string json_of(uint64_t id, std::size_t pad = 0) {
  return "{\"id\":" + std::to_string(id) + ",\"pad\":\"" + std::string(pad, 'p') + "\"}";
}

// A masked client frame built by hand (first byte: FIN, opcode), for
// fragments and control frames where the test decides the framing.
std::string client_frame(unsigned char b0, std::string_view payload) {
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  std::string f(1, static_cast<char>(b0));
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 0; i < 8; ++i)
      f += static_cast<char>((uint64_t{payload.size()} >> (56 - 8 * i)) & 0xFF);
  }
  f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += static_cast<char>(payload[i] ^ key[i % 4]);
  return f;
}

std::string all_byte_values() {
  std::string s;
  for (int i = 0; i < 256; ++i)
    s += static_cast<char>(i);
  return s;
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

// Reads until the close frame; the texts received before it.
std::vector<std::string> read_until_close(ws_loopback& t) {
  std::vector<std::string> got;
  auto r = t.read();
  while (!r.ec) {
    got.push_back(r.text);
    r = t.read();
  }
  CAF_CHECK_EQUAL(r.ec, websocket::error::closed);
  return got;
}

CAF_TEST(a slow consumer gets 1008 with the id to resume from) {
  cfg.write_queue_limit = 64 * 1024;
  live = true;
  CAF_REQUIRE(!open());
  // The client reads nothing while 20 MB are published: the kernel's
  // buffers fill, then the queue, then the connection is closed.
  uint64_t id = 0;
  for (int batch = 0; batch < 200 && ended == 0; ++batch) {
    frame_list frames;
    for (int i = 0; i < 100; ++i, ++id)
      frames.push_back(make_frame(id + 1, id, json_of(id + 1, 1000)));
    deliver(frames);
    drain();
  }
  auto got = read_until_close(*this);
  CAF_CHECK_EQUAL(client.reason().code, 1008);
  // The client got an unbroken prefix 1..k and is told to resume at k.
  CAF_REQUIRE(!got.empty());
  CAF_CHECK(got.size() < id);
  for (std::size_t i = 0; i < got.size(); ++i)
    CAF_CHECK_EQUAL(got[i], json_of(i + 1, 1000));
  std::string reason{client.reason().reason.data(), client.reason().reason.size()};
  CAF_CHECK_EQUAL(reason, "slow consumer; resume with since=" + std::to_string(got.size()));
  CAF_CHECK(pump_until([&] { return ended == 1; }));
  CAF_CHECK_EQUAL(shard.subscribers(), 0u);
}

CAF_TEST(live messages reach the connection once and in order) {
  live = true;
  CAF_REQUIRE(!open());
  CAF_CHECK_EQUAL(shard.subscribers(), 1u);
  auto other = std::make_shared<frame_data>(frame_data{2, 0, "elsewhere", json_of(2)});
  deliver({make_frame(1, 0, json_of(1)), other, make_frame(3, 1, json_of(3))});
  deliver({make_frame(3, 1, json_of(3)), make_frame(4, 3, json_of(4))}); // 3 again
  for (uint64_t id : {1, 3, 4}) {
    auto r = read();
    CAF_REQUIRE(!r.ec);
    CAF_CHECK_EQUAL(r.text, json_of(id));
  }
  CAF_CHECK_EQUAL(ended, 0);
}

CAF_TEST(live messages wait for the replay and overlaps go out once) {
  live = true;
  CAF_REQUIRE(!open({}, uint64_t{10}));
  // Published while the replay runs: held back.
  deliver({make_frame(12, 11, json_of(12)), make_frame(13, 12, json_of(13))});
  // The replay brings 11 and 12 (12 also came live).
  sink->send(make_frame(11, 10, json_of(11)));
  sink->send(make_frame(12, 11, json_of(12)));
  sink->replay_done();
  deliver({make_frame(14, 13, json_of(14))});
  for (uint64_t id : {11, 12, 13, 14}) {
    auto r = read();
    CAF_REQUIRE(!r.ec);
    CAF_CHECK_EQUAL(r.text, json_of(id));
  }
  // Nothing else is waiting: a close is what comes next.
  sink->close(1000, "done");
  CAF_CHECK(read_until_close(*this).empty());
}

CAF_TEST(live messages held during a long replay are bounded too) {
  cfg.write_queue_limit = 1000;
  live = true;
  CAF_REQUIRE(!open({}, uint64_t{40}));
  frame_list frames;
  for (uint64_t id = 41; id <= 60; ++id)
    frames.push_back(make_frame(id, id - 1, json_of(id, 100)));
  deliver(frames); // 20 x 110 bytes held: over the limit
  CAF_CHECK(read_until_close(*this).empty());
  CAF_CHECK_EQUAL(client.reason().code, 1008);
  std::string reason{client.reason().reason.data(), client.reason().reason.size()};
  CAF_CHECK_EQUAL(reason, "slow consumer; resume with since=40");
}

CAF_TEST(a ping gets a pong with its payload) {
  CAF_REQUIRE(!open());
  auto pong = std::make_shared<std::string>();
  client.control_callback([pong](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong)
      pong->assign(payload.data(), payload.size());
  });
  client.async_ping("are you there", [](error_code) {});
  auto r = start_read(); // control frames show up while a read is pending
  CAF_CHECK(pump_until([&] { return !pong->empty(); }));
  CAF_CHECK_EQUAL(*pong, "are you there");
  sink->send(make_frame(1, 0, json_of(1))); // ends the read
  CAF_CHECK(pump_until([&] { return r->done; }));
  CAF_CHECK_EQUAL(r->text, json_of(1));
}

CAF_TEST(a peer that answers no ping is closed after pong_timeout) {
  cfg.ping_interval = std::chrono::seconds(1);
  cfg.pong_timeout = std::chrono::seconds(1);
  live = true;
  CAF_REQUIRE(!open());
  // The client reads nothing, so it never answers a ping.
  auto t0 = std::chrono::steady_clock::now();
  shard.sweep(t0); // starts the clock
  shard.sweep(t0 + std::chrono::milliseconds(900));
  shard.sweep(t0 + std::chrono::milliseconds(1000)); // silent for an interval: ping
  shard.sweep(t0 + std::chrono::milliseconds(1900));
  drain();
  CAF_CHECK_EQUAL(ended, 0);
  shard.sweep(t0 + std::chrono::milliseconds(2000)); // no answer within pong_timeout
  CAF_CHECK(pump_until([&] { return ended == 1; }));
  CAF_CHECK_EQUAL(shard.subscribers(), 0u);
}

CAF_TEST(a peer that answers pings stays and is pinged only when silent) {
  cfg.ping_interval = std::chrono::seconds(1);
  cfg.pong_timeout = std::chrono::seconds(1);
  live = true;
  CAF_REQUIRE(!open());
  auto pings = std::make_shared<int>(0);
  client.control_callback([pings](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping)
      ++*pings;
  });
  auto r = start_read(); // a reading client answers pings with pongs
  auto t0 = std::chrono::steady_clock::now();
  auto at = [t0](int ms) { return t0 + std::chrono::milliseconds(ms); };
  shard.sweep(at(0));
  shard.sweep(at(1000));
  CAF_REQUIRE(pump_until([&] { return *pings == 1; }));
  pump_until([] { return false; }, std::chrono::milliseconds(100)); // the pong comes back
  shard.sweep(at(2000)); // the pong counts: no timeout
  shard.sweep(at(2900)); // and no new ping before a whole silent interval
  drain();
  CAF_CHECK_EQUAL(*pings, 1);
  CAF_CHECK_EQUAL(ended, 0);
  // Any frame counts as an answer, not only a pong.
  shard.sweep(at(3000));
  CAF_REQUIRE(pump_until([&] { return *pings == 2; }));
  sink->send(make_frame(1, 0, json_of(1))); // ends the pending read
  CAF_REQUIRE(pump_until([&] { return r->done; }));
  CAF_REQUIRE(!write("still here"));
  drain();
  shard.sweep(at(4500));
  drain();
  CAF_CHECK_EQUAL(ended, 0);
}

// Publishes `count` 1 KB messages (ids first..) to a client that does not
// read; then a last one once it reads again. Returns what the client got:
// message ids, and a notice as -skipped followed by its resume_from.
std::vector<int64_t> lag_run(ws_loopback& t, uint64_t count) {
  for (uint64_t id = 1; id <= count;) {
    frame_list frames;
    for (int i = 0; i < 100 && id <= count; ++i, ++id)
      frames.push_back(make_frame(id, id - 1, json_of(id, 1000)));
    t.deliver(frames);
    t.drain();
  }
  std::vector<int64_t> got;
  auto last = count + 1;
  auto r = t.start_read();
  t.pump_until([&] { return r->done; }, std::chrono::milliseconds(300));
  bool sent_last = false;
  for (int reads = 0; reads < 100000; ++reads) {
    if (!r->done) {
      // The queue is drained: the last message goes out now.
      CAF_REQUIRE(!sent_last);
      sent_last = true;
      t.deliver({make_frame(last, count, json_of(last, 1000))});
      CAF_REQUIRE(t.pump_until([&] { return r->done; }));
    }
    CAF_REQUIRE(!r->ec);
    if (r->text.find("\"lagged\"") != std::string::npos) {
      auto skipped = std::stoll(r->text.substr(r->text.find("\"skipped\":") + 10));
      auto from = std::stoll(r->text.substr(r->text.find("\"resume_from\":") + 14));
      got.push_back(-skipped);
      got.push_back(from);
    } else {
      got.push_back(std::stoll(r->text.substr(6)));
      if (got.back() == static_cast<int64_t>(last))
        return got;
    }
    r = t.start_read();
    t.pump_until([&] { return r->done; }, std::chrono::milliseconds(300));
  }
  CAF_FAIL("the last message never came");
  return got;
}

// Every message id once, ascending, and each notice exactly covering its gap.
void check_gaps(const std::vector<int64_t>& got, uint64_t last) {
  int64_t prev = 0;
  int notices = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] < 0) {
      ++notices;
      auto skipped = -got[i];
      auto from = got[++i];
      CAF_CHECK_EQUAL(from, prev);              // the gap starts after what arrived
      CAF_REQUIRE(i + 1 < got.size());
      CAF_CHECK_EQUAL(got[i + 1], from + skipped + 1); // and ends before what comes next
      prev = from + skipped;
      continue;
    }
    CAF_CHECK_EQUAL(got[i], prev + 1);
    prev = got[i];
  }
  CAF_CHECK_EQUAL(prev, static_cast<int64_t>(last));
  CAF_CHECK(notices >= 1);
}

CAF_TEST(drop_newest keeps the connection and reports the gap after what was queued) {
  cfg.write_queue_limit = 64 * 1024;
  cfg.slow_consumer_policy = "drop_newest";
  live = true;
  CAF_REQUIRE(!open());
  auto got = lag_run(*this, 20000);
  CAF_CHECK_EQUAL(ended, 0);
  check_gaps(got, 20001);
}

CAF_TEST(drop_oldest keeps the connection and the newest messages) {
  cfg.write_queue_limit = 64 * 1024;
  cfg.slow_consumer_channels = {{"te*", "drop_oldest"}}; // the test channel is "test"
  live = true;
  CAF_REQUIRE(!open());
  auto got = lag_run(*this, 20000);
  CAF_CHECK_EQUAL(ended, 0);
  check_gaps(got, 20001);
  // The newest messages survived: everything from shortly before the end.
  CAF_REQUIRE(got.size() >= 3);
  CAF_CHECK(got[got.size() - 2] == 20000);
}

CAF_TEST(close lets queued frames out and drops later ones) {
  CAF_REQUIRE(!open());
  sink->send(make_frame(1, 0, json_of(1)));
  sink->send(make_frame(2, 1, json_of(2)));
  sink->close(1001, "server shutting down");
  sink->send(make_frame(3, 2, json_of(3))); // after close: dropped
  auto got = read_until_close(*this);
  CAF_CHECK_EQUAL(client.reason().code, 1001);
  std::string reason{client.reason().reason.data(), client.reason().reason.size()};
  CAF_CHECK_EQUAL(reason, "server shutting down");
  // The socket took 1 and 2 at once; 3 came after the close.
  CAF_CHECK_EQUAL(got, std::vector<std::string>({json_of(1), json_of(2)}));
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

// --- the echo endpoint ---------------------------------------------------------

CAF_TEST(echo sends text as text and binary as binary unchanged) {
  echo = true;
  CAF_REQUIRE(!open());
  CAF_CHECK(sink == nullptr); // no session behind it
  const std::string text = "h\xC3\xA9llo \xF0\x9D\x84\x9E";
  CAF_REQUIRE(!write(text));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK(r.text_frame);
  CAF_CHECK_EQUAL(r.text, text);
  CAF_REQUIRE(!write_raw(client_frame(0x82, all_byte_values())));
  r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK(!r.text_frame);
  CAF_CHECK_EQUAL(r.text, all_byte_values());
  CAF_REQUIRE(!write(""));
  r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK(r.text_frame);
  CAF_CHECK_EQUAL(r.text, "");
  CAF_CHECK_EQUAL(ended, 0);
}

CAF_TEST(echo joins fragments into one message and answers pings between them) {
  echo = true;
  CAF_REQUIRE(!open());
  auto pong = std::make_shared<std::string>();
  client.control_callback([pong](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong)
      pong->assign(payload.data(), payload.size());
  });
  // Fragments, a ping among them, and the last one in a later write.
  CAF_REQUIRE(!write_raw(client_frame(0x01, "Hel") + client_frame(0x89, "still there?")
                         + client_frame(0x00, "lo, ")));
  drain();
  CAF_REQUIRE(!write_raw(client_frame(0x80, "w\xC3\xB6rld")));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK(r.text_frame);
  CAF_CHECK_EQUAL(r.text, "Hello, w\xC3\xB6rld");
  CAF_CHECK_EQUAL(*pong, "still there?");
}

CAF_TEST(echo returns a message of max_message_size whole) {
  echo = true;
  CAF_REQUIRE(!open());
  std::string big;
  for (std::size_t i = 0; i < cfg.max_message_size; ++i)
    big += static_cast<char>(i * 7);
  // One frame (64-bit length), then the same as the client's fragments.
  CAF_REQUIRE(!write_raw(client_frame(0x82, big)));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK(!r.text_frame);
  CAF_CHECK(r.text == big);
  client.auto_fragment(true);
  client.write_buffer_bytes(4096);
  client.binary(true);
  auto wrote = std::make_shared<op_result>();
  client.async_write(net::buffer(big), [wrote](error_code ec, std::size_t) {
    wrote->done = true;
    wrote->ec = ec;
  });
  r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK(wrote->done && !wrote->ec);
  CAF_CHECK(!r.text_frame);
  CAF_CHECK_EQUAL(r.text.size(), big.size());
  CAF_CHECK(r.text == big);
  CAF_CHECK_EQUAL(ended, 0);
}

CAF_TEST(echo answers a ping with a pong) {
  echo = true;
  CAF_REQUIRE(!open());
  auto pong = std::make_shared<std::string>();
  client.control_callback([pong](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong)
      pong->assign(payload.data(), payload.size());
  });
  client.async_ping("are you there", [](error_code) {});
  auto r = start_read();
  CAF_CHECK(pump_until([&] { return !pong->empty(); }));
  CAF_CHECK_EQUAL(*pong, "are you there");
  CAF_REQUIRE(!write("and this")); // ends the read
  CAF_CHECK(pump_until([&] { return r->done; }));
  CAF_CHECK_EQUAL(r->text, "and this");
}

CAF_TEST(echo closes a message over max_message_size with 1009) {
  cfg.max_message_size = 1000;
  echo = true;
  CAF_REQUIRE(!open());
  CAF_REQUIRE(!write(std::string(1000, 'a')));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK_EQUAL(r.text.size(), 1000u);
  // Over the limit only in its second fragment.
  CAF_REQUIRE(!write_raw(client_frame(0x01, std::string(600, 'b'))
                         + client_frame(0x80, std::string(401, 'b'))));
  // The server closes the socket right after its close frame: the read
  // may end in a reset, but the close frame came first.
  r = read();
  CAF_CHECK(r.ec);
  CAF_CHECK_EQUAL(client.reason().code, 1009);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(an echo client that sends faster than it reads is closed 1008) {
  cfg.write_queue_limit = 64 * 1024;
  echo = true;
  CAF_REQUIRE(!open());
  // 24 MB of numbered messages and none of the echoes read: the kernel's
  // buffers fill, then the queue. Once closed, the server reads and drops
  // the rest, so the writes still complete.
  auto message = [](int i) { return std::to_string(i) + ":" + std::string(10000, 'e'); };
  int sent = 0;
  while (sent < 2400) {
    std::string batch;
    for (int i = 0; i < 100; ++i)
      batch += client_frame(0x81, message(sent++));
    CAF_REQUIRE(!write_raw(batch));
    drain();
  }
  auto got = read_until_close(*this);
  CAF_CHECK_EQUAL(client.reason().code, 1008);
  // No resume point: an echo client has nothing to resume.
  CAF_CHECK_EQUAL(std::string(client.reason().reason.data(), client.reason().reason.size()),
                  "slow consumer");
  // What did come is an unbroken prefix of what was sent, each unchanged.
  CAF_REQUIRE(!got.empty());
  CAF_CHECK(got.size() < static_cast<std::size_t>(sent));
  for (std::size_t i = 0; i < got.size(); ++i)
    CAF_CHECK(got[i] == message(static_cast<int>(i)));
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST_FIXTURE_SCOPE_END()

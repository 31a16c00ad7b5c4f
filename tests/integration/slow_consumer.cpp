// A subscriber that stops reading is closed with 1008 and a reason it can
// resume from, while the others keep receiving everything in order.
#define CAF_SUITE integration_slow_consumer
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <thread>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

// 1024 x 8 KB = 8 MB through a 64 KB queue. Frames much smaller than the
// queue, so a subscriber that does read is never cut off by jitter.
constexpr int flood_count = 1024;
constexpr std::size_t flood_size = 8000;

herald_options small_queue() {
  herald_options opts;
  opts.websocket_toml = "write_queue_limit = 65536\n";
  return opts;
}

// The id in "slow consumer; resume with since=<id>", or 0.
uint64_t since_in(const std::string& reason) {
  auto pos = reason.find("since=");
  if (pos == std::string::npos)
    return 0;
  try {
    return std::stoull(reason.substr(pos + 6));
  } catch (...) {
    return 0;
  }
}

struct flood_result {
  std::vector<uint64_t> ids;        // acknowledged, in order
  std::vector<uint64_t> normal_ids; // what the reading subscriber got
  std::vector<uint64_t> slow_ids;   // what the non-reading one got before its close
  ws_event slow_end;                // how the non-reading one ended
};

flood_result flood(herald_process& server) {
  flood_result out;
  // The slow client: a tiny receive buffer, and no reads until the flood is over.
  ws_client slow{server.port(), 10s};
  ws_connect_options tiny;
  tiny.receive_buffer = 4096;
  CAF_REQUIRE(slow.connect("/socket/flood/x?since=0", tiny).upgraded);
  // The normal client reads on its own thread all along.
  ws_client normal{server.port(), 10s};
  CAF_REQUIRE(normal.connect("/socket/flood/x?since=0").upgraded);
  std::thread reader{[&] {
    for (int i = 0; i < flood_count; ++i) {
      auto text = normal.read_text(20s);
      if (!text)
        return;
      auto m = parse_message(*text);
      out.normal_ids.push_back(m && m->text.size() == flood_size ? m->id : 0);
    }
  }};
  http_client http{server.port(), 10s};
  for (int i = 0; i < flood_count; ++i) {
    auto text = std::to_string(i) + ":";
    text += std::string(flood_size - text.size(), 'x');
    auto r = publish(http, "flood/x", text);
    if (r.status != 200)
      break;
    out.ids.push_back(r.id);
  }
  reader.join();
  // Now drain the slow client: what the kernel buffered, then the close.
  std::vector<std::string> texts;
  out.slow_end = slow.read_until_close(texts, 15s, flood_count + 10);
  for (auto& t : texts) {
    auto m = parse_message(t);
    out.slow_ids.push_back(m ? m->id : 0);
  }
  CAF_MESSAGE("slow client got " << texts.size() << " frames, then " << to_string(out.slow_end));
  return out;
}

} // namespace

CAF_TEST(a subscriber that never reads is closed with 1008 and a resume point) {
  herald_process server{small_queue()};
  CAF_REQUIRE(server.start());
  auto f = flood(server);
  CAF_REQUIRE_EQUAL(f.ids.size(), static_cast<std::size_t>(flood_count));
  CAF_CHECK_EQUAL(f.normal_ids, f.ids);
  CAF_CHECK_EQUAL(to_string(f.slow_end).substr(0, 11), "closed 1008");
  CAF_CHECK_NOT_EQUAL(f.slow_end.close_reason.find("slow consumer"), std::string::npos);
  CAF_CHECK_LESS(f.slow_ids.size(), f.ids.size()); // it was cut off, not served
  // What it got is a gap-free prefix, and the reason names its last id.
  CAF_CHECK_EQUAL(f.slow_ids,
                  std::vector<uint64_t>(f.ids.begin(), f.ids.begin() + f.slow_ids.size()));
  auto since = since_in(f.slow_end.close_reason);
  CAF_CHECK_EQUAL(since, f.slow_ids.empty() ? since : f.slow_ids.back());
  CAF_CHECK(server.running());
}

CAF_TEST(resuming from the close reason delivers exactly the rest) {
  herald_process server{small_queue()};
  CAF_REQUIRE(server.start());
  auto f = flood(server);
  CAF_REQUIRE_EQUAL(f.ids.size(), static_cast<std::size_t>(flood_count));
  auto since = since_in(f.slow_end.close_reason);
  CAF_REQUIRE_GREATER(since, 0u);
  // A client that reads steadily must get the whole rest, even though it is
  // far larger than the write queue: replay has to wait for the socket.
  ws_client resumed{server.port(), 10s};
  CAF_REQUIRE(resumed.connect("/socket/flood/x?since=" + std::to_string(since)).upgraded);
  std::string stopped_by;
  auto rest = read_ids_until(resumed, f.ids.back(), flood_count + 10, 20s, &stopped_by);
  CAF_CHECK_EQUAL(rest.size(), ids_after(f.ids, since).size());
  CAF_CHECK(rest == ids_after(f.ids, since));
  CAF_CHECK_EQUAL(stopped_by, "");
}

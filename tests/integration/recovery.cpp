// Recovery with ?since=: replay of stored messages followed by live ones,
// with no gap and no duplicate at the seam, also while publishing goes on.
#define CAF_SUITE integration_recovery
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

void replay_then_live(const herald_options& opts) {
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  std::vector<uint64_t> ids;
  for (int i = 0; i < 50; ++i) {
    auto r = publish(http, "rec/a", "m" + std::to_string(i));
    CAF_REQUIRE_EQUAL(r.status, 200);
    ids.push_back(r.id);
  }
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/rec/a?since=" + std::to_string(ids[19])).upgraded);
  ws_client from_start{server.port()};
  CAF_REQUIRE(from_start.connect("/socket/rec/a?since=0").upgraded);
  ws_client from_end{server.port()};
  CAF_REQUIRE(from_end.connect("/socket/rec/a?since=" + std::to_string(ids.back())).upgraded);
  CAF_CHECK_EQUAL(read_ids(ws, 30), ids_after(ids, ids[19]));
  std::vector<uint64_t> live;
  for (int i = 0; i < 5; ++i) {
    auto r = publish(http, "rec/a", "live" + std::to_string(i));
    CAF_REQUIRE_EQUAL(r.status, 200);
    live.push_back(r.id);
  }
  CAF_CHECK_EQUAL(read_ids(ws, 5), live);
  auto all = ids;
  all.insert(all.end(), live.begin(), live.end());
  CAF_CHECK_EQUAL(read_ids(from_start, all.size()), all);
  CAF_CHECK_EQUAL(read_ids(from_end, live.size()), live);
  // Replayed frames are the stored objects, not just the right ids.
  ws_client check{server.port()};
  CAF_REQUIRE(check.connect("/socket/rec/a?since=" + std::to_string(ids[48])).upgraded);
  auto frame = check.read_text(5s);
  CAF_REQUIRE(frame.has_value());
  auto msg = parse_message(*frame);
  CAF_REQUIRE(msg.has_value());
  CAF_CHECK_EQUAL(msg->id, ids[49]);
  CAF_CHECK_EQUAL(msg->text, "m49");
  CAF_CHECK_EQUAL(msg->channel, "rec/a");
  CAF_CHECK_EQUAL(msg->username, default_user);
}

} // namespace

CAF_TEST(since replays stored messages then live ones) {
  replay_then_live({});
}

CAF_TEST(since replays from the database beyond the cache) {
  herald_options opts;
  opts.storage_toml = "cache_per_channel = 10\n";
  replay_then_live(opts);
}

CAF_TEST(no gap and no duplicate at the seam while publishing) {
  herald_options opts;
  opts.storage_toml = "cache_per_channel = 50\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  constexpr int total = 300;
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<uint64_t> acked; // in acknowledgement order = id order (one publisher)
  bool failed = false;
  std::thread publisher{[&] {
    http_client http{server.port()};
    for (int i = 0; i < total; ++i) {
      auto r = publish(http, "seam/x", "p" + std::to_string(i));
      std::lock_guard<std::mutex> guard{mtx};
      if (r.status != 200 || r.id == 0) {
        failed = true;
        cv.notify_all();
        return;
      }
      acked.push_back(r.id);
      cv.notify_all();
    }
  }};
  // Clients join at different points, some resuming from the newest
  // acknowledged id, some from older ones (replay overlaps live traffic).
  struct subscriber {
    uint64_t since;
    std::unique_ptr<ws_client> ws;
  };
  std::vector<subscriber> subs;
  for (int point : {0, 20, 60, 100, 150, 200, 250, 290}) {
    uint64_t since = 0;
    {
      std::unique_lock<std::mutex> guard{mtx};
      cv.wait_for(guard, 20s, [&] { return failed || static_cast<int>(acked.size()) >= point; });
      if (failed || static_cast<int>(acked.size()) < point)
        break;
      if (point > 0)
        since = acked[acked.size() - 1];
      // Every other client resumes from further back than the newest id.
      if (point > 0 && (subs.size() % 2) == 1)
        since = acked[acked.size() / 2];
    }
    auto ws = std::make_unique<ws_client>(server.port(), 10s);
    CAF_CHECK(ws->connect("/socket/seam/x?since=" + std::to_string(since)).upgraded);
    subs.push_back({since, std::move(ws)});
  }
  publisher.join();
  CAF_REQUIRE(!failed);
  CAF_REQUIRE_EQUAL(acked.size(), static_cast<std::size_t>(total));
  CAF_REQUIRE_EQUAL(subs.size(), 8u);
  for (auto& s : subs) {
    CAF_MESSAGE("client resuming since " << s.since);
    std::string stopped_by;
    if (s.since >= acked.back()) {
      // Joined after the last publish (a slow build connects late): nothing
      // to replay, and nothing may arrive.
      auto none = read_ids_until(*s.ws, acked.back() + 1, 1, 500ms, &stopped_by);
      CAF_CHECK_EQUAL(none, std::vector<uint64_t>{});
      continue;
    }
    auto got = read_ids_until(*s.ws, acked.back(), total + 10, 15s, &stopped_by);
    CAF_CHECK_EQUAL(got, ids_after(acked, s.since));
    CAF_CHECK_EQUAL(stopped_by, "");
  }
}

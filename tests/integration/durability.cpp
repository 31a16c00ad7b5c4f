// Everything acknowledged survives kill -9: after a restart on the same
// database, history and ?since= return it, and ids keep increasing.
#define CAF_SUITE integration_durability
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

herald_options durable_options(const temp_dir& db_dir) {
  herald_options opts;
  opts.db_path = db_dir.file("herald.db");
  opts.storage_toml = "synchronous = \"full\"\n";
  return opts;
}

// Every stored id of a channel, paging through history.
std::vector<message> all_stored(http_client& http, const std::string& channel) {
  std::vector<message> out;
  uint64_t since = 0;
  for (int page = 0; page < 100; ++page) {
    auto h = history(http, channel, "?since=" + std::to_string(since) + "&limit=1000");
    if (h.status != 200 || h.messages.empty())
      break;
    since = h.messages.back().id;
    out.insert(out.end(), h.messages.begin(), h.messages.end());
  }
  return out;
}

void kill_hard(herald_process& server) {
  CAF_REQUIRE(server.kill(SIGKILL));
  auto st = server.wait_exit(10s);
  CAF_REQUIRE_EQUAL(to_string(st), "signal 9");
}

} // namespace

CAF_TEST(acknowledged messages survive kill -9) {
  temp_dir db_dir;
  auto opts = durable_options(db_dir);
  std::vector<uint64_t> ids_a, ids_b;
  {
    herald_process first{opts};
    CAF_REQUIRE(first.start());
    http_client http{first.port()};
    for (int i = 0; i < 60; ++i) {
      auto channel = i % 3 ? "dur/a" : "dur/b";
      auto r = publish(http, channel, "d" + std::to_string(i));
      CAF_REQUIRE_EQUAL(r.status, 200);
      (i % 3 ? ids_a : ids_b).push_back(r.id);
    }
    kill_hard(first);
  }
  herald_process second{opts};
  CAF_REQUIRE(second.start());
  http_client http{second.port()};
  auto stored_a = all_stored(http, "dur/a");
  std::vector<uint64_t> got_a;
  for (auto& m : stored_a)
    got_a.push_back(m.id);
  CAF_CHECK_EQUAL(got_a, ids_a);
  for (std::size_t i = 0; i < stored_a.size(); ++i)
    CAF_CHECK_EQUAL(stored_a[i].username, default_user);
  ws_client ws{second.port()};
  CAF_REQUIRE(ws.connect("/socket/dur/b?since=0").upgraded);
  CAF_CHECK_EQUAL(read_ids(ws, ids_b.size()), ids_b);
  auto next = publish(http, "dur/b", "after restart");
  CAF_REQUIRE_EQUAL(next.status, 200);
  CAF_CHECK_GREATER(next.id, std::max(ids_a.back(), ids_b.back()));
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{next.id});
  auto stats = channel_stats(http, "dur/a");
  CAF_REQUIRE(stats.has_value());
  CAF_CHECK_EQUAL(stats->stored, ids_a.size());
  CAF_CHECK_EQUAL(stats->last_id, ids_a.back());
}

CAF_TEST(kill -9 during concurrent publishing loses nothing acknowledged) {
  temp_dir db_dir;
  auto opts = durable_options(db_dir);
  std::mutex mtx;
  std::vector<uint64_t> acked;
  {
    herald_process first{opts};
    CAF_REQUIRE(first.start());
    std::atomic<bool> stop{false};
    std::vector<std::thread> publishers;
    for (int t = 0; t < 3; ++t)
      publishers.emplace_back([&, t] {
        http_client http{first.port(), 5s};
        for (int i = 0; i < 3000 && !stop; ++i) {
          auto r = publish(http, "storm", "t" + std::to_string(t) + "-" + std::to_string(i));
          if (r.status != 200)
            return; // the server is gone
          std::lock_guard<std::mutex> guard{mtx};
          acked.push_back(r.id);
        }
      });
    // Kill once a good number is acknowledged, with requests in flight.
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (acked.size() >= 150)
          break;
      }
      std::this_thread::sleep_for(10ms);
    }
    kill_hard(first);
    stop = true;
    for (auto& p : publishers)
      p.join();
  }
  CAF_REQUIRE_GREATER_OR_EQUAL(acked.size(), 150u);
  std::sort(acked.begin(), acked.end());
  herald_process second{opts};
  CAF_REQUIRE(second.start());
  http_client http{second.port()};
  auto stored = all_stored(http, "storm");
  std::vector<uint64_t> stored_ids;
  for (auto& m : stored)
    stored_ids.push_back(m.id);
  CAF_CHECK(std::is_sorted(stored_ids.begin(), stored_ids.end()));
  std::set<uint64_t> stored_set(stored_ids.begin(), stored_ids.end());
  CAF_CHECK_EQUAL(stored_set.size(), stored_ids.size());
  std::vector<uint64_t> missing;
  for (auto id : acked)
    if (!stored_set.count(id))
      missing.push_back(id);
  CAF_CHECK_EQUAL(missing, std::vector<uint64_t>{});
  auto next = publish(http, "storm", "after");
  CAF_REQUIRE_EQUAL(next.status, 200);
  CAF_CHECK_GREATER(next.id, stored_ids.empty() ? 0 : stored_ids.back());
}

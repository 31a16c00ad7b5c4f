// Cluster mode on real processes: one redis-server and three herald nodes on
// loopback. Every node delivers every message of a channel once, in the same
// order, wherever it was published; a client resumes on any node with
// ?since=; the channel list counts the subscribers of every node; with Redis
// gone publishes get 503 while subscribers stay connected, and after Redis is
// back nothing acknowledged is missing; a killed node's clients lose nothing
// on another node; a node left behind the trimmed log sends its clients off
// with 1012 to resume with ?since=; a node stops cleanly on SIGTERM; a bad
// Redis URL is a config error; /readyz and the Redis metrics follow the
// link to Redis.
#define CAF_SUITE integration_cluster
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include "support/api.hpp"
#include "support/redis_process.hpp"
#include "support/scrape.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t node_count = 3;

// A Redis and three nodes following it. `extra` adds lines to [cluster].
struct cluster {
  redis_process redis;
  std::vector<std::unique_ptr<herald_process>> nodes;

  explicit cluster(const std::string& extra = {}) {
    for (std::size_t i = 0; i < node_count; ++i) {
      herald_options opts;
      // Reports every 200 ms, so a count is at most 600 ms (its TTL) stale.
      opts.extra_toml = "[cluster]\nredis = \"" + redis.url()
                        + "\"\nreport_interval = \"200ms\"\n" + extra;
      nodes.push_back(std::make_unique<herald_process>(opts));
    }
  }

  bool start() {
    if (!redis.start())
      return false;
    for (auto& n : nodes)
      if (!n->start())
        return false;
    return true;
  }

  herald_process& operator[](std::size_t i) { return *nodes.at(i); }
};

std::unique_ptr<ws_client> subscribe(herald_process& node, const std::string& target) {
  auto ws = std::make_unique<ws_client>(node.port(), 10s);
  auto hs = ws->connect(target);
  CAF_CHECK(hs.upgraded);
  if (!hs.upgraded)
    CAF_MESSAGE("upgrade of " << target << " refused: " << hs.status << " " << hs.error);
  return ws;
}

// Publishes `per_node` messages to `channel` on every node at once (two
// connections per node); the acknowledged ids, sorted.
std::vector<uint64_t> publish_everywhere(cluster& c, const std::string& channel, int per_node) {
  std::vector<std::future<std::vector<uint64_t>>> runs;
  for (auto& n : c.nodes)
    runs.push_back(std::async(std::launch::async,
                              [port = n->port(), channel, per_node] {
                                return publish_many(port, channel, per_node, 2);
                              }));
  std::vector<uint64_t> all;
  for (auto& r : runs) {
    auto ids = r.get();
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

// Publishes one message on `node`; its id, 0 (and a failed check) if refused.
uint64_t publish_one(herald_process& node, const std::string& channel, const std::string& text) {
  http_client http{node.port()};
  auto r = publish(http, channel, text);
  CAF_CHECK_EQUAL(r.status, 200);
  return r.status == 200 ? r.id : 0;
}

// Reads until `last` arrived; the ids in arrival order.
std::vector<uint64_t> read_through(ws_client& ws, uint64_t last, std::size_t limit) {
  std::string stopped_by;
  auto ids = read_ids_until(ws, last, limit, 15s, &stopped_by);
  CAF_CHECK_EQUAL(stopped_by, "");
  return ids;
}

// Polls GET /api/channels on `node` until `channel` shows `expected`
// subscribers (the other nodes report every 200 ms); the last count seen.
uint64_t wait_for_subscribers(herald_process& node, const std::string& channel, uint64_t expected,
                              std::chrono::milliseconds timeout = 3s) {
  http_client http{node.port()};
  uint64_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    auto stats = channel_stats(http, channel);
    seen = stats ? stats->subscribers : 0;
    if (seen == expected)
      break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return seen;
}

// How often `text` occurs in `log`.
std::size_t occurrences(const std::string& log, const std::string& text) {
  std::size_t n = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
    ++n;
  return n;
}

} // namespace

CAF_TEST(every node delivers every message once and in the same order) {
  cluster c;
  CAF_REQUIRE(c.start());
  for (std::size_t i = 0; i < node_count; ++i) {
    // Redis holds the messages: the SQLite file is never created.
    CAF_CHECK(!std::filesystem::exists(c[i].db_path()));
    CAF_CHECK_NOT_EQUAL(c[i].log_text().find("cluster mode: redis " + c.redis.url()
                                             + "/0, node 127.0.0.1:"
                                             + std::to_string(c[i].port())),
                        std::string::npos);
  }
  std::vector<std::unique_ptr<ws_client>> subs;
  for (std::size_t i = 0; i < node_count; ++i)
    for (int k = 0; k < 2; ++k)
      subs.push_back(subscribe(c[i], "/socket/order/a"));
  // Two channels at once: each subscriber must get its own channel only.
  auto other = std::async(std::launch::async, [&c] { return publish_everywhere(c, "order/b", 10); });
  auto acked = publish_everywhere(c, "order/a", 40);
  CAF_REQUIRE_EQUAL(acked.size(), 3u * 40u);
  CAF_REQUIRE_EQUAL(other.get().size(), 3u * 10u);
  std::vector<uint64_t> first;
  for (std::size_t s = 0; s < subs.size(); ++s) {
    auto got = read_through(*subs[s], acked.back(), acked.size() + 40);
    // Strictly increasing and complete: every acknowledged id once, in order.
    CAF_CHECK_EQUAL(got, acked);
    if (s == 0)
      first = got;
    CAF_CHECK_EQUAL(got, first);
  }
}

CAF_TEST(a client resumes on another node with since and misses nothing) {
  cluster c;
  CAF_REQUIRE(c.start());
  auto on_a = subscribe(c[0], "/socket/resume/x");
  std::vector<uint64_t> before;
  for (int i = 0; i < 5; ++i)
    before.push_back(publish_one(c[0], "resume/x", "a" + std::to_string(i)));
  CAF_REQUIRE_EQUAL(read_through(*on_a, before.back(), 10), before);
  on_a->close();
  // Published on B while the client is away.
  std::vector<uint64_t> missed;
  for (int i = 0; i < 10; ++i)
    missed.push_back(publish_one(c[1], "resume/x", "b" + std::to_string(i)));
  // History on a third node right after the acknowledgements has them all.
  http_client http{c[2].port()};
  auto h = history(http, "resume/x", "?since=" + std::to_string(before.back()));
  CAF_REQUIRE_EQUAL(h.error, "");
  std::vector<uint64_t> history_ids;
  for (auto& m : h.messages)
    history_ids.push_back(m.id);
  CAF_CHECK_EQUAL(history_ids, missed);
  // The client comes back on C: the missed ones, then live ones from A.
  auto on_c = subscribe(c[2], "/socket/resume/x?since=" + std::to_string(before.back()));
  CAF_CHECK_EQUAL(read_through(*on_c, missed.back(), 20), missed);
  auto live = publish_one(c[0], "resume/x", "live");
  CAF_CHECK_EQUAL(read_through(*on_c, live, 5), std::vector<uint64_t>{live});
}

CAF_TEST(the channel list counts the subscribers of every node) {
  cluster c;
  CAF_REQUIRE(c.start());
  // The cluster lists channels that have messages.
  publish_one(c[0], "count/x", "hello");
  std::vector<std::unique_ptr<ws_client>> on_a, on_b, on_c;
  for (int i = 0; i < 2; ++i)
    on_a.push_back(subscribe(c[0], "/socket/count/x"));
  on_b.push_back(subscribe(c[1], "/socket/count/x"));
  for (int i = 0; i < 3; ++i)
    on_c.push_back(subscribe(c[2], "/socket/count/x"));
  for (std::size_t i = 0; i < node_count; ++i)
    CAF_CHECK_EQUAL(wait_for_subscribers(c[i], "count/x", 6), 6u);
  // Subscribers that leave drop out of every node's count.
  for (auto& ws : on_c)
    ws->close();
  for (std::size_t i = 0; i < node_count; ++i)
    CAF_CHECK_EQUAL(wait_for_subscribers(c[i], "count/x", 3), 3u);
  // A node that dies stops reporting; its report expires (3 intervals).
  CAF_REQUIRE(c[1].kill(SIGKILL));
  CAF_CHECK_EQUAL(wait_for_subscribers(c[0], "count/x", 2), 2u);
  CAF_CHECK_EQUAL(wait_for_subscribers(c[2], "count/x", 2), 2u);
}

CAF_TEST(without redis publishes get 503 and after it nothing is missing) {
  cluster c;
  CAF_REQUIRE(c.start());
  std::vector<std::unique_ptr<ws_client>> subs;
  for (std::size_t i = 0; i < node_count; ++i)
    subs.push_back(subscribe(c[i], "/socket/down/x"));
  auto acked = publish_everywhere(c, "down/x", 5);
  CAF_REQUIRE_EQUAL(acked.size(), 15u);
  CAF_REQUIRE(c.redis.kill(SIGKILL));
  for (std::size_t i = 0; i < node_count; ++i) {
    http_client http{c[i].port()};
    auto r = publish(http, "down/x", "lost");
    std::string why;
    CAF_CHECK(is_json_error(r.response, 503, &why));
    if (!why.empty())
      CAF_MESSAGE("node " << i << ": " << why);
    auto h = history(http, "down/x", "?since=0");
    CAF_CHECK_EQUAL(h.status, 503);
  }
  CAF_REQUIRE(c.redis.restart());
  // The messages acknowledged before the crash came back with Redis' AOF.
  {
    http_client http{c[1].port()};
    auto h = history(http, "down/x", "?since=0&limit=1000");
    CAF_REQUIRE_EQUAL(h.error, "");
    std::vector<uint64_t> stored;
    for (auto& m : h.messages)
      stored.push_back(m.id);
    CAF_CHECK_EQUAL(stored, acked);
  }
  auto after = publish_everywhere(c, "down/x", 5);
  CAF_REQUIRE_EQUAL(after.size(), 15u);
  acked.insert(acked.end(), after.begin(), after.end());
  // The subscribers were never closed: each sees everything acknowledged,
  // before and after the outage, with no gap.
  for (auto& ws : subs)
    CAF_CHECK_EQUAL(read_through(*ws, acked.back(), acked.size() + 10), acked);
  for (std::size_t i = 0; i < node_count; ++i) {
    auto log = c[i].log_text();
    CAF_CHECK_EQUAL(occurrences(log, "log reader: redis unreachable"), 1u);
    CAF_CHECK_EQUAL(occurrences(log, "log reader: redis reachable again"), 1u);
  }
}

CAF_TEST(clients of a killed node resume on the others and lose nothing) {
  cluster c;
  CAF_REQUIRE(c.start());
  auto first = subscribe(c[1], "/socket/fail/x");
  auto second = subscribe(c[1], "/socket/fail/x");
  std::vector<uint64_t> seen;
  for (int i = 0; i < 10; ++i)
    seen.push_back(publish_one(c[0], "fail/x", "s" + std::to_string(i)));
  CAF_REQUIRE_EQUAL(read_through(*first, seen.back(), 20), seen);
  CAF_REQUIRE_EQUAL(read_through(*second, seen.back(), 20), seen);
  CAF_REQUIRE(c[1].kill(SIGKILL));
  CAF_CHECK(c[1].wait_exit(5s).kind == exit_status::signaled);
  std::vector<uint64_t> missed;
  for (int i = 0; i < 10; ++i)
    missed.push_back(publish_one(c[i % 2 == 0 ? 0 : 2], "fail/x", "m" + std::to_string(i)));
  auto since = "/socket/fail/x?since=" + std::to_string(seen.back());
  auto on_a = subscribe(c[0], since);
  auto on_c = subscribe(c[2], since);
  CAF_CHECK_EQUAL(read_through(*on_a, missed.back(), 20), missed);
  CAF_CHECK_EQUAL(read_through(*on_c, missed.back(), 20), missed);
}

CAF_TEST(a node behind the trimmed log closes its clients with 1012) {
  // log_length 100: publishing a few hundred messages while node C is frozen
  // trims the log past C's position.
  cluster c{"log_length = 100\n"};
  CAF_REQUIRE(c.start());
  auto on_c = subscribe(c[2], "/socket/trim/x");
  auto first = publish_one(c[0], "trim/x", "first");
  CAF_REQUIRE_EQUAL(read_through(*on_c, first, 5), std::vector<uint64_t>{first});
  CAF_REQUIRE(c[2].kill(SIGSTOP));
  auto acked = publish_many(c[0].port(), "trim/x", 400, 4);
  CAF_REQUIRE_EQUAL(acked.size(), 400u);
  CAF_REQUIRE(c[2].kill(SIGCONT));
  // C may deliver a few messages its blocked read had already received;
  // then it finds the gap and closes the socket.
  std::vector<std::string> texts;
  auto ev = on_c->read_until_close(texts, 10s, acked.size() + 10);
  CAF_CHECK_EQUAL(to_string(ev), "closed 1012 cluster log trimmed; reconnect with since");
  uint64_t last = first;
  for (auto& t : texts)
    if (auto m = parse_message(t))
      last = m->id;
  CAF_CHECK_LESS(texts.size(), 100u); // it stopped well before the trimmed part
  // Resuming where it stood, on any node, brings the rest.
  auto again = subscribe(c[2], "/socket/trim/x?since=" + std::to_string(last));
  auto resumed = read_through(*again, acked.back(), acked.size() + 10);
  CAF_CHECK_EQUAL(resumed, ids_after(acked, last));
  if (resumed != ids_after(acked, last))
    CAF_MESSAGE("log of the node that was behind:\n" << c[2].log_text());
  CAF_CHECK_NOT_EQUAL(c[2].log_text().find("the cluster log was trimmed past this node"),
                      std::string::npos);
}

CAF_TEST(a node stops cleanly on sigterm with or without redis) {
  cluster c;
  CAF_REQUIRE(c.start());
  auto sub = subscribe(c[0], "/socket/stop/x");
  auto id = publish_one(c[1], "stop/x", "before");
  CAF_REQUIRE_EQUAL(read_through(*sub, id, 5), std::vector<uint64_t>{id});
  CAF_REQUIRE(c[0].kill(SIGTERM));
  std::vector<std::string> texts;
  auto end = sub->read_until_close(texts, 10s, 10);
  CAF_CHECK_EQUAL(to_string(end).rfind("closed 1001 server shutting down", 0), 0u);
  CAF_CHECK_EQUAL(to_string(c[0].wait_exit(10s)), "exit 0");
  // With Redis gone the log reader is retrying; it stops all the same.
  CAF_REQUIRE(c.redis.kill(SIGKILL));
  CAF_REQUIRE(c[1].kill(SIGTERM));
  CAF_CHECK_EQUAL(to_string(c[1].wait_exit(10s)), "exit 0");
}

CAF_TEST(a bad redis url stops herald with exit 2 and without its password) {
  auto r = run_herald({"--listen", "127.0.0.1:0", "--redis", "redis://:hunter2@127.0.0.1:0"});
  CAF_CHECK_EQUAL(to_string(r.status), "exit 2");
  CAF_CHECK_NOT_EQUAL(r.output.find("--redis"), std::string::npos);
  CAF_CHECK_EQUAL(r.output.find("hunter2"), std::string::npos);
  herald_options opts;
  opts.extra_toml = "[cluster]\nredis = \"tcp://:hunter2@127.0.0.1:6379\"\n";
  herald_process node{opts};
  CAF_REQUIRE(node.spawn());
  CAF_CHECK_EQUAL(to_string(node.wait_exit(10s)), "exit 2");
  auto log = node.log_text();
  CAF_CHECK_NOT_EQUAL(log.find("cluster.redis"), std::string::npos);
  CAF_CHECK_EQUAL(log.find("hunter2"), std::string::npos);
}

CAF_TEST(readyz and the redis metrics follow the link to redis) {
  redis_process redis;
  CAF_REQUIRE(redis.start());
  herald_options opts;
  opts.extra_toml = "[cluster]\nredis = \"" + redis.url() + "\"\n";
  herald_process node{opts};
  CAF_REQUIRE(node.start());
  http_client http{node.port(), 10s};
  auto redis_up = [](const prom_exposition& p) { return p.value("herald_redis_up").value_or(-1); };
  auto up = scrape_metrics_until(http, [&](const prom_exposition& p) { return redis_up(p) == 1; });
  CAF_REQUIRE_EQUAL(up.error, "");
  CAF_CHECK_EQUAL(redis_up(up), 1.0);
  CAF_CHECK_EQUAL(up.value("herald_cluster_catch_ups_total").value_or(-1), 0.0);
  CAF_CHECK_EQUAL(http.request("GET", "/readyz").status, 200);

  CAF_REQUIRE(redis.kill(SIGKILL));
  auto refused = get_until(http, "/readyz", 503);
  std::string why;
  CAF_CHECK(is_json_error(refused, 503, &why));
  CAF_CHECK_EQUAL(why, "");
  CAF_CHECK_NOT_EQUAL(refused.body.find("redis unreachable: "), std::string::npos);
  auto down = scrape_metrics_until(http, [&](const prom_exposition& p) { return redis_up(p) == 0; });
  CAF_CHECK_EQUAL(redis_up(down), 0.0);
  // A publish meanwhile is refused, and counted as storage being unavailable.
  CAF_CHECK_EQUAL(publish(http, "ready/x", "lost").status, 503);
  auto refusals = scrape_metrics(http);
  CAF_CHECK_EQUAL(
    refusals.value("herald_publishes_refused_total", {{"reason", "storage_unavailable"}}).value_or(-1),
    1.0);
  CAF_CHECK_GREATER_OR_EQUAL(refusals.value("herald_storage_commit_failures_total").value_or(-1),
                             1.0);

  CAF_REQUIRE(redis.restart());
  CAF_CHECK_EQUAL(get_until(http, "/readyz", 200).status, 200);
  auto back = scrape_metrics_until(http, [&](const prom_exposition& p) {
    return redis_up(p) == 1 && p.value("herald_cluster_catch_ups_total").value_or(0) >= 1;
  });
  CAF_CHECK_EQUAL(redis_up(back), 1.0);
  CAF_CHECK_EQUAL(back.value("herald_cluster_catch_ups_total").value_or(-1), 1.0);
}

// GET /metrics and GET /readyz of the real binary. A scrape is valid text
// format 0.0.4 to a strict reader; the counters move by exactly what the
// clients did (deliveries to every subscriber, publishes accepted and
// refused by reason, bytes written, refused upgrades, clean closes, the
// histograms' counts); a slow consumer's close and lagged notices are
// counted; HTTP connections are counted closed by their reason (idle,
// handshake timeout, protocol error, normal); /readyz is 200 while the
// database takes writes and 503 with the reason while it cannot.
#define CAF_SUITE integration_metrics
#include <caf/test/unit_test.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "support/api.hpp"
#include "support/immutable_files.hpp"
#include "support/prometheus_text.hpp"
#include "support/raw_tcp.hpp"
#include "support/scrape.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

prom_exposition scrape(http_client& http) {
  auto parsed = scrape_metrics(http);
  CAF_CHECK_EQUAL(parsed.error, "");
  return parsed;
}

// A sample's value; -1 (and a failed check) when the scrape lacks it.
double metric(const prom_exposition& p, const std::string& name, const prom_labels& labels = {}) {
  auto v = p.value(name, labels);
  CAF_CHECK(v.has_value());
  return v.value_or(-1);
}

// A sample's value without a check, for the conditions waited on.
double peek(const prom_exposition& p, const std::string& name, const prom_labels& labels = {}) {
  return p.value(name, labels).value_or(-1);
}

prom_exposition scrape_until(http_client& http,
                             const std::function<bool(const prom_exposition&)>& done) {
  auto parsed = scrape_metrics_until(http, done);
  CAF_CHECK_EQUAL(parsed.error, "");
  return parsed;
}

// Until GET /api/channels counts `n` subscribers on `channel` (bounded).
bool wait_subscribers(http_client& http, const std::string& channel, uint64_t n) {
  for (int i = 0; i < 250; ++i) {
    auto stats = channel_stats(http, channel);
    if (stats && stats->subscribers == n)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// What a server text frame of `payload` bytes takes on the wire.
uint64_t frame_size(std::size_t payload) {
  return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
}

const std::vector<std::string> publish_refusals{"bad_request",   "unauthorized",
                                                "rate_limited",  "too_large",
                                                "channel_limit", "storage_unavailable",
                                                "shutting_down"};

} // namespace

CAF_TEST(a scrape is valid text format and holds every family) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  auto p = scrape(http);
  CAF_CHECK(p.ok);
  for (auto name : {"herald_build_info", "herald_start_time_seconds", "herald_connections_open",
                    "herald_connections_opened_total", "herald_connections_closed_total",
                    "herald_connections_refused_total", "herald_publishes_accepted_total",
                    "herald_publishes_refused_total", "herald_deliveries_total",
                    "herald_websocket_written_bytes_total", "herald_slow_consumer_closes_total",
                    "herald_lagged_notices_total", "herald_write_queue_bytes",
                    "herald_publish_to_write_seconds", "herald_storage_commit_seconds",
                    "herald_storage_commit_batch_size", "herald_storage_commit_failures_total",
                    "herald_cache_hits_total", "herald_cache_misses_total"}) {
    if (p.family(name) == nullptr)
      CAF_FAIL("no family " << name);
  }
  CAF_CHECK_EQUAL(p.total("herald_build_info"), 1.0);
  CAF_CHECK_EQUAL(p.samples.front().labels.count("version"), 1u);
  // The scrape's own connection is open.
  CAF_CHECK_GREATER_OR_EQUAL(metric(p, "herald_connections_open", {{"kind", "http"}}), 1.0);
  CAF_CHECK(p.family("herald_redis_up") == nullptr); // not in cluster mode
  auto post = http.request("POST", "/metrics", "x");
  std::string why;
  CAF_CHECK(is_json_error(post, 405, &why));
  CAF_CHECK_EQUAL(why, "");
  CAF_CHECK_EQUAL(post.header("allow"), "GET");
}

CAF_TEST(counters move by exactly what the clients did) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port(), 10s};
  const std::string channel = "metrics/live";
  constexpr int n = 20;
  constexpr int m = 3;
  auto before = scrape(http);

  std::vector<std::unique_ptr<ws_client>> subs;
  for (int i = 0; i < m; ++i) {
    subs.push_back(std::make_unique<ws_client>(server.port(), 10s));
    CAF_REQUIRE(subs.back()->connect("/socket/" + channel).upgraded);
  }
  CAF_REQUIRE(wait_subscribers(http, channel, m));
  // A page of another origin is turned away at the upgrade.
  ws_client foreign{server.port()};
  ws_connect_options from_elsewhere;
  from_elsewhere.origin = "https://elsewhere.example";
  CAF_CHECK_EQUAL(foreign.connect("/socket/" + channel, from_elsewhere).status, 403);

  std::vector<uint64_t> ids;
  for (int i = 0; i < n; ++i) {
    auto r = publish(http, channel, "message " + std::to_string(i));
    CAF_REQUIRE_EQUAL(r.status, 200);
    ids.push_back(r.id);
  }
  CAF_CHECK_EQUAL(publish(http, channel, "x", body_format::form, "wrong-token").status, 401);
  CAF_CHECK_EQUAL(
    publish(http, channel, "y", body_format::json, default_token, token_header::none).status, 401);
  CAF_CHECK_EQUAL(publish(http, channel, "").status, 400);
  CAF_CHECK_EQUAL(publish_at(http, "/api/channels/bad!/messages", "x").status, 400);
  {
    http_client big{server.port(), 10s}; // the server closes after a 413
    CAF_CHECK_EQUAL(publish(big, channel, std::string(70000, 'x')).status, 413);
  }
  uint64_t wire_bytes = 0;
  for (auto& ws : subs)
    for (int i = 0; i < n; ++i) {
      auto text = ws->read_text(5s);
      CAF_REQUIRE(text.has_value());
      auto msg = parse_message(*text);
      CAF_CHECK(msg && msg->id == ids[i]);
      wire_bytes += frame_size(text->size());
    }

  auto after = scrape_until(http, [&](const prom_exposition& p) {
    return peek(p, "herald_deliveries_total") >= peek(before, "herald_deliveries_total") + n * m;
  });
  auto moved = [&](const std::string& name, const prom_labels& labels = {}) {
    return metric(after, name, labels) - metric(before, name, labels);
  };
  CAF_CHECK_EQUAL(moved("herald_deliveries_total"), n * m);
  CAF_CHECK_EQUAL(moved("herald_publishes_accepted_total"), n);
  for (const auto& reason : publish_refusals) {
    double expected = reason == "unauthorized" ? 2 : reason == "bad_request" ? 2
                      : reason == "too_large"  ? 1
                                               : 0;
    CAF_CHECK_EQUAL(reason + " " + std::to_string(moved("herald_publishes_refused_total",
                                                        {{"reason", reason}})),
                    reason + " " + std::to_string(expected));
  }
  CAF_CHECK_EQUAL(moved("herald_websocket_written_bytes_total"), static_cast<double>(wire_bytes));
  CAF_CHECK_EQUAL(moved("herald_connections_opened_total", {{"kind", "websocket"}}), m);
  CAF_CHECK_EQUAL(moved("herald_connections_refused_total", {{"reason", "origin"}}), 1);
  CAF_CHECK_EQUAL(metric(after, "herald_connections_open", {{"kind", "websocket"}}), m);
  // Each message once per I/O thread with subscribers of the channel (two
  // threads here), not once per subscriber.
  auto timed = moved("herald_publish_to_write_seconds_count");
  CAF_CHECK(timed == n || timed == 2 * n);
  // Every accepted message went through exactly one commit; nothing refused did.
  CAF_CHECK_EQUAL(moved("herald_storage_commit_batch_size_sum"), n);
  CAF_CHECK_GREATER_OR_EQUAL(moved("herald_storage_commit_seconds_count"), 1);
  CAF_CHECK_LESS_OR_EQUAL(moved("herald_storage_commit_seconds_count"), n);
  CAF_CHECK_GREATER_OR_EQUAL(moved("herald_write_queue_bytes_count"), m);

  // Clients that close cleanly are counted as such.
  for (auto& ws : subs)
    ws->close();
  auto closed = scrape_until(http, [&](const prom_exposition& p) {
    return peek(p, "herald_connections_open", {{"kind", "websocket"}}) == 0;
  });
  CAF_CHECK_EQUAL(metric(closed, "herald_connections_open", {{"kind", "websocket"}}), 0);
  CAF_CHECK_EQUAL(metric(closed, "herald_connections_closed_total",
                         {{"kind", "websocket"}, {"reason", "normal"}})
                    - metric(before, "herald_connections_closed_total",
                             {{"kind", "websocket"}, {"reason", "normal"}}),
                  m);
}

CAF_TEST(slow consumer closes and lagged notices are counted) {
  herald_options opts;
  opts.websocket_toml = "write_queue_limit = 65536\n";
  opts.extra_toml = "[slow_consumer.channels]\n\"metrics/lag\" = \"drop_oldest\"\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  http_client http{server.port(), 10s};
  auto before = scrape(http);
  // Neither reads until the flood is over; tiny receive buffers make them
  // back up into the server quickly.
  ws_connect_options tiny;
  tiny.receive_buffer = 4096;
  ws_client slow{server.port(), 10s};
  CAF_REQUIRE(slow.connect("/socket/metrics/flood", tiny).upgraded);
  ws_client lagging{server.port(), 10s};
  CAF_REQUIRE(lagging.connect("/socket/metrics/lag", tiny).upgraded);
  CAF_REQUIRE(wait_subscribers(http, "metrics/flood", 1));
  CAF_REQUIRE(wait_subscribers(http, "metrics/lag", 1));
  auto moved = [&](const prom_exposition& p, const std::string& name) {
    return metric(p, name) - metric(before, name);
  };
  const std::string text(8000, 'x');
  prom_exposition p = before;
  for (int i = 0; i < 1500; ++i) {
    CAF_REQUIRE_EQUAL(publish(http, "metrics/flood", text).status, 200);
    CAF_REQUIRE_EQUAL(publish(http, "metrics/lag", text).status, 200);
    if (i % 50 == 49) {
      p = scrape(http);
      if (moved(p, "herald_slow_consumer_closes_total") >= 1)
        break;
    }
  }
  std::vector<std::string> texts;
  auto end = slow.read_until_close(texts, 15s, 3000);
  CAF_CHECK_EQUAL(to_string(end).substr(0, 11), "closed 1008");
  // The lagging one is still there. Its notice is queued once its socket
  // takes data again, so it is counted by the time the client reads it.
  int notices = 0;
  for (int i = 0; i < 3000; ++i) {
    auto frame = lagging.read_text(1s);
    if (!frame)
      break;
    if (frame->find("\"type\":\"lagged\"") != std::string::npos)
      ++notices;
  }
  CAF_CHECK_GREATER_OR_EQUAL(notices, 1);
  auto after = scrape_until(http, [&](const prom_exposition& s) {
    return peek(s, "herald_connections_open", {{"kind", "websocket"}}) == 0;
  });
  CAF_CHECK_EQUAL(moved(after, "herald_slow_consumer_closes_total"), 1);
  CAF_CHECK_EQUAL(metric(after, "herald_connections_closed_total",
                         {{"kind", "websocket"}, {"reason", "slow_consumer"}}),
                  1);
  // Notices merged while waiting in the queue were counted but never sent.
  CAF_CHECK_GREATER_OR_EQUAL(moved(after, "herald_lagged_notices_total"), notices);
}

CAF_TEST(http connections are counted closed by their reason) {
  herald_options opts;
  opts.websocket_toml = "handshake_timeout = \"300ms\"\n";
  opts.extra_toml = "[limits]\nidle_timeout = \"300ms\"\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  prom_exposition before;
  {
    // Closed at once (a normal close), so that it cannot idle out meanwhile.
    http_client first{server.port(), 10s};
    before = scrape(first);
  }
  auto closed = [&](const prom_exposition& p, const std::string& reason) {
    return peek(p, "herald_connections_closed_total", {{"kind", "http"}, {"reason", reason}})
           - peek(before, "herald_connections_closed_total", {{"kind", "http"}, {"reason", reason}});
  };
  // One request, then silence: the server ends them at idle_timeout. Two
  // of these and one of the next, so that a mix-up of the two shows.
  raw_tcp idle{server.port()};
  raw_tcp idle_too{server.port()};
  for (auto* c : {&idle, &idle_too}) {
    CAF_REQUIRE(c->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    CAF_REQUIRE(c->read_until("\r\n\r\n", 5s));
  }
  // Half a request line: ended at handshake_timeout.
  raw_tcp partial{server.port()};
  CAF_REQUIRE(partial.send("GET /heal"));
  // A client that reads its answer and closes: a normal end.
  {
    raw_tcp polite{server.port()};
    CAF_REQUIRE(polite.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    CAF_REQUIRE(polite.read_until("\r\n\r\n", 5s));
  }
  // Headers over the limit: a protocol error.
  raw_tcp oversized{server.port()};
  CAF_REQUIRE(oversized.send("GET /healthz HTTP/1.1\r\nX: " + std::string(20000, 'x')
                             + "\r\n\r\n"));
  CAF_REQUIRE(oversized.read_until("\r\n\r\n", 5s));
  CAF_CHECK_EQUAL(oversized.received().substr(0, 12), "HTTP/1.1 431");
  oversized.close(); // the server waits for that after its answer
  CAF_CHECK(idle.wait_closed(5s));
  CAF_CHECK(idle_too.wait_closed(5s));
  CAF_CHECK(partial.wait_closed(5s));
  http_client http{server.port(), 10s}; // scrapes often enough never to idle out
  auto after = scrape_until(http, [&](const prom_exposition& p) {
    return closed(p, "idle_timeout") >= 2 && closed(p, "handshake_timeout") >= 1
           && closed(p, "normal") >= 2 && closed(p, "protocol_error") >= 1;
  });
  CAF_CHECK_EQUAL(closed(after, "idle_timeout"), 2);
  CAF_CHECK_EQUAL(closed(after, "handshake_timeout"), 1);
  CAF_CHECK_EQUAL(closed(after, "protocol_error"), 1);
  // The polite client and the first scraper (the start-up's health checks
  // may close as late as now, so at least).
  CAF_CHECK_GREATER_OR_EQUAL(closed(after, "normal"), 2);
}

CAF_TEST(readyz says whether the database can be written) {
  herald_process server;
  CAF_REQUIRE(server.start());
  http_client http{server.port(), 10s};
  auto ready = http.request("GET", "/readyz");
  CAF_CHECK_EQUAL(ready.status, 200);
  CAF_CHECK_EQUAL(ready.body, "{\"status\":\"ready\"}");
  CAF_CHECK_EQUAL(ready.header("content-type"), "application/json");
  CAF_REQUIRE_EQUAL(publish(http, "metrics/ready", "stored").status, 200);

  auto files = sqlite_files_to_freeze(server.db_path());
  immutable_files frozen;
  std::string why;
  if (!frozen.set(files, why)) {
    CAF_MESSAGE("skipped: cannot make the database unwritable (" << why << "; euid "
                                                                 << ::geteuid() << ")");
    return;
  }
  auto refused = get_until(http, "/readyz", 503);
  std::string mismatch;
  CAF_CHECK(is_json_error(refused, 503, &mismatch));
  CAF_CHECK_EQUAL(mismatch, "");
  auto body = parse_object(refused.body);
  CAF_REQUIRE(body.has_value());
  std::string message = body->at("message").as_string().c_str();
  CAF_MESSAGE("readyz while frozen: " << message);
  CAF_CHECK_EQUAL(message.rfind("storage not writable: ", 0), 0u);
  CAF_CHECK_GREATER(message.size(), std::string{"storage not writable: "}.size());
  // Alive all the same: liveness is another question.
  CAF_CHECK_EQUAL(http.request("GET", "/healthz").status, 200);

  CAF_REQUIRE(frozen.restore());
  auto again = get_until(http, "/readyz", 200);
  CAF_CHECK_EQUAL(again.status, 200);
  CAF_CHECK_EQUAL(publish(http, "metrics/ready", "stored after").status, 200);
}

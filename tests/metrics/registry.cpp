// What /metrics renders from the blocks: every family of docs/api.md in the
// text format, the I/O threads' blocks added up, the open connections
// derived from opens and closes (an upgrade moves a connection from http to
// websocket), and the cluster families only once a cluster block is listed.
#define CAF_SUITE metrics_registry
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>

#include "metrics/registry.hpp"
#include "support/prometheus_text.hpp"

using namespace herald;
using test_support::parse_prometheus_text;
using test_support::prom_exposition;

namespace {

struct fixture {
  metrics_registry registry{"1.2.3"};
  std::shared_ptr<io_metrics> io1 = std::make_shared<io_metrics>();
  std::shared_ptr<io_metrics> io2 = std::make_shared<io_metrics>();
  std::shared_ptr<storage_metrics> storage = std::make_shared<storage_metrics>();
  std::shared_ptr<cache_metrics> cache = std::make_shared<cache_metrics>();

  fixture() {
    registry.add(io1);
    registry.add(io2);
    registry.add(storage);
    registry.add(cache);
  }

  prom_exposition scrape() {
    auto parsed = parse_prometheus_text(registry.render());
    CAF_CHECK_EQUAL(parsed.error, "");
    return parsed;
  }
};

double value(const prom_exposition& p, const std::string& name,
             const test_support::prom_labels& labels = {}) {
  auto v = p.value(name, labels);
  if (!v)
    CAF_FAIL("no sample " << name);
  return *v;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(registry_tests, fixture)

CAF_TEST(every family is there from the start at zero) {
  auto p = scrape();
  for (auto name : {"herald_build_info", "herald_start_time_seconds", "herald_connections_open",
                    "herald_connections_opened_total", "herald_connections_closed_total",
                    "herald_connections_refused_total", "herald_publishes_accepted_total",
                    "herald_publishes_refused_total", "herald_deliveries_total",
                    "herald_websocket_written_bytes_total", "herald_slow_consumer_closes_total",
                    "herald_lagged_notices_total", "herald_write_queue_bytes",
                    "herald_publish_to_write_seconds", "herald_storage_commit_seconds",
                    "herald_storage_commit_batch_size", "herald_storage_commit_failures_total",
                    "herald_cache_hits_total", "herald_cache_misses_total"})
    CAF_CHECK(p.family(name) != nullptr);
  CAF_CHECK_EQUAL(value(p, "herald_build_info", {{"version", "1.2.3"}}), 1.0);
  CAF_CHECK_GREATER(value(p, "herald_start_time_seconds"), 1.6e9);
  CAF_CHECK_EQUAL(value(p, "herald_publishes_refused_total", {{"reason", "too_large"}}), 0.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_closed_total",
                        {{"kind", "websocket"}, {"reason", "slow_consumer"}}),
                  0.0);
  // Reasons that cannot happen to a kind are left out while they are 0.
  CAF_CHECK(!p.value("herald_connections_closed_total",
                     {{"kind", "http"}, {"reason", "slow_consumer"}}));
  CAF_CHECK_EQUAL(value(p, "herald_storage_commit_seconds_count"), 0.0);
  // Not in cluster mode.
  CAF_CHECK(p.family("herald_redis_up") == nullptr);
}

CAF_TEST(the blocks of every io thread add up) {
  io1->publishes_accepted.add(3);
  io2->publishes_accepted.add(4);
  io1->publish_refused(publish_refusal::unauthorized);
  io2->publish_refused(publish_refusal::unauthorized);
  io2->publish_refused(publish_refusal::too_large);
  io1->deliveries.add(10);
  io2->deliveries.add(5);
  io1->bytes_written.add(100);
  io2->slow_consumer_closes.add();
  io1->lagged_notices.add(2);
  io1->refused(refusal_reason::origin);
  io1->queue_bytes.observe(100);
  io2->queue_bytes.observe(1 << 20);
  io2->publish_to_write.observe(30000); // 30 us
  auto p = scrape();
  CAF_CHECK_EQUAL(value(p, "herald_publishes_accepted_total"), 7.0);
  CAF_CHECK_EQUAL(value(p, "herald_publishes_refused_total", {{"reason", "unauthorized"}}), 2.0);
  CAF_CHECK_EQUAL(value(p, "herald_publishes_refused_total", {{"reason", "too_large"}}), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_deliveries_total"), 15.0);
  CAF_CHECK_EQUAL(value(p, "herald_websocket_written_bytes_total"), 100.0);
  CAF_CHECK_EQUAL(value(p, "herald_slow_consumer_closes_total"), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_lagged_notices_total"), 2.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_refused_total", {{"reason", "origin"}}), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_write_queue_bytes_count"), 2.0);
  CAF_CHECK_EQUAL(value(p, "herald_write_queue_bytes_bucket", {{"le", "256"}}), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_write_queue_bytes_sum"), 100.0 + (1 << 20));
  CAF_CHECK_EQUAL(value(p, "herald_publish_to_write_seconds_bucket", {{"le", "2.5e-05"}}), 0.0);
  CAF_CHECK_EQUAL(value(p, "herald_publish_to_write_seconds_bucket", {{"le", "5e-05"}}), 1.0);
}

CAF_TEST(open connections follow opens closes and upgrades) {
  // Three HTTP connections accepted on one thread; two upgraded (on others).
  for (int i = 0; i < 3; ++i)
    io1->opened(connection_kind::http);
  io2->opened(connection_kind::websocket);
  io2->opened(connection_kind::websocket);
  auto p = scrape();
  CAF_CHECK_EQUAL(value(p, "herald_connections_open", {{"kind", "http"}}), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_open", {{"kind", "websocket"}}), 2.0);
  io2->closed(connection_kind::websocket, close_reason::slow_consumer);
  io1->closed(connection_kind::http, close_reason::idle_timeout);
  p = scrape();
  CAF_CHECK_EQUAL(value(p, "herald_connections_open", {{"kind", "http"}}), 0.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_open", {{"kind", "websocket"}}), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_opened_total", {{"kind", "http"}}), 3.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_closed_total",
                        {{"kind", "websocket"}, {"reason", "slow_consumer"}}),
                  1.0);
  CAF_CHECK_EQUAL(value(p, "herald_connections_closed_total",
                        {{"kind", "http"}, {"reason", "idle_timeout"}}),
                  1.0);
}

CAF_TEST(storage and cache blocks are read) {
  storage->commit_seconds.observe(2000000); // 2 ms
  storage->batch_size.observe(3);
  storage->commit_failures.add();
  cache->hits.add(5);
  cache->misses.add(2);
  auto p = scrape();
  CAF_CHECK_EQUAL(value(p, "herald_storage_commit_seconds_count"), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_storage_commit_seconds_sum"), 0.002);
  CAF_CHECK_EQUAL(value(p, "herald_storage_commit_batch_size_bucket", {{"le", "2"}}), 0.0);
  CAF_CHECK_EQUAL(value(p, "herald_storage_commit_batch_size_bucket", {{"le", "4"}}), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_storage_commit_failures_total"), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_cache_hits_total"), 5.0);
  CAF_CHECK_EQUAL(value(p, "herald_cache_misses_total"), 2.0);
}

CAF_TEST(cluster families appear with a cluster block) {
  auto cluster = std::make_shared<cluster_metrics>();
  registry.add(cluster);
  auto p = scrape();
  CAF_CHECK_EQUAL(value(p, "herald_redis_up"), 0.0);
  cluster->redis_up.set(1);
  cluster->catch_ups.add();
  cluster->caught_up_messages.add(12);
  p = scrape();
  CAF_CHECK_EQUAL(value(p, "herald_redis_up"), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_cluster_catch_ups_total"), 1.0);
  CAF_CHECK_EQUAL(value(p, "herald_cluster_caught_up_messages_total"), 12.0);
}

CAF_TEST_FIXTURE_SCOPE_END()

#include "metrics/registry.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>
#include <utility>

#include "metrics/exposition.hpp"

namespace herald {

namespace {

using metrics::exposition;
using metrics::histogram_snapshot;
using metrics::metric_type;

constexpr auto http = connection_kind::http;
constexpr auto websocket = connection_kind::websocket;

// Close reasons that can happen to each kind: their series are shown even
// at 0, so that rate() works from the first scrape. Any other that counted
// something is shown too.
bool applies(connection_kind k, close_reason r) {
  switch (r) {
    case close_reason::slow_consumer:
    case close_reason::ping_timeout:
      return k == websocket;
    case close_reason::idle_timeout:
      return k == http;
    default:
      return true;
  }
}

// The I/O threads' blocks, added up.
struct io_totals {
  std::array<uint64_t, connection_kind_count> opened{};
  std::array<std::array<uint64_t, close_reason_count>, connection_kind_count> closed{};
  std::array<uint64_t, refusal_reason_count> refused{};
  std::array<uint64_t, publish_refusal_count> publishes_refused{};
  uint64_t publishes_accepted = 0;
  uint64_t deliveries = 0;
  uint64_t bytes_written = 0;
  uint64_t slow_consumer_closes = 0;
  uint64_t lagged_notices = 0;
  histogram_snapshot queue_bytes{layouts::queue_bytes};
  histogram_snapshot publish_to_write{layouts::seconds};

  uint64_t closed_total(connection_kind k) const {
    uint64_t n = 0;
    for (auto c : closed[static_cast<std::size_t>(k)])
      n += c;
    return n;
  }
};

io_totals add_up(const std::vector<std::shared_ptr<const io_metrics>>& blocks) {
  io_totals t;
  // Closes before opens: a connection that opens and closes while the
  // scrape runs then makes the open count too high for a moment, not negative.
  for (const auto& b : blocks)
    for (std::size_t k = 0; k < connection_kind_count; ++k)
      for (std::size_t r = 0; r < close_reason_count; ++r)
        t.closed[k][r] += b->closed_count(static_cast<connection_kind>(k),
                                          static_cast<close_reason>(r));
  for (const auto& b : blocks) {
    for (std::size_t k = 0; k < connection_kind_count; ++k)
      t.opened[k] += b->opened_count(static_cast<connection_kind>(k));
    for (std::size_t r = 0; r < refusal_reason_count; ++r)
      t.refused[r] += b->refused_count(static_cast<refusal_reason>(r));
    for (std::size_t r = 0; r < publish_refusal_count; ++r)
      t.publishes_refused[r] += b->publish_refused_count(static_cast<publish_refusal>(r));
    t.publishes_accepted += b->publishes_accepted.value();
    t.deliveries += b->deliveries.value();
    t.bytes_written += b->bytes_written.value();
    t.slow_consumer_closes += b->slow_consumer_closes.value();
    t.lagged_notices += b->lagged_notices.value();
    b->queue_bytes.add_to(t.queue_bytes);
    b->publish_to_write.add_to(t.publish_to_write);
  }
  return t;
}

// a - b, or 0 when a scrape caught the cells mid-way.
int64_t difference(uint64_t a, uint64_t b) {
  return a > b ? static_cast<int64_t>(a - b) : 0;
}

void counter_family(exposition& out, std::string_view name, std::string_view help,
                    uint64_t value) {
  out.family(name, metric_type::counter, help);
  out.sample({}, value);
}

void connection_families(exposition& out, const io_totals& t) {
  const auto ws_opened = t.opened[static_cast<std::size_t>(websocket)];
  const auto http_opened = t.opened[static_cast<std::size_t>(http)];
  out.family("herald_connections_open", metric_type::gauge,
             "Client connections open now, by what they are now (an upgraded connection "
             "counts as websocket only).");
  // Every WebSocket began as an HTTP connection that its upgrade ended.
  out.sample({{"kind", "http"}}, difference(http_opened, t.closed_total(http) + ws_opened));
  out.sample({{"kind", "websocket"}}, difference(ws_opened, t.closed_total(websocket)));

  out.family("herald_connections_opened_total", metric_type::counter,
             "Connections let in: kind=http at accept, kind=websocket at the upgrade.");
  out.sample({{"kind", "http"}}, http_opened);
  out.sample({{"kind", "websocket"}}, ws_opened);

  out.family("herald_connections_closed_total", metric_type::counter,
             "Connections that ended, by kind and reason.");
  for (std::size_t k = 0; k < connection_kind_count; ++k)
    for (std::size_t r = 0; r < close_reason_count; ++r) {
      auto kind = static_cast<connection_kind>(k);
      auto reason = static_cast<close_reason>(r);
      if (applies(kind, reason) || t.closed[k][r] > 0)
        out.sample({{"kind", name_of(kind)}, {"reason", name_of(reason)}}, t.closed[k][r]);
    }

  out.family("herald_connections_refused_total", metric_type::counter,
             "Connections turned away at accept (connection limits) or at the WebSocket "
             "upgrade, by reason.");
  for (std::size_t r = 0; r < refusal_reason_count; ++r)
    out.sample({{"reason", name_of(static_cast<refusal_reason>(r))}}, t.refused[r]);
}

void traffic_families(exposition& out, const io_totals& t) {
  counter_family(out, "herald_publishes_accepted_total",
                 "Publishes answered 200: committed and on their way to subscribers.",
                 t.publishes_accepted);
  out.family("herald_publishes_refused_total", metric_type::counter,
             "Publishes answered with an error, by reason; nothing of them was stored.");
  for (std::size_t r = 0; r < publish_refusal_count; ++r)
    out.sample({{"reason", name_of(static_cast<publish_refusal>(r))}}, t.publishes_refused[r]);
  counter_family(out, "herald_deliveries_total",
                 "Messages queued for WebSocket subscribers (live and replayed).", t.deliveries);
  counter_family(out, "herald_websocket_written_bytes_total",
                 "Bytes written to WebSocket clients (frames, before TLS).", t.bytes_written);
  counter_family(out, "herald_slow_consumer_closes_total",
                 "WebSockets closed with 1008 because their write queue overflowed.",
                 t.slow_consumer_closes);
  counter_family(out, "herald_lagged_notices_total",
                 "Lagged notices sent to subscribers whose policy dropped messages.",
                 t.lagged_notices);
  out.family("herald_write_queue_bytes", metric_type::histogram,
             "Bytes queued for a WebSocket, observed at each socket write it makes.");
  out.histogram({}, t.queue_bytes);
  out.family("herald_publish_to_write_seconds", metric_type::histogram,
             "From a message's commit to its hand-over to the subscribers' writes, once per "
             "message per I/O thread with subscribers of its channel.");
  out.histogram({}, t.publish_to_write);
}

} // namespace

metrics_registry::metrics_registry(std::string version)
  : version_(std::move(version)),
    start_time_seconds_(std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count()) {
}

void metrics_registry::add(std::shared_ptr<const io_metrics> block) {
  std::lock_guard<std::mutex> guard{mutex_};
  io_.push_back(std::move(block));
}

void metrics_registry::add(std::shared_ptr<const storage_metrics> block) {
  std::lock_guard<std::mutex> guard{mutex_};
  storage_.push_back(std::move(block));
}

void metrics_registry::add(std::shared_ptr<const cache_metrics> block) {
  std::lock_guard<std::mutex> guard{mutex_};
  cache_.push_back(std::move(block));
}

void metrics_registry::add(std::shared_ptr<const cluster_metrics> block) {
  std::lock_guard<std::mutex> guard{mutex_};
  cluster_.push_back(std::move(block));
}

std::string metrics_registry::render() const {
  std::lock_guard<std::mutex> guard{mutex_};
  exposition out;
  out.family("herald_build_info", metric_type::gauge, "Always 1; the version as a label.");
  out.sample({{"version", version_}}, int64_t{1});
  out.family("herald_start_time_seconds", metric_type::gauge,
             "When this herald process started, in Unix seconds.");
  out.sample({}, start_time_seconds_);

  auto io = add_up(io_);
  connection_families(out, io);
  traffic_families(out, io);

  histogram_snapshot commit_seconds{layouts::seconds};
  histogram_snapshot batch_size{layouts::batch_size};
  uint64_t commit_failures = 0;
  for (const auto& s : storage_) {
    s->commit_seconds.add_to(commit_seconds);
    s->batch_size.add_to(batch_size);
    commit_failures += s->commit_failures.value();
  }
  out.family("herald_storage_commit_seconds", metric_type::histogram,
             "How long each storage commit took (one SQLite transaction, or one Redis round "
             "trip in cluster mode), failed ones included.");
  out.histogram({}, commit_seconds);
  out.family("herald_storage_commit_batch_size", metric_type::histogram,
             "Messages per storage commit (group commit).");
  out.histogram({}, batch_size);
  counter_family(out, "herald_storage_commit_failures_total",
                 "Storage commits that failed; their publishes were answered 503.",
                 commit_failures);

  uint64_t hits = 0;
  uint64_t misses = 0;
  for (const auto& c : cache_) {
    hits += c->hits.value();
    misses += c->misses.value();
  }
  counter_family(out, "herald_cache_hits_total",
                 "History requests (replays and GET history) the cache answered.", hits);
  counter_family(out, "herald_cache_misses_total",
                 "History requests the cache could not answer, passed on to storage.", misses);

  if (!cluster_.empty()) {
    int64_t up = 0;
    uint64_t catch_ups = 0;
    uint64_t caught_up = 0;
    for (const auto& c : cluster_) {
      up = std::max(up, c->redis_up.value());
      catch_ups += c->catch_ups.value();
      caught_up += c->caught_up_messages.value();
    }
    out.family("herald_redis_up", metric_type::gauge,
               "Cluster mode: 1 while this node reads the shared log from Redis, else 0.");
    out.sample({}, up);
    counter_family(out, "herald_cluster_catch_ups_total",
                   "Cluster mode: Redis outages after which this node caught up with the log.",
                   catch_ups);
    counter_family(out, "herald_cluster_caught_up_messages_total",
                   "Cluster mode: messages read from the log while catching up after an outage.",
                   caught_up);
  }
  return out.take();
}

} // namespace herald

// Wiring only: read the config, start logging, open storage (SQLite, or Redis
// in cluster mode), spawn the actors, listen, serve until SIGINT/SIGTERM
// (reloading the config on SIGHUP), then shut down in order.

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/broadcaster.hpp"
#include "actors/hub.hpp"
#include "actors/hub_actors.hpp"
#include "actors/ingest.hpp"
#include "actors/query.hpp"
#include "cluster/log_reader.hpp"
#include "cluster/node_id.hpp"
#include "cluster/redis_storage_actor.hpp"
#include "cluster/redis_store.hpp"
#include "config/cli.hpp"
#include "config/describe.hpp"
#include "config/logging.hpp"
#include "config/reload.hpp"
#include "metrics/registry.hpp"
#include "net/server.hpp"
#include "storage/cache_actor.hpp"
#include "storage/retention.hpp"
#include "storage/sqlite_db.hpp"
#include "storage/storage_actor.hpp"

namespace {

// Exit codes: 2 for a bad command line or config, 1 for a broken environment
// (port in use, unwritable database, unopenable log file).
constexpr int exit_bad_config = 2;
constexpr int exit_environment = 1;

// Cluster mode only: the actors a single node does not have.
struct cluster_actors {
  herald::cluster_storage_actor storage; // also hub_actors::storage
  herald::log_reader_actor log_reader;
  // Answers every history query with a miss, so that the query actor reads
  // HTTP history from Redis: the node's own cache follows the log and may
  // trail a publish that was acknowledged a moment ago.
  herald::cache_actor history_cache;
};

void stop_actors(const herald::hub_actors& a, const cluster_actors& c) {
  auto reason = caf::exit_reason::user_shutdown;
  caf::anon_send_exit(a.ingest, reason);
  caf::anon_send_exit(a.query, reason);
  caf::anon_send_exit(a.storage, reason);
  caf::anon_send_exit(a.cache, reason);
  caf::anon_send_exit(a.broadcaster, reason);
  if (c.log_reader)
    caf::anon_send_exit(c.log_reader, reason);
  if (c.history_cache)
    caf::anon_send_exit(c.history_cache, reason);
}

herald::redis_store_options store_options(const herald::config& cfg) {
  herald::redis_store_options opts;
  opts.url = *cfg.redis;
  opts.key_prefix = cfg.key_prefix;
  opts.log_length = cfg.log_length;
  return opts;
}

// Where the shared log ends, asked before the listener opens, so that the
// log reader delivers everything published once subscribers can connect.
// Unset when Redis does not answer: the reader then finds it out itself.
std::optional<uint64_t> log_end(caf::actor_system& sys, const herald::storage_actor& storage) {
  std::optional<uint64_t> end;
  caf::scoped_actor self{sys};
  self->request(storage, std::chrono::seconds(10), herald::last_id_atom_v)
    .receive([&](uint64_t id) { end = id; },
             [](caf::error& err) {
               spdlog::warn("cluster mode: redis does not answer yet ({}); serving anyway: "
                            "publishes get 503 until it does",
                            caf::to_string(err));
             });
  return end;
}

// Spawns the Redis storage and the log reader, each with a connection of its
// own (both block in hiredis, so both get a thread of their own).
cluster_actors spawn_cluster(caf::actor_system& sys, const herald::config& cfg,
                             herald::hub_actors& actors, herald::metrics_registry& metrics) {
  cluster_actors c;
  auto storage_metrics = std::make_shared<herald::storage_metrics>();
  metrics.add(storage_metrics);
  c.storage = sys.spawn<caf::detached>(
    herald::redis_storage_behavior, std::make_shared<herald::redis_store>(store_options(cfg)),
    actors.broadcaster, cfg.max_channels, cfg.report_interval, storage_metrics);
  actors.storage = c.storage;
  herald::log_reader_options reader;
  reader.start_after = log_end(sys, actors.storage);
  reader.metrics = std::make_shared<herald::cluster_metrics>();
  metrics.add(reader.metrics);
  c.log_reader = sys.spawn<caf::detached>(
    herald::log_reader_behavior, std::make_shared<herald::redis_store>(store_options(cfg)),
    actors.cache, actors.broadcaster, reader);
  // Its misses are by design: it is left out of /metrics.
  c.history_cache = sys.spawn(herald::cache_behavior, herald::broadcaster_actor{}, std::size_t{0},
                              std::shared_ptr<herald::cache_metrics>{});
  return c;
}

// A replay goes out in bursts of half the write queue, leaving room for the
// live messages that arrive meanwhile.
std::size_t replay_budget(const herald::config& cfg) {
  return cfg.write_queue_limit / 2;
}

// SIGHUP, on the server's reload thread: the same command line read again
// (file and flags), checked as at start, then applied to whatever takes it
// without a restart.
void reload_config(const std::vector<std::string>& args, herald::server& server, herald::hub& hub,
                   const herald::storage_actor& storage) {
  herald::config loaded;
  auto cli = herald::parse_command_line(args, loaded);
  if (cli.what != herald::cli_result::action::run) {
    spdlog::error("config reload refused: {}; keeping the running config", cli.text);
    return;
  }
  auto running = server.current_config();
  auto plan = herald::plan_reload(*running, loaded);
  if (!plan.restart.empty())
    spdlog::warn("changed, takes effect after a restart: {}", herald::join_names(plan.restart));
  auto source = cli.config_path.empty() ? std::string{"(built-in defaults)"} : cli.config_path;
  if (plan.applied.empty()) {
    spdlog::info("config reloaded from {}: nothing to apply", source);
    return;
  }
  auto next = std::make_shared<const herald::config>(std::move(plan.next));
  herald::update_logging(*next);
  if (next->max_channels != running->max_channels)
    caf::anon_send(storage, herald::configure_atom_v, uint64_t{next->max_channels});
  hub.set_replay_budget(replay_budget(*next));
  server.apply_config(next);
  spdlog::info("config reloaded from {}: applied {}", source, herald::join_names(plan.applied));
}

// [storage] retention and max_messages_per_channel, as SQLite storage takes
// them (cluster mode has no retention).
herald::retention_policy retention_of(const herald::config& cfg) {
  herald::retention_policy policy;
  if (!cfg.redis) {
    policy.max_age = cfg.retention;
    policy.max_per_channel = cfg.max_messages_per_channel;
  }
  return policy;
}

// Storage answers this after every append it received before it: once it
// answers, everything acknowledged or in flight is committed.
void flush_storage(caf::actor_system& sys, const herald::storage_actor& storage) {
  caf::scoped_actor self{sys};
  self->request(storage, std::chrono::seconds(30), caf::flush_atom::value)
    .receive([](caf::ok_atom) { spdlog::info("storage flushed"); },
             [](caf::error& err) {
               spdlog::error("storage flush failed: {}", caf::to_string(err));
             });
}

} // namespace

int main(int argc, char** argv) {
  // A file size limit (ulimit -f) reached by the database is a full disk
  // to SQLite, answered with 503, not a reason to kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  // SIGHUP reloads the config once the server serves; one that arrives
  // during start-up must not end the process (its default action).
  std::signal(SIGHUP, SIG_IGN);
  // Kept for SIGHUP, which reads the config again with the same flags.
  const std::vector<std::string> args(argv, argv + argc);
  herald::config cfg;
  auto cli = herald::parse_command_line(args, cfg);
  using action = herald::cli_result::action;
  switch (cli.what) {
    case action::help:
    case action::version:
    case action::check:
      std::fputs(cli.text.c_str(), stdout);
      return 0;
    case action::fail:
      std::fprintf(stderr, "herald: %s\n", cli.text.c_str());
      return exit_bad_config;
    case action::run:
      break;
  }
  std::string error;
  if (!herald::setup_logging(cfg, error)) {
    std::fprintf(stderr, "herald: %s\n", error.c_str());
    return exit_environment;
  }
  spdlog::info("herald {} starting; config {}", HERALD_VERSION,
               cli.config_path.empty() ? "(built-in defaults)" : cli.config_path);
  spdlog::info("effective config:\n{}", herald::describe_config(cfg));

  // In cluster mode Redis holds the messages: the SQLite file is not opened.
  std::unique_ptr<herald::sqlite_db> db;
  if (!cfg.redis) {
    db = herald::sqlite_db::open(cfg.db_path, cfg.synchronous, error);
    if (!db) {
      spdlog::critical("{}", error);
      return exit_environment;
    }
  }

  caf::actor_system_config sys_cfg;
  sys_cfg.set("scheduler.max-threads", static_cast<size_t>(cfg.actor_threads));
  // Work sharing: idle actor threads sleep on a condition variable. The
  // default work stealing polls (spinning, then short sleeps), which takes
  // the CPU from the I/O threads exactly when messages trickle in.
  sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  caf::actor_system sys{sys_cfg};

  // Every block the actors and the I/O threads count in; GET /metrics reads them.
  auto metrics = std::make_shared<herald::metrics_registry>(HERALD_VERSION);
  auto cache_metrics = std::make_shared<herald::cache_metrics>();
  metrics->add(cache_metrics);

  auto actors = std::make_shared<herald::hub_actors>();
  actors->broadcaster = sys.spawn(herald::broadcaster_behavior);
  const auto retention = retention_of(cfg);
  actors->cache = sys.spawn(herald::cache_behavior, actors->broadcaster,
                            herald::cache_capacity(cfg.cache_per_channel,
                                                   retention.max_per_channel),
                            cache_metrics);
  cluster_actors cluster;
  if (cfg.redis) {
    if (cfg.retention.count() > 0 || cfg.max_messages_per_channel > 0)
      spdlog::warn("cluster mode: [storage] retention and max_messages_per_channel do not "
                   "apply; herald removes nothing from redis");
    cluster = spawn_cluster(sys, cfg, *actors, *metrics);
  } else {
    // SQLite blocks: storage gets a thread of its own, never a scheduler thread.
    auto storage_metrics = std::make_shared<herald::storage_metrics>();
    metrics->add(storage_metrics);
    actors->storage = sys.spawn<caf::detached>(
      herald::storage_behavior, std::shared_ptr<herald::sqlite_db>(std::move(db)), actors->cache,
      cfg.max_channels, storage_metrics, retention);
  }
  actors->ingest = sys.spawn(herald::ingest_behavior, actors->storage);
  actors->query = sys.spawn(herald::query_behavior, actors->broadcaster,
                            cluster.history_cache ? cluster.history_cache : actors->cache,
                            actors->storage);

  int code = 0;
  {
    herald::hub hub{sys, actors, replay_budget(cfg)};
    herald::server server{std::make_shared<const herald::config>(cfg), hub};
    server.attach_metrics(metrics);
    server.on_reload([&args, &server, &hub, storage = actors->storage] {
      reload_config(args, server, hub, storage);
    });
    if (!server.listen(error)) {
      spdlog::critical("{}", error);
      code = exit_environment;
    } else {
      bool tls = !cfg.tls_cert.empty();
      spdlog::info("listening on {}://{}:{}", tls ? "https" : "http", cfg.listen_address,
                   server.port());
      if (server.plain_port() != 0)
        spdlog::info("plain listener on http://{}:{} (loopback only)", cfg.plain_listen_address,
                     server.plain_port());
      if (cfg.redis) {
        // The default node id has the port in it, known only now.
        auto node = herald::node_id_for(cfg.node_id, cfg.listen_address, server.port());
        spdlog::info("cluster mode: redis {}, node {}", herald::to_display_string(*cfg.redis),
                     node);
        caf::anon_send(cluster.storage, herald::report_atom_v, node);
      }
      server.run(); // returns after a graceful shutdown
      flush_storage(sys, actors->storage);
    }
    // The server (and its stopped io_context) outlives every actor: a session
    // left over after shutdown_timeout may still post to its connection.
    stop_actors(*actors, cluster);
    sys.await_all_actors_done();
  }
  spdlog::info("herald stopped");
  return code;
}

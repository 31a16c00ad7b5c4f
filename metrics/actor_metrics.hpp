#pragma once

// The metrics the actors count, one block per reporting actor. Each block is
// written by its actor alone (an actor runs on one thread at a time, and
// CAF orders its runs), made by app/main.cpp and listed in the registry.

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"
#include "metrics/layouts.hpp"

namespace herald {

/// The storage actor's, SQLite's or Redis' alike.
struct storage_metrics {
  // How long each commit (one transaction, or one Redis round trip) took,
  // failed ones included, and how many messages it carried.
  metrics::histogram commit_seconds{layouts::seconds};
  metrics::histogram batch_size{layouts::batch_size};
  metrics::counter commit_failures;
};

/// The cache actor's history answers: from memory, or a miss (storage asked).
struct cache_metrics {
  metrics::counter hits;
  metrics::counter misses;
};

/// Cluster mode: the log reader's view of Redis.
struct cluster_metrics {
  metrics::gauge redis_up;                 // 1 while reads of the shared log succeed
  metrics::counter catch_ups;              // outages this node caught up after
  metrics::counter caught_up_messages;     // messages read while catching up
};

} // namespace herald

#pragma once

// Storage in cluster mode: the storage contract of actors/interfaces.hpp over
// a redis_store. Appends that arrive together go to Redis as one
// redis_store::append (one round trip for the whole group, like the SQLite
// storage's group commit); each request is answered once Redis has stored
// it, or with errc::storage_failure when Redis could not (HTTP 503).
//
// Unlike the SQLite storage it does not hand committed frames to the cache:
// every node, this one included, receives each message from the shared log
// (cluster/log_reader.hpp), so every node delivers the same ids in the same
// order and none is ahead of the others.
//
// It answers ready_atom (GET /readyz) with a PING: ready while Redis answers.
//
// Every report_interval it asks the broadcaster for this node's subscriber
// counts and stores them in Redis, valid for three intervals. The channel
// list it answers holds the other nodes' counts; the query actor adds this
// node's live ones (merge_channels), so the sum is never a report behind for
// the node that answers.
//
// hiredis blocks: production spawns this actor caf::detached.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "metrics/actor_metrics.hpp"
#include "storage/pending_append.hpp"
#include "cluster/redis_store.hpp"

namespace herald {

struct redis_storage_state {
  std::shared_ptr<redis_store> store;
  broadcaster_actor broadcaster;
  std::size_t max_channels = 0; // counted over the whole cluster; 0: no limit
  std::chrono::milliseconds report_interval{1000};
  std::vector<pending_append> pending;
  bool commit_scheduled = false;

  // Empty until main has told us (report_atom, id); no report before that.
  std::string node_id;
  bool reporting = false;
  // This node's counts as Redis holds them (the last report it accepted).
  std::unordered_map<std::string, uint64_t> reported;
  // Whether Redis' persistence settings have been checked (and, if weak,
  // warned about) yet; retried with each report until Redis answers.
  bool persistence_checked = false;
  // The last append's outcome, so that an outage is logged when it begins
  // and when it ends, not once per publish.
  bool appends_failing = false;

  // Observability (and what the tests check).
  uint64_t commits = 0;
  uint64_t failed_commits = 0;
  std::size_t last_batch_size = 0;
  uint64_t reports = 0;
  // Round trips of appends and their sizes, for /metrics (written here only).
  std::shared_ptr<storage_metrics> metrics;

  static const char* name;
};

cluster_storage_actor::behavior_type
redis_storage_behavior(cluster_storage_actor::stateful_pointer<redis_storage_state> self,
                       std::shared_ptr<redis_store> store, broadcaster_actor broadcaster,
                       std::size_t max_channels, std::chrono::milliseconds report_interval,
                       std::shared_ptr<storage_metrics> metrics);

} // namespace herald

#pragma once

// The storage actor: the only owner of the SQLite connection. Appends that
// arrive together are committed in one transaction (group commit); each is
// answered with its frame only once that transaction has committed, and the
// committed frames go to the cache, in id order, before anyone is answered.
//
// A draft that would create one channel more than max_channels allows is
// refused (errc::channel_limit) before the transaction, alone: the rest of
// its batch is stored as usual.
//
// Retention (storage/retention.hpp) removes expired and excess messages in
// small steps between the appends; the cache hears of each removal, so it
// stops serving what is gone.
//
// SQLite blocks, so production spawns this actor `caf::detached` (its own
// thread); tests spawn it on the deterministic test scheduler.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "metrics/actor_metrics.hpp"
#include "storage/pending_append.hpp"
#include "storage/retention.hpp"
#include "storage/sqlite_db.hpp"

namespace herald {

struct storage_state {
  std::shared_ptr<sqlite_db> db;
  cache_actor cache;
  // Appends received since the last commit, in arrival order.
  std::vector<pending_append> pending;
  // True while a commit_atom to ourselves is in the mailbox.
  bool commit_scheduled = false;
  // [limits] max_channels; 0: no limit. The channels counted against it are
  // the database's own (sqlite_db::channel_count), so a restart counts the
  // ones already stored.
  std::size_t max_channels = 0;

  // Observability (and what the tests check).
  uint64_t commits = 0;        // successful transactions
  uint64_t failed_commits = 0; // transactions rolled back
  std::size_t last_batch_size = 0;
  uint64_t refused = 0;        // drafts refused at the channel limit

  // Retention: what it may keep, and what it did.
  retention_policy retention;
  uint64_t removed = 0;        // messages removed since start
  uint64_t prune_steps = 0;    // steps run (one or two transactions each)
  uint64_t failed_prunes = 0;  // steps that SQLite refused
  bool prune_failing = false;  // the last step failed (logged once per outage)
  uint64_t unreported = 0;     // removed since the last log line
  caf::actor_clock::time_point last_report{};

  // Commit latency and batch sizes for /metrics (written here only).
  std::shared_ptr<storage_metrics> metrics;
  // Readiness (ready_atom): when a write last reached the file or failed to,
  // and why it failed (empty: it did not). A commit counts as such a write,
  // so a busy server answers without writing anything extra.
  std::chrono::steady_clock::time_point ready_checked{};
  std::string not_ready;

  static const char* name;
};

/// `metrics`: the block /metrics reads; null gives the actor one of its own
/// that nobody reads. `retention`: what to remove, if anything.
storage_actor::behavior_type
storage_behavior(storage_actor::stateful_pointer<storage_state> self,
                 std::shared_ptr<sqlite_db> db, cache_actor cache, std::size_t max_channels,
                 std::shared_ptr<storage_metrics> metrics, retention_policy retention);

} // namespace herald

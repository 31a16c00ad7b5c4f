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
// SQLite blocks, so production spawns this actor `caf::detached` (its own
// thread); tests spawn it on the deterministic test scheduler.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/interfaces.hpp"
#include "storage/pending_append.hpp"
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

  static const char* name;
};

storage_actor::behavior_type
storage_behavior(storage_actor::stateful_pointer<storage_state> self,
                 std::shared_ptr<sqlite_db> db, cache_actor cache, std::size_t max_channels);

} // namespace herald

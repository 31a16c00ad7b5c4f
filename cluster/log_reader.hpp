#pragma once

// The log reader (cluster mode): follows the shared log in Redis and hands
// every message, in log order, to the cache, which passes it on to the
// broadcaster. Every node runs one and every message reaches every node this
// way, the publishing node's own included, so all nodes deliver the same ids
// in the same order. There is no per-delivery round trip: one blocking read
// brings up to read_count messages.
//
// It reads from `after`, the last id it handed on. When Redis cannot be
// reached it retries with a growing backoff, and the next read continues
// from `after`: subscribers stay connected and see no gap once Redis is back.
// When the log was trimmed past `after` (the node fell more than log_length
// messages behind) it cannot fill the gap itself: it closes every WebSocket
// with 1012, so that clients resume with ?since= from the channel streams,
// and the cache forgets what it holds, then it goes on from the oldest entry
// still in the log.
//
// It blocks in Redis for up to poll_block per read: production spawns it
// caf::detached, with a redis_store (a connection) of its own. A poll is one
// message, so an exit is handled between two reads.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "cluster/redis_store.hpp"
#include "metrics/actor_metrics.hpp"

namespace herald {

struct log_reader_options {
  // Longest wait in one read for a message to arrive; also the longest an
  // exit waits for the read in progress.
  std::chrono::milliseconds poll_block{500};
  // Most messages one read brings (one batch for the cache and broadcaster).
  std::size_t read_count = 1000;
  // Retry delays while Redis cannot be reached: doubling from min to max.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
  // After a gap, how long the messages read next wait before delivery: the
  // sessions get this long to send their 1012 close first, so that no client
  // sees a message from after the gap (it would resume past the gap).
  std::chrono::milliseconds gap_hold{500};
  // Where to start: after this id. Unset: where the log ends when the reader
  // first reaches Redis. main passes the end it saw before listening, so a
  // subscriber of the first moments misses nothing published after it came.
  std::optional<uint64_t> start_after;
  // The block /metrics reads (link state, catch-ups); null: one of its own.
  std::shared_ptr<cluster_metrics> metrics;
};

/// The close a gap in the log gives every WebSocket of the node.
constexpr uint16_t log_gap_close_code = 1012; // service restart: reconnect
constexpr const char* log_gap_close_reason = "cluster log trimmed; reconnect with since";

struct log_reader_state {
  std::shared_ptr<redis_store> store;
  cache_actor cache;
  broadcaster_actor broadcaster;
  log_reader_options opts;

  // The last id handed on; unset until Redis has told us where the log
  // ends (the reader starts there: earlier messages are history).
  std::optional<uint64_t> after;
  // Messages read right after a gap, delivered once gap_hold has passed.
  frame_list held;

  // Link state, so that an outage is logged once when it begins and once
  // when this node has caught up after it.
  bool link_down = false;
  bool catching_up = false;
  std::chrono::steady_clock::time_point down_since;
  uint64_t caught_up = 0; // messages read since the link came back
  std::chrono::milliseconds backoff{0};

  // Observability (and what the tests check).
  uint64_t delivered = 0;
  uint64_t gaps = 0;

  static const char* name;
};

log_reader_actor::behavior_type
log_reader_behavior(log_reader_actor::stateful_pointer<log_reader_state> self,
                    std::shared_ptr<redis_store> store, cache_actor cache,
                    broadcaster_actor broadcaster, log_reader_options opts = {});

} // namespace herald

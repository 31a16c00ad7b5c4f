#pragma once

// The cache actor: the last N committed frames of each channel, so recovery
// (`?since=`) and history rarely touch SQLite. It sits between storage and
// the broadcaster: every committed frame passes through it, in id order.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/interfaces.hpp"
#include "metrics/actor_metrics.hpp"

namespace herald {

struct cache_state {
  broadcaster_actor downstream;
  std::size_t per_channel = 0;
  // Per channel, its newest frames in ascending id order, at most per_channel.
  std::unordered_map<std::string, std::deque<frame>> channels;
  // History requests answered and missed, for /metrics (written here only).
  std::shared_ptr<cache_metrics> metrics;

  static const char* name;
};

/// Keeps the last `per_channel` frames per channel (0 keeps none: every
/// history query misses) and forwards each committed frame to `downstream`.
/// `metrics`: the block /metrics reads; null gives the actor one of its own.
cache_actor::behavior_type cache_behavior(cache_actor::stateful_pointer<cache_state> self,
                                          broadcaster_actor downstream,
                                          std::size_t per_channel,
                                          std::shared_ptr<cache_metrics> metrics);

} // namespace herald

#pragma once

// The query actor: answers the read-only HTTP queries. History comes from the
// cache when it can and from storage otherwise; the channel list merges the
// broadcaster's subscriber counts with storage's per-channel totals.

#include <cstdint>

#include <caf/stateful_actor.hpp>

#include "actors/interfaces.hpp"

namespace herald {

struct query_state {
  broadcaster_actor broadcaster_;
  cache_actor cache_;
  storage_actor storage_;
  uint64_t cache_hits_ = 0;
  uint64_t cache_misses_ = 0;

  static inline const char* name = "herald.query";
};

/// Every channel that has subscribers or stored messages, sorted by name.
/// A channel's subscribers are those storage reports (other nodes', in
/// cluster mode) plus this node's.
channel_infos merge_channels(const subscriber_counts& subs, const channel_infos& stored);

query_actor::behavior_type query_behavior(query_actor::stateful_pointer<query_state> self,
                                          broadcaster_actor broadcaster, cache_actor cache,
                                          storage_actor storage);

} // namespace herald

#pragma once

// The ingest actor: takes validated publishes from the HTTP side and asks
// storage to append them. The answer goes back through the responder only
// once storage has committed, so a 200 always means "stored".

#include <cstdint>

#include <caf/stateful_actor.hpp>

#include "actors/interfaces.hpp"

namespace herald {

struct ingest_state {
  storage_actor storage_;
  uint64_t accepted_ = 0; // publishes that storage committed
  uint64_t failed_ = 0;   // publishes answered with 503
  uint64_t refused_ = 0;  // publishes answered with 429: the channel limit

  static inline const char* name = "herald.ingest";
};

ingest_actor::behavior_type
ingest_behavior(ingest_actor::stateful_pointer<ingest_state> self, storage_actor storage);

} // namespace herald

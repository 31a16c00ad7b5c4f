#pragma once

// One retention step of the storage actor (its prune_atom): removes at most
// batch_rows expired or excess messages, tells the cache, logs, and sends
// the next step, at once after a full batch, else after the interval.

#include "storage/storage_actor.hpp"

namespace herald {

void retention_step(storage_actor::stateful_pointer<storage_state> self);

} // namespace herald

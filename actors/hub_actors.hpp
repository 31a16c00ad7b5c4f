#pragma once

#include "actors/interfaces.hpp"

namespace herald {

/// The long-lived actors, wired by app/main.cpp and used through herald::hub.
struct hub_actors {
  broadcaster_actor broadcaster;
  cache_actor cache;
  storage_actor storage;
  ingest_actor ingest;
  query_actor query;
};

} // namespace herald

#pragma once

// [storage] retention and max_messages_per_channel as the storage actor
// applies them: what may be kept, how much one step removes, and how often
// it looks. Retention never stalls publishes: each step is one short
// transaction of at most batch_rows removals, and the next step is a message
// to itself, behind the appends already waiting.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace herald {

struct retention_policy {
  std::chrono::milliseconds max_age{0}; // 0: keep forever
  std::size_t max_per_channel = 0;      // 0: no limit
  // Rows one step removes at most: a few milliseconds of SQLite work, so a
  // publish that arrives meanwhile waits no longer than a group commit does.
  std::size_t batch_rows = 500;
  // The wall clock messages are stamped with (Unix ms); tests set their own.
  std::function<int64_t()> now_ms;

  /// Whether there is anything to remove at all.
  bool enabled() const { return max_age.count() > 0 || max_per_channel > 0; }

  /// The wait between steps when the last one found less than a full
  /// batch: a second, or a tenth of max_age when that is shorter, so that
  /// nothing outlives max_age by more than about a tenth.
  std::chrono::milliseconds interval() const;

  /// Messages stamped before this (Unix ms) are expired.
  int64_t cutoff_ms() const;
};

/// Messages the cache keeps per channel: never more than storage keeps, so
/// that the cache cannot serve what max_messages_per_channel removed.
std::size_t cache_capacity(std::size_t cache_per_channel, std::size_t max_per_channel);

} // namespace herald

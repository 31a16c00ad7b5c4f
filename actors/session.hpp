#pragma once

// The session actor: one per WebSocket connection. With `since`, it replays
// the stored messages with id > since to the connection, page by page and
// paced by the connection's queue, then says the replay is done. Live
// messages never pass through it: the connection registered for them on its
// I/O thread before the session started, holds them back during the replay
// and sends those with ids above the replay's last once it is done, so the
// client sees every message of its channel once, in id order. The session
// is also the connection's entry in the broadcaster's subscriber counts.
//
// When retention removed messages the client asked for, the replay starts
// (or goes on) with {"type":"gap","resume_from":R} in their place
// (actors/history_gap.hpp).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/interfaces.hpp"

namespace herald {

/// Messages asked per history request during a replay; a full page means
/// there may be more.
constexpr uint32_t replay_page_size = 1000;

struct session_state {
  enum class phase : uint8_t {
    replaying, // history requests in flight or pages waiting to go out
    live,      // nothing to replay (any more); the session only waits
  };

  sink_ptr sink_; // released on quit: it keeps the connection alive
  std::string channel_;
  broadcaster_actor broadcaster_;
  cache_actor cache_;
  storage_actor storage_;
  phase phase_ = phase::live;
  // The highest id handed to the connection (or `since`): the next page
  // starts after it.
  uint64_t last_sent_ = 0;
  // Replayed frames not yet handed to the connection: a replay goes out in
  // bursts of at most replay_budget_ bytes, each after the connection said
  // its queue has room, so a backlog larger than the write queue limit
  // reaches a reading client instead of closing it as a slow consumer.
  std::deque<frame> pending_;
  std::size_t replay_budget_ = 0;
  std::size_t burst_bytes_ = 0;
  bool more_history_ = false;  // the last page was full: ask for the next
  bool waiting_drain_ = false; // a burst is out; waiting for drained_atom
  uint64_t frames_sent_ = 0;   // replayed messages and gap notices
  uint64_t gaps_sent_ = 0;     // {"type":"gap"} notices among them

  /// Whether `f` goes to the connection (it was not sent already); if so,
  /// it counts as sent.
  bool take(const frame& f);

  static inline const char* name = "herald.session";
};

using session_pointer = session_actor::stateful_pointer<session_state>;

session_actor::behavior_type session_behavior(session_pointer self, sink_ptr sink,
                                              std::string channel,
                                              std::optional<uint64_t> since,
                                              broadcaster_actor broadcaster,
                                              cache_actor cache, storage_actor storage,
                                              std::size_t replay_budget);

} // namespace herald

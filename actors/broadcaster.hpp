#pragma once

// The broadcaster: the one point every committed message passes, in id
// order. It gathers the messages waiting in its mailbox into one batch and
// hands that batch to each fan-out target (one per server; it reaches every
// I/O thread, which writes to its own connections), so the cost of an actor
// message is paid per batch, never per subscriber. It also knows which
// sessions listen to which channel, for the counts of GET /api/channels and
// for shutdown; it monitors each session, so a session that dies is
// forgotten without anyone telling it.

#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/interfaces.hpp"

namespace herald {

struct broadcaster_state {
  // Subscribers per channel, in join order. A channel without subscribers
  // is erased, so the map only holds channels someone listens to.
  std::unordered_map<std::string, std::vector<session_actor>> channels_;
  // Reverse index for leave and down: which channel a session joined.
  std::unordered_map<caf::actor_addr, std::string> joined_;
  // Where batches go, and the batch being gathered.
  std::vector<fanout_ptr> targets_;
  frame_list pending_;

  /// Subscribes `s` to `channel`; a session joins one channel at a time, so
  /// a second join moves it.
  void add(const std::string& channel, const session_actor& s);

  /// Forgets the session at `addr`; returns false if it was unknown.
  bool remove(const caf::actor_addr& addr);

  /// Number of sessions subscribed to `channel`.
  size_t count(const std::string& channel) const;

  static inline const char* name = "herald.broadcaster";
};

broadcaster_actor::behavior_type
broadcaster_behavior(broadcaster_actor::stateful_pointer<broadcaster_state> self);

} // namespace herald

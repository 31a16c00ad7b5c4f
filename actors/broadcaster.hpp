#pragma once

// The broadcaster: which sessions listen to which channel. It routes every
// committed message to the sessions of its channel. It monitors each session,
// so a session that dies is forgotten without anyone telling it.

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

#include "actors/broadcaster.hpp"

#include <algorithm>
#include <memory>

#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace herald {

void broadcaster_state::add(const std::string& channel, const session_actor& s) {
  auto addr = s.address();
  auto known = joined_.find(addr);
  if (known != joined_.end()) {
    if (known->second == channel)
      return; // joining twice is harmless
    remove(addr);
  }
  channels_[channel].push_back(s);
  joined_.emplace(std::move(addr), channel);
}

bool broadcaster_state::remove(const caf::actor_addr& addr) {
  auto known = joined_.find(addr);
  if (known == joined_.end())
    return false;
  auto ch = channels_.find(known->second);
  if (ch != channels_.end()) {
    auto& subs = ch->second;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const session_actor& s) { return s.address() == addr; }),
               subs.end());
    if (subs.empty())
      channels_.erase(ch);
  }
  joined_.erase(known);
  return true;
}

size_t broadcaster_state::count(const std::string& channel) const {
  auto ch = channels_.find(channel);
  return ch == channels_.end() ? 0 : ch->second.size();
}

namespace {

// Adds `f` to the batch being gathered. The flush sent with the first one
// queues behind every message already in the mailbox, so a burst of commits
// leaves as one batch.
void gather(broadcaster_actor::stateful_pointer<broadcaster_state> self, const frame& f) {
  if (!f)
    return;
  auto& st = self->state;
  if (st.pending_.empty())
    self->send(self, caf::flush_atom_v);
  st.pending_.push_back(f);
}

} // namespace

broadcaster_actor::behavior_type
broadcaster_behavior(broadcaster_actor::stateful_pointer<broadcaster_state> self) {
  // A session that quits without leaving (crash, or it ended on its own after
  // a failed replay) must not keep receiving messages nor keep a count.
  self->set_down_handler([self](caf::down_msg& dm) {
    if (self->state.remove(dm.source))
      spdlog::debug("broadcaster: session down, forgotten");
  });
  // At shutdown the sessions go with the broadcaster: a session whose
  // connection never ended would otherwise keep the actor system (and the
  // connection it holds) alive forever.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [channel, sessions] : self->state.channels_)
      for (auto& s : sessions)
        self->send_exit(s, msg.reason);
    self->quit(msg.reason);
  });
  return {
    [self](committed_atom, const frame& f) { gather(self, f); },
    [self](committed_atom, const frame_list& frames) {
      for (auto& f : frames)
        gather(self, f);
    },
    [self](caf::flush_atom) {
      auto& st = self->state;
      if (st.pending_.empty())
        return;
      auto batch = std::make_shared<const frame_list>(std::move(st.pending_));
      st.pending_ = {};
      for (auto& t : st.targets_)
        t->deliver(batch);
    },
    [self](attach_atom, const fanout_ptr& target) {
      if (target)
        self->state.targets_.push_back(target);
    },
    [self](caf::join_atom, const std::string& channel, const session_actor& s) {
      if (s) {
        self->state.add(channel, s);
        self->monitor(s);
      }
      return caf::ok_atom_v;
    },
    [self](caf::leave_atom, const std::string&, const session_actor& s) {
      if (s && self->state.remove(s.address()))
        self->demonitor(s.address());
    },
    [self](channels_atom) {
      subscriber_counts counts;
      counts.reserve(self->state.channels_.size());
      for (auto& [name, subs] : self->state.channels_)
        counts.emplace_back(name, subs.size());
      std::sort(counts.begin(), counts.end());
      return counts;
    },
    [self](caf::close_atom, uint16_t code, const std::string& reason) {
      for (auto& [name, subs] : self->state.channels_)
        for (auto& s : subs)
          self->send(s, caf::close_atom_v, code, reason);
    },
  };
}

} // namespace herald

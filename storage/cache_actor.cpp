#include "storage/cache_actor.hpp"

#include <utility>

namespace herald {

const char* cache_state::name = "herald.cache";

namespace {

void remember(cache_state& st, const frame& f) {
  if (st.per_channel == 0)
    return;
  auto& q = st.channels[f->channel];
  // Storage sends in id order; anything else would break the prev_id chain
  // that history answers rely on, so it is not cached.
  if (q.empty() || q.back()->id < f->id) {
    q.push_back(f);
    while (q.size() > st.per_channel)
      q.pop_front();
  }
}

// Retention removed the channel's messages up to `through`; they must not be
// served any more. What stays is still every message after the oldest one's
// prev_id, so the rule in the history handler holds as before.
void forget_through(cache_state& st, const std::string& channel, uint64_t through) {
  auto i = st.channels.find(channel);
  if (i == st.channels.end())
    return;
  auto& q = i->second;
  while (!q.empty() && q.front()->id <= through)
    q.pop_front();
  if (q.empty())
    st.channels.erase(i);
}

} // namespace

cache_actor::behavior_type cache_behavior(cache_actor::stateful_pointer<cache_state> self,
                                          broadcaster_actor downstream,
                                          std::size_t per_channel,
                                          std::shared_ptr<cache_metrics> metrics) {
  self->state.metrics = metrics ? std::move(metrics) : std::make_shared<cache_metrics>();
  self->state.downstream = std::move(downstream);
  self->state.per_channel = per_channel;
  return {
    [=](committed_atom, frame& f) {
      if (f == nullptr)
        return;
      remember(self->state, f);
      self->send(self->state.downstream, committed_atom_v, std::move(f));
    },
    [=](committed_atom, frame_list& frames) {
      for (auto& f : frames)
        if (f)
          remember(self->state, f);
      self->send(self->state.downstream, committed_atom_v, std::move(frames));
    },
    [=](caf::reset_atom) { self->state.channels.clear(); },
    [=](prune_atom, const std::string& channel, uint64_t through) {
      forget_through(self->state, channel, through);
    },
    [=](history_atom, const std::string& channel, uint64_t since,
        uint32_t limit) -> caf::result<frame_list> {
      auto& st = self->state;
      auto i = st.channels.find(channel);
      // prev_id links each message to the previous one of its channel. If
      // `since` is at or after the oldest cached frame's predecessor, every
      // message with id > since is one of the cached frames.
      if (i == st.channels.end() || i->second.empty() || since < i->second.front()->prev_id) {
        st.metrics->misses.add();
        return caf::make_error(errc::cache_miss);
      }
      st.metrics->hits.add();
      frame_list result;
      for (const auto& f : i->second) {
        if (result.size() >= limit)
          break;
        if (f->id > since)
          result.push_back(f);
      }
      return result;
    },
  };
}

} // namespace herald

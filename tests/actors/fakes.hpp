#pragma once

// Test doubles for the actor suites: frames, a recording connection sink, a
// recording session, and stand-ins for the cache and storage actors that
// speak their typed interfaces. Everything runs on the deterministic test
// scheduler, on the test thread.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/history_gap.hpp"
#include "actors/interfaces.hpp"
#include "actors/messages.hpp"

namespace herald::testing {

inline frame make_frame(uint64_t id, std::string channel) {
  auto f = std::make_shared<frame_data>();
  f->id = id;
  f->channel = std::move(channel);
  f->json = "{\"id\":" + std::to_string(id) + ",\"channel\":\"" + f->channel + "\"}";
  return f;
}

inline std::vector<uint64_t> ids_of(const frame_list& frames) {
  std::vector<uint64_t> out;
  for (auto& f : frames)
    out.push_back(f->id);
  return out;
}

inline std::vector<uint64_t> id_range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (auto i = first; i <= last; ++i)
    out.push_back(i);
  return out;
}

/// What history asks of a store: id > since, ascending, at most limit.
inline frame_list select(const frame_list& all, const std::string& channel, uint64_t since,
                         uint32_t limit) {
  frame_list out;
  for (auto& f : all)
    if (f->channel == channel && f->id > since && out.size() < limit)
      out.push_back(f);
  return out;
}

/// Records what a session hands to its connection.
class test_sink : public connection_sink {
public:
  void send(frame_list burst) override {
    frames.insert(frames.end(), burst.begin(), burst.end());
    ++sends;
  }
  void close(uint16_t code, std::string reason) override {
    closes.emplace_back(code, std::move(reason));
  }
  void replay_done() override {
    ++replay_done_calls;
  }
  void subscribed() override {
    ++subscribed_calls;
  }
  void notify_when_drained() override {
    ++drain_requests;
  }
  std::vector<uint64_t> ids() const {
    return ids_of(frames);
  }

  frame_list frames;
  std::vector<std::pair<uint16_t, std::string>> closes;
  int subscribed_calls = 0;
  int replay_done_calls = 0;
  int sends = 0; // bursts
  int drain_requests = 0;
};

/// Records the batches the broadcaster hands over, as the I/O threads
/// would receive them.
class recording_fanout : public fanout_target {
public:
  void deliver(std::shared_ptr<const frame_list> batch) override {
    batches.push_back(std::move(batch));
  }
  /// Every frame delivered, in order, across batches.
  frame_list frames() const {
    frame_list out;
    for (auto& b : batches)
      out.insert(out.end(), b->begin(), b->end());
    return out;
  }
  std::vector<uint64_t> ids() const {
    return ids_of(frames());
  }

  std::vector<std::shared_ptr<const frame_list>> batches;
};

/// A session that only records what the broadcaster sends it.
struct recorder_state {
  std::vector<std::pair<uint16_t, std::string>> closes;
  static inline const char* name = "test.recorder";
};

inline session_actor::behavior_type
recorder(session_actor::stateful_pointer<recorder_state> self) {
  return {
    [self](caf::close_atom, uint16_t code, const std::string& reason) {
      self->state.closes.emplace_back(code, reason);
    },
    [self](drained_atom) {},
    [self](caf::leave_atom) { self->quit(); },
  };
}

/// A cache that holds `frames` and can answer a history request only when
/// `since >= covers_from` (like a real cache that holds the recent tail).
struct fake_cache_state {
  frame_list frames;
  uint64_t covers_from = 0;
  bool miss_all = false;
  std::vector<uint64_t> asked_since; // one entry per history request
  static inline const char* name = "test.cache";
};

inline cache_actor::behavior_type fake_cache(cache_actor::stateful_pointer<fake_cache_state> self) {
  return {
    [self](committed_atom, const frame& f) { self->state.frames.push_back(f); },
    [self](committed_atom, const frame_list& fs) {
      self->state.frames.insert(self->state.frames.end(), fs.begin(), fs.end());
    },
    [self](history_atom, const std::string& channel, uint64_t since,
           uint32_t limit) -> caf::result<frame_list> {
      auto& st = self->state;
      st.asked_since.push_back(since);
      if (st.miss_all || since < st.covers_from)
        return caf::make_error(errc::cache_miss);
      return select(st.frames, channel, since, limit);
    },
    [self](caf::reset_atom) { self->state.frames.clear(); },
    [](prune_atom, const std::string&, uint64_t) {},
  };
}

/// A storage that keeps frames in memory, fails on demand, refuses one
/// channel as if it were past the channel limit, and (when given a
/// downstream) sends each committed frame on, as the real one does.
struct fake_storage_state {
  frame_list frames;
  uint64_t next_id = 1;
  bool fail = false;
  std::string refused_channel; // drafts for it fail with errc::channel_limit
  // As if retention had removed every message up to this id: a history
  // request that finds nothing after `since` below it fails with
  // errc::history_removed, as the real storage's does.
  uint64_t removed_through = 0;
  cache_actor downstream;
  std::vector<uint64_t> asked_since;
  static inline const char* name = "test.storage";
};

inline storage_actor::behavior_type
fake_storage(storage_actor::stateful_pointer<fake_storage_state> self) {
  auto failure = [] { return caf::make_error(errc::storage_failure); };
  auto refused = [self](const draft& d) {
    return !self->state.refused_channel.empty() && d.channel == self->state.refused_channel;
  };
  auto limit_error = [] {
    return caf::make_error(errc::channel_limit, std::string{"channel limit reached (fake)"});
  };
  return {
    [self, failure, refused, limit_error](append_atom, const draft& d) -> caf::result<frame> {
      auto& st = self->state;
      if (st.fail)
        return failure();
      if (refused(d))
        return limit_error();
      auto f = make_frame(st.next_id++, d.channel);
      st.frames.push_back(f);
      if (st.downstream)
        self->send(st.downstream, committed_atom_v, f);
      return f;
    },
    [self, failure, refused,
     limit_error](append_atom, const draft_list& ds) -> caf::result<append_results> {
      auto& st = self->state;
      if (st.fail)
        return failure();
      append_results out;
      frame_list committed;
      for (auto& d : ds) {
        if (refused(d)) {
          out.emplace_back(limit_error());
          continue;
        }
        auto f = make_frame(st.next_id++, d.channel);
        st.frames.push_back(f);
        committed.push_back(f);
        out.emplace_back(f);
      }
      if (st.downstream && !committed.empty())
        self->send(st.downstream, committed_atom_v, committed);
      return out;
    },
    [](commit_atom) {},
    [self, failure](history_atom, const std::string& channel, uint64_t since,
                    uint32_t limit) -> caf::result<frame_list> {
      auto& st = self->state;
      st.asked_since.push_back(since);
      if (st.fail)
        return failure();
      auto page = select(st.frames, channel, since, limit);
      if (page.empty() && st.removed_through > since)
        return history_removed_error(st.removed_through);
      return page;
    },
    [self, failure](channels_atom) -> caf::result<channel_infos> {
      if (self->state.fail)
        return failure();
      std::map<std::string, channel_info> by_name;
      for (auto& f : self->state.frames) {
        auto& info = by_name[f->channel];
        info.name = f->channel;
        info.stored += 1;
        info.last_id = f->id;
      }
      channel_infos out;
      for (auto& entry : by_name)
        out.push_back(entry.second);
      return out;
    },
    [self](last_id_atom) { return self->state.next_id - 1; },
    [self](ready_atom) -> caf::result<caf::ok_atom> {
      if (self->state.fail)
        return caf::make_error(errc::storage_failure, std::string{"storage not writable: fake"});
      return caf::ok_atom_v;
    },
    [](caf::flush_atom) { return caf::ok_atom_v; },
    [](configure_atom, uint64_t) {},
    [](prune_atom) {},
  };
}

/// A cache stand-in that just passes committed frames to the broadcaster,
/// for wiring a whole hub without the real cache.
inline cache_actor::behavior_type
relay_cache(cache_actor::pointer self, broadcaster_actor broadcaster) {
  return {
    [self, broadcaster](committed_atom, const frame& f) {
      self->send(broadcaster, committed_atom_v, f);
    },
    [self, broadcaster](committed_atom, const frame_list& fs) {
      self->send(broadcaster, committed_atom_v, fs);
    },
    [](history_atom, const std::string&, uint64_t, uint32_t) -> caf::result<frame_list> {
      return caf::make_error(errc::cache_miss);
    },
    [](caf::reset_atom) {},
    [](prune_atom, const std::string&, uint64_t) {},
  };
}

} // namespace herald::testing

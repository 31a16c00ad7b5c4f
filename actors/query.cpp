#include "actors/query.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/history_gap.hpp"

namespace herald {

channel_infos merge_channels(const subscriber_counts& subs, const channel_infos& stored) {
  std::map<std::string, channel_info> by_name; // ordered: the answer is sorted by name
  for (auto& info : stored)
    by_name[info.name] = info;
  for (auto& [name, count] : subs) {
    auto& info = by_name[name];
    info.name = name;
    // Storage knows no subscribers on a single node; in cluster mode it
    // knows those of the other nodes, and this node's live ones add to them.
    info.subscribers += count;
  }
  channel_infos out;
  out.reserve(by_name.size());
  for (auto& entry : by_name)
    out.push_back(std::move(entry.second));
  return out;
}

namespace {

using query_pointer = query_actor::stateful_pointer<query_state>;

void answer_history(const history_responder& done, history_result r) {
  if (done)
    done(std::move(r));
}

void history_from_storage(query_pointer self, std::string channel, uint64_t since,
                          uint32_t limit, history_responder done) {
  self->request(self->state.storage_, caf::infinite, history_atom_v, std::move(channel), since,
                limit)
    .then(
      [done, since](frame_list& frames) {
        history_result r{200, std::move(frames), ""};
        r.gap = gap_before(since, r.frames);
        answer_history(done, std::move(r));
      },
      [done](const caf::error& err) {
        // Retention removed everything after `since`: an empty page, not a failure.
        if (auto resume_from = removed_through(err)) {
          history_result r;
          r.gap = resume_from;
          answer_history(done, std::move(r));
          return;
        }
        auto reason = describe(err);
        spdlog::warn("history query failed: {}", reason);
        answer_history(done, {503, {}, "storage unavailable: " + reason});
      });
}

// The two halves of a channel listing arrive in either order; the answer
// goes out when both are in, or at the first failure.
struct channels_join {
  channels_responder done;
  std::optional<subscriber_counts> subs;
  std::optional<channel_infos> stored;
  bool answered = false;

  void fail(const std::string& reason) {
    if (answered)
      return;
    answered = true;
    if (done)
      done({503, {}, reason});
  }

  void try_finish() {
    if (answered || !subs || !stored)
      return;
    answered = true;
    if (done)
      done({200, merge_channels(*subs, *stored), ""});
  }
};

} // namespace

query_actor::behavior_type query_behavior(query_pointer self, broadcaster_actor broadcaster,
                                          cache_actor cache, storage_actor storage) {
  self->state.broadcaster_ = std::move(broadcaster);
  self->state.cache_ = std::move(cache);
  self->state.storage_ = std::move(storage);
  return {
    [self](history_atom, std::string& channel, uint64_t since, uint32_t limit,
           history_responder& done) {
      // Most history reads are recent: the cache spares SQLite those.
      self->request(self->state.cache_, caf::infinite, history_atom_v, channel, since, limit)
        .then(
          [self, done](frame_list& frames) {
            ++self->state.cache_hits_;
            answer_history(done, {200, std::move(frames), ""});
          },
          [self, channel, since, limit, done](const caf::error&) {
            ++self->state.cache_misses_;
            history_from_storage(self, channel, since, limit, done);
          });
    },
    [self](channels_atom, channels_responder& done) {
      auto join = std::make_shared<channels_join>();
      join->done = std::move(done);
      self->request(self->state.broadcaster_, caf::infinite, channels_atom_v)
        .then(
          [join](subscriber_counts& subs) {
            join->subs = std::move(subs);
            join->try_finish();
          },
          [join](const caf::error& err) { join->fail("subscribers unavailable: " + describe(err)); });
      self->request(self->state.storage_, caf::infinite, channels_atom_v)
        .then(
          [join](channel_infos& stored) {
            join->stored = std::move(stored);
            join->try_finish();
          },
          [join](const caf::error& err) { join->fail("storage unavailable: " + describe(err)); });
    },
  };
}

} // namespace herald

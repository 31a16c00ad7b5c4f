#include "storage/storage_actor.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "storage/frame_json.hpp"

namespace herald {

const char* storage_state::name = "herald.storage";

namespace {

using storage_pointer = storage_actor::stateful_pointer<storage_state>;

// Writes every pending append in one transaction, then tells the cache and
// answers the requesters; on failure answers each with storage_failure and
// tells the cache nothing, since nothing was stored.
void commit_pending(storage_pointer self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  if (st.pending.empty())
    return;
  auto batch = std::move(st.pending);
  st.pending.clear();
  std::vector<draft> drafts;
  drafts.reserve(batch.size());
  for (auto& p : batch)
    drafts.push_back(std::move(p.d));
  st.last_batch_size = drafts.size();
  auto res = st.db->append(drafts);
  if (!res.ok) {
    ++st.failed_commits;
    spdlog::error("storage: commit of {} message(s) failed: {}", drafts.size(), res.error);
    for (auto& p : batch)
      p.promise.deliver(caf::make_error(errc::storage_failure, res.error));
    return;
  }
  ++st.commits;
  frame_list frames;
  frames.reserve(drafts.size());
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    const auto& d = drafts[i];
    const auto& pos = res.value[i];
    auto f = std::make_shared<frame_data>();
    f->id = pos.id;
    f->prev_id = pos.prev_id;
    f->channel = d.channel;
    f->json = render_frame(pos.id, d.channel, d.username, d.text, d.time_ms);
    frames.push_back(std::move(f));
  }
  // Ids were assigned in arrival order, so this is id order. The cache hears
  // of a message before its publisher does: the HTTP reply never gets ahead
  // of the fan-out.
  for (auto& f : frames)
    self->send(st.cache, committed_atom_v, f);
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].promise.deliver(std::move(frames[i]));
}

} // namespace

storage_actor::behavior_type storage_behavior(storage_pointer self, std::shared_ptr<sqlite_db> db,
                                              cache_actor cache) {
  self->state.db = std::move(db);
  self->state.cache = std::move(cache);
  return {
    [=](append_atom, draft& d) -> caf::result<frame> {
      auto& st = self->state;
      auto promise = self->make_response_promise<frame>();
      st.pending.push_back(storage_state::pending_append{std::move(d), promise});
      // Everything already waiting in the mailbox runs before this message,
      // so those appends join the same transaction.
      if (!st.commit_scheduled) {
        st.commit_scheduled = true;
        self->send(self, commit_atom_v);
      }
      return promise;
    },
    [=](commit_atom) { commit_pending(self); },
    [=](history_atom, const std::string& channel, uint64_t since,
        uint32_t limit) -> caf::result<frame_list> {
      auto res = self->state.db->history(channel, since, limit);
      if (!res.ok) {
        spdlog::error("storage: history of '{}' failed: {}", channel, res.error);
        return caf::make_error(errc::storage_failure, res.error);
      }
      return std::move(res.value);
    },
    [=](channels_atom) -> caf::result<channel_infos> {
      auto res = self->state.db->channels();
      if (!res.ok) {
        spdlog::error("storage: channel list failed: {}", res.error);
        return caf::make_error(errc::storage_failure, res.error);
      }
      return std::move(res.value);
    },
    [=](last_id_atom) -> uint64_t { return self->state.db->last_id(); },
    [=](caf::flush_atom) -> caf::ok_atom {
      commit_pending(self);
      return caf::ok_atom_v;
    },
  };
}

} // namespace herald

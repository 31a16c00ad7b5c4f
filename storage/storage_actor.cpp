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
  auto requests = std::move(st.pending);
  st.pending.clear();
  draft_list drafts;
  for (auto& r : requests)
    for (auto& d : r.drafts)
      drafts.push_back(std::move(d));
  st.last_batch_size = drafts.size();
  auto res = st.db->append(drafts);
  if (!res.ok) {
    ++st.failed_commits;
    spdlog::error("storage: commit of {} message(s) failed: {}", drafts.size(), res.error);
    for (auto& r : requests) {
      auto err = caf::make_error(errc::storage_failure, res.error);
      if (r.batch)
        r.many.deliver(err);
      else
        r.one.deliver(err);
    }
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
  // of the messages (in one message) before their publishers do: the HTTP
  // reply never gets ahead of the fan-out.
  self->send(st.cache, committed_atom_v, frames);
  auto next = frames.begin();
  for (auto& r : requests) {
    auto end = next + static_cast<std::ptrdiff_t>(r.drafts.size());
    if (r.batch)
      r.many.deliver(frame_list(next, end));
    else
      r.one.deliver(*next);
    next = end;
  }
}

// Queues a request for the next commit. Everything already waiting in the
// mailbox runs before the commit_atom sent here, so those appends join the
// same transaction.
void enqueue(storage_pointer self, storage_state::pending_append r) {
  auto& st = self->state;
  st.pending.push_back(std::move(r));
  if (!st.commit_scheduled) {
    st.commit_scheduled = true;
    self->send(self, commit_atom_v);
  }
}

} // namespace

storage_actor::behavior_type storage_behavior(storage_pointer self, std::shared_ptr<sqlite_db> db,
                                              cache_actor cache) {
  self->state.db = std::move(db);
  self->state.cache = std::move(cache);
  return {
    [=](append_atom, draft& d) -> caf::result<frame> {
      storage_state::pending_append r;
      r.drafts.push_back(std::move(d));
      r.one = self->make_response_promise<frame>();
      auto promise = r.one;
      enqueue(self, std::move(r));
      return promise;
    },
    [=](append_atom, draft_list& ds) -> caf::result<frame_list> {
      if (ds.empty())
        return frame_list{};
      storage_state::pending_append r;
      r.drafts = std::move(ds);
      r.batch = true;
      r.many = self->make_response_promise<frame_list>();
      auto promise = r.many;
      enqueue(self, std::move(r));
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

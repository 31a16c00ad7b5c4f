#include "storage/storage_actor.hpp"

#include <iterator>
#include <string>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "storage/frame_json.hpp"

namespace herald {

const char* storage_state::name = "herald.storage";

namespace {

using storage_pointer = storage_actor::stateful_pointer<storage_state>;

// Decides, in arrival order, which drafts may be stored. A draft for a
// channel with nothing stored creates that channel, so once max_channels
// exist it is refused; a channel created earlier in the same batch counts
// already, and its later drafts are admitted like any existing channel's.
class channel_admission {
public:
  channel_admission(const sqlite_db& db, std::size_t max_channels)
    : db_(db), max_channels_(max_channels) {
    // nop
  }

  bool admit(const std::string& channel) {
    if (max_channels_ == 0 || db_.has_channel(channel) || created_.count(channel) != 0)
      return true;
    if (db_.channel_count() + created_.size() >= max_channels_)
      return false;
    created_.insert(channel);
    return true;
  }

private:
  const sqlite_db& db_;
  std::size_t max_channels_;
  std::unordered_set<std::string> created_;
};

caf::error channel_limit_error(std::size_t max_channels) {
  return caf::make_error(errc::channel_limit, "channel limit reached (max_channels = "
                                                + std::to_string(max_channels)
                                                + "): publish to an existing channel");
}

// Writes the admitted drafts in one transaction and fills in their results
// (results[slots[i]] belongs to drafts[i]). The cache hears of the committed
// frames, in one message, before anyone is answered; when the commit fails
// each of them gets storage_failure and the cache hears nothing.
void store(storage_pointer self, const draft_list& drafts, const std::vector<std::size_t>& slots,
           append_results& results) {
  auto& st = self->state;
  st.last_batch_size = drafts.size();
  auto res = st.db->append(drafts);
  if (!res.ok) {
    ++st.failed_commits;
    spdlog::error("storage: commit of {} message(s) failed: {}", drafts.size(), res.error);
    for (auto slot : slots)
      results[slot] = caf::make_error(errc::storage_failure, res.error);
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
    results[slots[i]] = f;
    frames.push_back(std::move(f));
  }
  // Ids were assigned in arrival order, so this is id order. The HTTP reply
  // never gets ahead of the fan-out.
  self->send(st.cache, committed_atom_v, std::move(frames));
}

// Answers every pending append: drafts past the channel limit are refused
// on the spot, the others are stored together in one transaction.
void commit_pending(storage_pointer self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  if (st.pending.empty())
    return;
  auto requests = std::move(st.pending);
  st.pending.clear();
  append_results results;
  draft_list admitted;
  std::vector<std::size_t> slots; // where each admitted draft's result goes
  std::size_t refused = 0;
  channel_admission admission{*st.db, st.max_channels};
  for (auto& r : requests)
    for (auto& d : r.drafts) {
      if (admission.admit(d.channel)) {
        slots.push_back(results.size());
        results.emplace_back(frame{}); // filled in by store()
        admitted.push_back(std::move(d));
      } else {
        ++refused;
        results.emplace_back(channel_limit_error(st.max_channels));
      }
    }
  if (refused > 0) {
    st.refused += refused;
    spdlog::info("storage: {} message(s) for new channels refused: max_channels = {} reached",
                 refused, st.max_channels);
  }
  if (!admitted.empty())
    store(self, admitted, slots, results);
  answer_appends(requests, results);
}

// Queues a request for the next commit. Everything already waiting in the
// mailbox runs before the commit_atom sent here, so those appends join the
// same transaction.
void enqueue(storage_pointer self, pending_append r) {
  auto& st = self->state;
  st.pending.push_back(std::move(r));
  if (!st.commit_scheduled) {
    st.commit_scheduled = true;
    self->send(self, commit_atom_v);
  }
}

} // namespace

storage_actor::behavior_type storage_behavior(storage_pointer self, std::shared_ptr<sqlite_db> db,
                                              cache_actor cache, std::size_t max_channels) {
  self->state.db = std::move(db);
  self->state.cache = std::move(cache);
  self->state.max_channels = max_channels;
  return {
    [=](append_atom, draft& d) -> caf::result<frame> {
      pending_append r;
      r.drafts.push_back(std::move(d));
      r.one = self->make_response_promise<frame>();
      auto promise = r.one;
      enqueue(self, std::move(r));
      return promise;
    },
    [=](append_atom, draft_list& ds) -> caf::result<append_results> {
      if (ds.empty())
        return append_results{};
      pending_append r;
      r.drafts = std::move(ds);
      r.batch = true;
      r.many = self->make_response_promise<append_results>();
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

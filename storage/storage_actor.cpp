#include "storage/storage_actor.hpp"

#include <chrono>
#include <iterator>
#include <string>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/history_gap.hpp"
#include "storage/frame_json.hpp"
#include "storage/retention_step.hpp"

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

// A probe or a commit is as recent a word on readiness as any: /readyz
// reuses it for this long instead of writing again, so it costs at most one
// write a second however often it is asked.
constexpr auto ready_reuse = std::chrono::seconds(1);

const char* const not_writable = "storage not writable: ";

// What a commit attempt tells /metrics and /readyz.
void note_write(storage_state& st, std::chrono::steady_clock::time_point now,
                std::chrono::steady_clock::time_point started, std::size_t messages, bool ok,
                const std::string& error) {
  auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count();
  st.metrics->commit_seconds.observe(static_cast<uint64_t>(took));
  st.metrics->batch_size.observe(messages);
  if (!ok)
    st.metrics->commit_failures.add();
  st.ready_checked = now;
  st.not_ready = ok ? std::string{} : not_writable + error;
}

// Answers ready_atom: from the last write if it is recent, else from a probe.
caf::result<caf::ok_atom> check_ready(storage_state& st) {
  auto now = std::chrono::steady_clock::now();
  if (st.ready_checked == std::chrono::steady_clock::time_point{}
      || now - st.ready_checked >= ready_reuse) {
    std::string error;
    st.not_ready = st.db->probe_write(error) ? std::string{} : not_writable + error;
    st.ready_checked = now;
    if (!st.not_ready.empty())
      spdlog::warn("storage: readiness probe failed: {}", error);
  }
  if (!st.not_ready.empty())
    return caf::make_error(errc::storage_failure, st.not_ready);
  return caf::ok_atom_v;
}

// Writes the admitted drafts in one transaction and fills in their results
// (results[slots[i]] belongs to drafts[i]). The cache hears of the committed
// frames, in one message, before anyone is answered; when the commit fails
// each of them gets storage_failure and the cache hears nothing.
void store(storage_pointer self, const draft_list& drafts, const std::vector<std::size_t>& slots,
           append_results& results) {
  auto& st = self->state;
  st.last_batch_size = drafts.size();
  auto started = std::chrono::steady_clock::now();
  auto res = st.db->append(drafts);
  auto committed = std::chrono::steady_clock::now();
  note_write(st, committed, started, drafts.size(), res.ok, res.error);
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
    f->committed_at = committed;
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
                                              cache_actor cache, std::size_t max_channels,
                                              std::shared_ptr<storage_metrics> metrics,
                                              retention_policy retention) {
  self->state.metrics = metrics ? std::move(metrics) : std::make_shared<storage_metrics>();
  self->state.db = std::move(db);
  self->state.cache = std::move(cache);
  self->state.max_channels = max_channels;
  self->state.retention = std::move(retention);
  // The first step at once: a restart catches up on what expired while
  // herald was down, or on a max_messages_per_channel lowered meanwhile.
  if (self->state.retention.enabled())
    self->send(self, prune_atom_v);
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
      auto& db = *self->state.db;
      auto res = db.history(channel, since, limit);
      if (!res.ok) {
        spdlog::error("storage: history of '{}' failed: {}", channel, res.error);
        return caf::make_error(errc::storage_failure, res.error);
      }
      // No frame is left to carry the gap in its prev_id: say it instead.
      if (res.value.empty() && limit > 0 && db.removed_through(channel) > since)
        return history_removed_error(db.removed_through(channel));
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
    [=](ready_atom) { return check_ready(self->state); },
    [=](caf::flush_atom) -> caf::ok_atom {
      commit_pending(self);
      return caf::ok_atom_v;
    },
    [=](prune_atom) { retention_step(self); },
    [=](configure_atom, uint64_t max_channels) {
      // Appends already waiting for the commit are admitted under the new
      // limit: admission happens at commit.
      self->state.max_channels = static_cast<std::size_t>(max_channels);
      spdlog::debug("storage: max_channels = {}", max_channels);
    },
  };
}

} // namespace herald

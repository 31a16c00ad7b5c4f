#include "storage/retention_step.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace herald {

using storage_pointer = storage_actor::stateful_pointer<storage_state>;

namespace {

// At most one line a minute: a steady trickle of expiring messages would
// otherwise log every interval.
constexpr auto prune_report_every = std::chrono::minutes(1);

// Counts what a step removed and logs it: a failure once per outage, the
// removals once a run of full batches has ended.
void note_prune(storage_pointer self, uint64_t removed, bool batch_full, const std::string& error) {
  auto& st = self->state;
  ++st.prune_steps;
  st.removed += removed;
  st.unreported += removed;
  if (!error.empty()) {
    ++st.failed_prunes;
    if (!st.prune_failing)
      spdlog::error("storage: retention cannot remove messages (retrying every {} ms): {}",
                    st.retention.interval().count(), error);
    st.prune_failing = true;
    return;
  }
  if (st.prune_failing)
    spdlog::info("storage: retention removes messages again");
  st.prune_failing = false;
  auto now = self->clock().now();
  bool due = st.last_report == caf::actor_clock::time_point{}
             || now - st.last_report >= prune_report_every;
  if (batch_full || st.unreported == 0 || !due)
    return;
  spdlog::info("storage: retention removed {} message(s) ({} since start)", st.unreported,
               st.removed);
  st.unreported = 0;
  st.last_report = now;
}

} // namespace

// The excess over max_per_channel goes first, then the expired. A full batch
// means more may be waiting, so the next step is sent at once: it runs after
// the appends already in the mailbox. Otherwise the next step waits an
// interval.
void retention_step(storage_pointer self) {
  auto& st = self->state;
  const auto& policy = st.retention;
  const uint64_t budget = std::max<std::size_t>(policy.batch_rows, 1);
  uint64_t removed = 0;
  std::string error;
  auto apply = [&](db_result<channel_removals> res) {
    if (!res.ok) {
      error = std::move(res.error);
      return;
    }
    for (auto& r : res.value) {
      removed += r.count;
      // After the commit, so the cache never drops what storage still has;
      // frames up to r.through reached the cache before this notice.
      self->send(st.cache, prune_atom_v, std::move(r.channel), r.through);
    }
  };
  if (policy.max_per_channel > 0)
    apply(st.db->remove_excess(policy.max_per_channel, budget));
  if (error.empty() && policy.max_age.count() > 0 && removed < budget)
    apply(st.db->remove_older_than(policy.cutoff_ms(), budget - removed));
  const bool batch_full = error.empty() && removed >= budget;
  note_prune(self, removed, batch_full, error);
  if (batch_full)
    self->send(self, prune_atom_v);
  else
    self->delayed_send(self, policy.interval(), prune_atom_v);
}

} // namespace herald

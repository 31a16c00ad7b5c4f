#include "cluster/redis_storage_actor.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"

namespace herald {

const char* redis_storage_state::name = "herald.redis_storage";

namespace {

using redis_storage_pointer = cluster_storage_actor::stateful_pointer<redis_storage_state>;

// The reason as a log line shows it: the code and, when it has one, the
// text Redis or the store gave.
std::string reason(const caf::error& err) {
  auto text = client_text(err);
  return text.empty() ? describe(err) : describe(err) + ": " + text;
}

bool is_redis_failure(const append_result& r) {
  return !r && r.error() != errc::channel_limit;
}

// Logs the start and the end of an outage, not every publish it fails.
void note_append_outcome(redis_storage_state& st, const append_results& results) {
  auto failed = std::find_if(results.begin(), results.end(), is_redis_failure);
  if (failed != results.end()) {
    ++st.failed_commits;
    st.metrics->commit_failures.add();
    if (!st.appends_failing)
      spdlog::error("cluster storage: redis did not store {} message(s), answering 503 until it "
                    "does: {}",
                    results.size(), reason(failed->error()));
    st.appends_failing = true;
    return;
  }
  ++st.commits;
  if (st.appends_failing)
    spdlog::info("cluster storage: redis stores messages again");
  st.appends_failing = false;
}

// Sends every pending append to Redis in one call and answers them all.
void commit_pending(redis_storage_pointer self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  if (st.pending.empty())
    return;
  auto requests = std::move(st.pending);
  st.pending.clear();
  draft_list drafts;
  for (auto& r : requests)
    std::move(r.drafts.begin(), r.drafts.end(), std::back_inserter(drafts));
  st.last_batch_size = drafts.size();
  auto started = std::chrono::steady_clock::now();
  auto results = st.store->append(drafts, st.max_channels);
  auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(
    std::chrono::steady_clock::now() - started);
  st.metrics->commit_seconds.observe(static_cast<uint64_t>(took.count()));
  st.metrics->batch_size.observe(drafts.size());
  // One result per draft is the store's contract; anything else must not
  // acknowledge a message that may not be stored.
  if (results.size() != drafts.size())
    results.assign(drafts.size(), caf::make_error(errc::storage_failure,
                                                  std::string{"redis answered "}
                                                    + std::to_string(results.size())
                                                    + " results for "
                                                    + std::to_string(drafts.size())
                                                    + " messages"));
  note_append_outcome(st, results);
  answer_appends(requests, results); // the drafts were moved from, but keep their count
}

// Everything already in the mailbox runs before the commit_atom sent here,
// so appends that arrive together share one round trip.
void enqueue(redis_storage_pointer self, pending_append r) {
  auto& st = self->state;
  st.pending.push_back(std::move(r));
  if (!st.commit_scheduled) {
    st.commit_scheduled = true;
    self->send(self, commit_atom_v);
  }
}

// A 200 means "in Redis"; it means "on disk" only when Redis fsyncs every
// write. herald leaves Redis' configuration to its operator, so it only says.
void check_persistence(redis_storage_state& st) {
  if (st.persistence_checked)
    return;
  auto settings = st.store->persistence();
  if (!settings)
    return; // Redis unreachable: try again with the next report
  st.persistence_checked = true;
  auto& [appendonly, appendfsync] = *settings;
  if (appendonly.empty() && appendfsync.empty()) {
    spdlog::warn("cluster storage: cannot read redis' persistence settings (CONFIG GET refused); "
                 "a 200 means fsynced only with appendonly yes and appendfsync always");
    return;
  }
  if (appendonly != "yes" || appendfsync != "always")
    spdlog::warn("cluster storage: redis runs with appendonly {} and appendfsync {}: a 200 means "
                 "the message is in redis' memory, not that it is fsynced; set appendonly yes "
                 "and appendfsync always in redis.conf for that",
                 appendonly, appendfsync);
}

// This node's counts come from its broadcaster at the moment of the report.
void report(redis_storage_pointer self) {
  auto& st = self->state;
  check_persistence(st);
  auto interval = st.report_interval;
  self->request(st.broadcaster, interval, channels_atom_v)
    .then(
      [self, interval](const subscriber_counts& counts) {
        auto& st = self->state;
        auto stored = st.store->report_subscribers(st.node_id, counts, 3 * interval);
        if (stored) {
          ++st.reports;
          st.reported.clear();
          for (auto& [channel, n] : counts)
            st.reported[channel] = n;
        } else {
          spdlog::debug("cluster storage: subscriber report failed: {}", reason(stored.error()));
        }
        self->delayed_send(self, interval, report_atom_v);
      },
      [self, interval](const caf::error& err) {
        spdlog::debug("cluster storage: no subscriber counts to report: {}", describe(err));
        self->delayed_send(self, interval, report_atom_v);
      });
}

// Redis' counts include this node's last report; the query actor adds this
// node's live counts instead, so the report is taken out here.
channel_infos without_own_report(channel_infos infos, const redis_storage_state& st) {
  for (auto& info : infos) {
    auto mine = st.reported.find(info.name);
    if (mine != st.reported.end())
      info.subscribers -= std::min(info.subscribers, mine->second);
  }
  return infos;
}

caf::error storage_error(const caf::error& err) {
  if (err == errc::storage_failure)
    return err;
  return caf::make_error(errc::storage_failure, reason(err));
}

} // namespace

cluster_storage_actor::behavior_type
redis_storage_behavior(redis_storage_pointer self, std::shared_ptr<redis_store> store,
                       broadcaster_actor broadcaster, std::size_t max_channels,
                       std::chrono::milliseconds report_interval,
                       std::shared_ptr<storage_metrics> metrics) {
  auto& st = self->state;
  st.metrics = metrics ? std::move(metrics) : std::make_shared<storage_metrics>();
  st.store = std::move(store);
  st.broadcaster = std::move(broadcaster);
  st.max_channels = max_channels;
  st.report_interval = report_interval;
  check_persistence(st);
  return {
    [self](append_atom, draft& d) -> caf::result<frame> {
      pending_append r;
      r.drafts.push_back(std::move(d));
      r.one = self->make_response_promise<frame>();
      auto promise = r.one;
      enqueue(self, std::move(r));
      return promise;
    },
    [self](append_atom, draft_list& ds) -> caf::result<append_results> {
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
    [self](commit_atom) { commit_pending(self); },
    [self](history_atom, const std::string& channel, uint64_t since,
           uint32_t limit) -> caf::result<frame_list> {
      auto res = self->state.store->history(channel, since, limit);
      if (!res) {
        spdlog::warn("cluster storage: history of '{}' failed: {}", channel, reason(res.error()));
        return storage_error(res.error());
      }
      return std::move(*res);
    },
    [self](channels_atom) -> caf::result<channel_infos> {
      auto res = self->state.store->channels();
      if (!res) {
        spdlog::warn("cluster storage: channel list failed: {}", reason(res.error()));
        return storage_error(res.error());
      }
      return without_own_report(std::move(*res), self->state);
    },
    [self](ready_atom) -> caf::result<caf::ok_atom> {
      auto pong = self->state.store->ping();
      if (!pong) {
        auto text = client_text(pong.error());
        return caf::make_error(errc::storage_failure,
                               "redis unreachable: "
                                 + (text.empty() ? describe(pong.error()) : text));
      }
      return caf::ok_atom_v;
    },
    [self](last_id_atom) -> caf::result<uint64_t> {
      auto res = self->state.store->last_id();
      if (!res)
        return storage_error(res.error());
      return *res;
    },
    [self](caf::flush_atom) -> caf::ok_atom {
      commit_pending(self);
      return caf::ok_atom_v;
    },
    [self](report_atom, std::string& node_id) {
      auto& st = self->state;
      st.node_id = std::move(node_id);
      if (!st.reporting) {
        st.reporting = true;
        report(self);
      }
    },
    [self](report_atom) {
      if (self->state.reporting)
        report(self);
    },
    // Retention is the single node's: in cluster mode herald removes nothing
    // from Redis (the shared log is trimmed to log_length), and nothing
    // sends this here.
    [](prune_atom) {},
    [self](configure_atom, uint64_t max_channels) {
      // Redis counts the channels of the whole cluster; each node checks
      // against its own setting, so give every node the same one.
      self->state.max_channels = static_cast<std::size_t>(max_channels);
      spdlog::debug("cluster storage: max_channels = {}", max_channels);
    },
  };
}

} // namespace herald

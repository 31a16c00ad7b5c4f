#include "cluster/log_reader.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"

namespace herald {

const char* log_reader_state::name = "herald.log_reader";

namespace {

using log_reader_pointer = log_reader_actor::stateful_pointer<log_reader_state>;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string reason(const caf::error& err) {
  auto text = client_text(err);
  return text.empty() ? describe(err) : describe(err) + ": " + text;
}

// Redis did not answer: say so once, then retry with a growing delay.
void on_failure(log_reader_pointer self, const caf::error& err) {
  auto& st = self->state;
  st.opts.metrics->redis_up.set(0);
  if (!st.link_down) {
    st.link_down = true;
    st.catching_up = false;
    st.down_since = steady_clock::now();
    if (st.after)
      spdlog::warn("log reader: redis unreachable ({}); subscribers stay connected and delivery "
                   "resumes after id {} once it is back",
                   reason(err), *st.after);
    else
      spdlog::warn("log reader: redis unreachable ({}); delivery starts once it answers",
                   reason(err));
  }
  st.backoff = st.backoff.count() == 0 ? st.opts.backoff_min
                                       : std::min(st.backoff * 2, st.opts.backoff_max);
  self->delayed_send(self, st.backoff, poll_atom_v);
}

// A read succeeded with `n` messages. After an outage the node has caught up
// once a read comes back short of a full batch: that is the end of the log.
void on_success(log_reader_state& st, std::size_t n) {
  st.backoff = milliseconds{0};
  st.opts.metrics->redis_up.set(1);
  if (st.link_down) {
    st.link_down = false;
    st.catching_up = true;
    st.caught_up = 0;
  }
  if (!st.catching_up)
    return;
  st.caught_up += n;
  if (n >= st.opts.read_count)
    return;
  st.catching_up = false;
  st.opts.metrics->catch_ups.add();
  st.opts.metrics->caught_up_messages.add(st.caught_up);
  auto down_for = duration_cast<milliseconds>(steady_clock::now() - st.down_since);
  spdlog::info("log reader: redis reachable again after {} ms; caught up {} message(s)",
               down_for.count(), st.caught_up);
}

void deliver(log_reader_pointer self, frame_list frames) {
  auto& st = self->state;
  if (frames.empty())
    return;
  st.after = std::max(*st.after, frames.back()->id);
  st.delivered += frames.size();
  self->send(st.cache, committed_atom_v, std::move(frames));
}

// The messages after `after` are gone from the log. Clients resume with
// ?since= from the channel streams, which still hold them; this node stops
// vouching for anything it delivered or cached before.
void on_gap(log_reader_pointer self, frame_list frames, const std::string& why) {
  auto& st = self->state;
  ++st.gaps;
  spdlog::error("log reader: {} after id {}; closing every WebSocket with {} so that clients "
                "resume with ?since=",
                why, *st.after, log_gap_close_code);
  // The cache forgets first: a client that reconnects because of the close
  // must find it empty (its replay then reads Redis), not still vouching for
  // what it held before the gap.
  self->send(st.cache, caf::reset_atom_v);
  self->send(st.broadcaster, caf::close_atom_v, log_gap_close_code,
             std::string{log_gap_close_reason});
  if (!frames.empty())
    st.after = frames.back()->id;
  st.held = std::move(frames);
  self->delayed_send(self, st.opts.gap_hold, poll_atom_v);
}

// Where the log ends now; false (and the failure handled) if Redis did not say.
bool fetch_last_id(log_reader_pointer self, uint64_t& out) {
  auto last = self->state.store->last_id();
  if (!last) {
    on_failure(self, last.error());
    return false;
  }
  out = *last;
  return true;
}

void poll(log_reader_pointer self) {
  auto& st = self->state;
  if (!st.held.empty()) {
    auto held = std::move(st.held);
    st.held.clear();
    st.delivered += held.size();
    self->send(st.cache, committed_atom_v, std::move(held));
  }
  if (!st.after) {
    uint64_t last = 0;
    if (!fetch_last_id(self, last))
      return;
    st.after = last;
    spdlog::info("log reader: following the cluster log after id {}", last);
  }
  bool reconnected = st.link_down;
  auto batch = st.store->read_log(*st.after, st.opts.poll_block, st.opts.read_count);
  if (!batch) {
    on_failure(self, batch.error());
    return;
  }
  on_success(st, batch->frames.size());
  if (batch->gap) {
    // The store reports a gap with the entries that follow it, so the read
    // goes on after them.
    on_gap(self, std::move(batch->frames), "the cluster log was trimmed past this node");
    return;
  }
  if (reconnected && batch->frames.empty()) {
    // A Redis that came back without its data starts its ids again: reads
    // after our position would wait for ids that were already used.
    uint64_t last = 0;
    if (!fetch_last_id(self, last))
      return;
    if (last < *st.after) {
      on_gap(self, {}, "redis lost messages (its last id is " + std::to_string(last) + ")");
      st.after = last;
      return;
    }
  }
  deliver(self, std::move(batch->frames));
  self->send(self, poll_atom_v);
}

} // namespace

log_reader_actor::behavior_type
log_reader_behavior(log_reader_pointer self, std::shared_ptr<redis_store> store, cache_actor cache,
                    broadcaster_actor broadcaster, log_reader_options opts) {
  auto& st = self->state;
  st.store = std::move(store);
  st.cache = std::move(cache);
  st.broadcaster = std::move(broadcaster);
  st.opts = opts;
  if (!st.opts.metrics)
    st.opts.metrics = std::make_shared<cluster_metrics>();
  st.after = opts.start_after;
  if (st.after)
    spdlog::info("log reader: following the cluster log after id {}", *st.after);
  self->send(self, poll_atom_v);
  return {
    [self](poll_atom) { poll(self); },
  };
}

} // namespace herald

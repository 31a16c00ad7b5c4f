#include "actors/session.hpp"

#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"
#include "actors/history_gap.hpp"

namespace herald {

bool session_state::take(const frame& f) {
  if (!f || f->id <= last_sent_ || !sink_)
    return false;
  last_sent_ = f->id;
  ++frames_sent_;
  return true;
}

namespace {

session_actor self_handle(session_pointer self) {
  return caf::actor_cast<session_actor>(self);
}

// Leaves the channel and quits. Dropping the sink here matters: the
// connection holds this actor's handle, so keeping the sink would tie the two
// together until the actor object itself goes away.
void end(session_pointer self) {
  auto& st = self->state;
  self->send(st.broadcaster_, caf::leave_atom_v, st.channel_, self_handle(self));
  st.sink_.reset();
  st.pending_.clear();
  self->quit();
}

void fail(session_pointer self, const caf::error& err) {
  spdlog::warn("session {}: history unavailable during replay: {}", self->state.channel_,
               describe(err));
  if (self->state.sink_)
    self->state.sink_->close(1011, "history unavailable");
  end(self);
}

void request_page(session_pointer self);

// Hands pending frames to the connection, one burst (one send) at a time,
// and tells it when the history is exhausted.
void pump(session_pointer self) {
  auto& st = self->state;
  frame_list burst;
  auto ship = [&] {
    if (!burst.empty())
      st.sink_->send(std::move(burst));
    burst = {};
  };
  while (!st.waiting_drain_) {
    if (st.pending_.empty()) {
      ship();
      if (st.more_history_) {
        st.more_history_ = false;
        request_page(self);
        return;
      }
      std::deque<frame>{}.swap(st.pending_); // give back what a long replay grew
      st.phase_ = session_state::phase::live;
      st.sink_->replay_done();
      return;
    }
    if (st.burst_bytes_ >= st.replay_budget_) {
      ship();
      st.waiting_drain_ = true;
      st.sink_->notify_when_drained();
      return;
    }
    auto f = std::move(st.pending_.front());
    st.pending_.pop_front();
    if (st.take(f)) {
      st.burst_bytes_ += f->json.size();
      burst.push_back(std::move(f));
    }
  }
  ship();
}

// Retention removed the messages after last_sent_ up to `resume_from`: the
// client hears so before the next message, and its position moves there.
void note_gap(session_pointer self, uint64_t resume_from) {
  auto& st = self->state;
  spdlog::debug("session {}: messages after {} up to {} were removed by retention", st.channel_,
                st.last_sent_, resume_from);
  ++st.gaps_sent_;
  st.pending_.push_back(gap_frame(st.channel_, st.last_sent_, resume_from));
}

// Every page asked for messages after last_sent_ (nothing goes out between a
// request and its answer), so its first prev_id shows whether some are gone.
// A gap can open in the middle of a long replay as well, when retention
// catches up with it.
void on_page(session_pointer self, const frame_list& frames) {
  auto& st = self->state;
  // A full page may have a successor. A page that makes no progress ends the
  // replay, so a misbehaving source cannot keep us asking forever.
  st.more_history_ = frames.size() >= replay_page_size && frames.back()
                     && frames.back()->id > st.last_sent_;
  if (auto resume_from = gap_before(st.last_sent_, frames))
    note_gap(self, *resume_from);
  st.pending_.insert(st.pending_.end(), frames.begin(), frames.end());
  pump(self);
}

void request_from_storage(session_pointer self) {
  auto& st = self->state;
  self->request(st.storage_, caf::infinite, history_atom_v, st.channel_, st.last_sent_,
                replay_page_size)
    .then([self](const frame_list& frames) { on_page(self, frames); },
          [self](const caf::error& err) {
            // Everything after last_sent_ is gone: the gap ends the replay.
            if (auto resume_from = removed_through(err)) {
              note_gap(self, *resume_from);
              on_page(self, {});
              return;
            }
            fail(self, err);
          });
}

// Each page asks the cache first: once the remaining range is recent enough
// the cache can answer it, even if an earlier page needed storage.
void request_page(session_pointer self) {
  auto& st = self->state;
  self->request(st.cache_, caf::infinite, history_atom_v, st.channel_, st.last_sent_,
                replay_page_size)
    .then([self](const frame_list& frames) { on_page(self, frames); },
          [self](const caf::error& err) {
            if (err != errc::cache_miss)
              spdlog::debug("session {}: cache failed ({}), asking storage",
                            self->state.channel_, describe(err));
            request_from_storage(self);
          });
}

} // namespace

session_actor::behavior_type session_behavior(session_pointer self, sink_ptr sink,
                                              std::string channel,
                                              std::optional<uint64_t> since,
                                              broadcaster_actor broadcaster,
                                              cache_actor cache, storage_actor storage,
                                              std::size_t replay_budget) {
  auto& st = self->state;
  st.replay_budget_ = replay_budget > 0 ? replay_budget : 1;
  st.sink_ = std::move(sink);
  st.channel_ = std::move(channel);
  st.broadcaster_ = std::move(broadcaster);
  st.cache_ = std::move(cache);
  st.storage_ = std::move(storage);
  st.last_sent_ = since.value_or(0);
  // The join enters the session in the subscriber counts (and the
  // shutdown's close). The connection already receives live messages; it
  // answers the upgrade once the join is done, so a client that sees the
  // 101 also finds itself counted in GET /api/channels. The replay does not
  // wait for it.
  self->request(st.broadcaster_, caf::infinite, caf::join_atom_v, st.channel_, self_handle(self))
    .then(
      [self](caf::ok_atom) {
        if (self->state.sink_)
          self->state.sink_->subscribed();
      },
          [self](const caf::error& err) {
            spdlog::warn("session {}: join failed: {}", self->state.channel_, describe(err));
            if (self->state.sink_)
              self->state.sink_->close(1011, "subscription failed");
            end(self);
          });
  if (since) {
    st.phase_ = session_state::phase::replaying;
    request_page(self);
  }
  return {
    [self](caf::close_atom, uint16_t code, std::string& reason) {
      if (self->state.sink_)
        self->state.sink_->close(code, std::move(reason));
    },
    [self](drained_atom) {
      auto& st = self->state;
      if (!st.waiting_drain_)
        return;
      st.waiting_drain_ = false;
      st.burst_bytes_ = 0;
      pump(self);
    },
    [self](caf::leave_atom) { end(self); },
  };
}

} // namespace herald

#include "actors/session.hpp"

#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"

namespace herald {

void session_state::forward(const frame& f) {
  if (!f || f->id <= last_sent_ || !sink_)
    return;
  last_sent_ = f->id;
  ++frames_sent_;
  sink_->send(f);
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
  st.buffered_.clear();
  self->quit();
}

void fail(session_pointer self, const caf::error& err) {
  spdlog::warn("session {}: history unavailable during replay: {}", self->state.channel_,
               describe(err));
  if (self->state.sink_)
    self->state.sink_->close(1011, "history unavailable");
  end(self);
}

// Everything up to last_sent_ is out; the buffered live messages cover the
// rest (the broadcaster has routed every later message to us since the join).
void go_live(session_pointer self) {
  auto& st = self->state;
  for (auto& f : st.buffered_)
    st.forward(f);
  frame_list{}.swap(st.buffered_); // give the memory back, replay buffers can be large
  st.phase_ = session_state::phase::live;
}

void request_page(session_pointer self);

void on_page(session_pointer self, const frame_list& frames) {
  auto& st = self->state;
  auto before = st.last_sent_;
  for (auto& f : frames)
    st.forward(f);
  // A full page may have a successor. Stop when a page made no progress, so a
  // misbehaving source cannot keep us asking forever.
  if (frames.size() >= replay_page_size && st.last_sent_ > before)
    request_page(self);
  else
    go_live(self);
}

void request_from_storage(session_pointer self) {
  auto& st = self->state;
  self->request(st.storage_, caf::infinite, history_atom_v, st.channel_, st.last_sent_,
                replay_page_size)
    .then([self](const frame_list& frames) { on_page(self, frames); },
          [self](const caf::error& err) { fail(self, err); });
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
                                              cache_actor cache, storage_actor storage) {
  auto& st = self->state;
  st.sink_ = std::move(sink);
  st.channel_ = std::move(channel);
  st.broadcaster_ = std::move(broadcaster);
  st.cache_ = std::move(cache);
  st.storage_ = std::move(storage);
  st.last_sent_ = since.value_or(0);
  bool replay = since.has_value();
  // The replay starts only after the join reply: every message the
  // broadcaster routed before it has already passed the cache (which sits
  // upstream of the broadcaster), so history covers it, and everything after
  // it reaches us live. Together they leave no gap.
  self->request(st.broadcaster_, caf::infinite, caf::join_atom_v, st.channel_, self_handle(self))
    .then(
      [self, replay](caf::ok_atom) {
        if (self->state.phase_ != session_state::phase::joining)
          return;
        if (replay) {
          self->state.phase_ = session_state::phase::replaying;
          request_page(self);
        } else {
          go_live(self);
        }
      },
      [self](const caf::error& err) {
        spdlog::warn("session {}: join failed: {}", self->state.channel_, describe(err));
        if (self->state.sink_)
          self->state.sink_->close(1011, "subscription failed");
        end(self);
      });
  return {
    [self](deliver_atom, const frame& f) {
      auto& st = self->state;
      if (st.phase_ == session_state::phase::live)
        st.forward(f);
      else if (f && f->id > st.last_sent_)
        st.buffered_.push_back(f);
    },
    [self](caf::close_atom, uint16_t code, std::string& reason) {
      if (self->state.sink_)
        self->state.sink_->close(code, std::move(reason));
    },
    [self](caf::leave_atom) { end(self); },
  };
}

} // namespace herald

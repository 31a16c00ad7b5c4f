#include "actors/ingest.hpp"

#include <memory>
#include <string>
#include <utility>

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/error_text.hpp"

namespace herald {

namespace {

// The responder belongs to the network layer; it is called exactly once.
void answer(const publish_responder& done, publish_result r) {
  if (done)
    done(std::move(r));
}

using ingest_pointer = ingest_actor::stateful_pointer<ingest_state>;

// Storage answered with the committed frame (or, wrongly, with none).
void settle(ingest_pointer self, const publish_responder& done, const frame& f) {
  if (!f) {
    ++self->state.failed_;
    answer(done, {503, 0, "storage unavailable: no frame"});
    return;
  }
  ++self->state.accepted_;
  answer(done, {200, f->id, ""});
}

// Storage did not store the message. At the channel limit the publisher is
// told so with 429 (waiting would not help, so no Retry-After); anything
// else is storage being unavailable.
void refuse(ingest_pointer self, const publish_responder& done, const caf::error& err) {
  if (err == errc::channel_limit) {
    ++self->state.refused_;
    answer(done, {429, 0, client_text(err)});
    return;
  }
  ++self->state.failed_;
  answer(done, {503, 0, "storage unavailable: " + describe(err)});
}

} // namespace

ingest_actor::behavior_type
ingest_behavior(ingest_pointer self, storage_actor storage) {
  self->state.storage_ = std::move(storage);
  return {
    [self](caf::publish_atom, const std::shared_ptr<inbox_signal>& signal) {
      if (!signal)
        return;
      auto batch = std::make_shared<publish_requests>(signal->take());
      if (batch->empty())
        return;
      draft_list drafts;
      drafts.reserve(batch->size());
      for (auto& r : *batch)
        drafts.push_back(std::move(r.d));
      spdlog::debug("publish: {} message(s)", drafts.size());
      self->request(self->state.storage_, caf::infinite, append_atom_v, std::move(drafts))
        .then(
          [self, batch](const append_results& results) {
            for (std::size_t i = 0; i < batch->size(); ++i) {
              const auto& done = (*batch)[i].done;
              if (i >= results.size())
                settle(self, done, frame{});
              else if (results[i])
                settle(self, done, *results[i]);
              else
                refuse(self, done, results[i].error());
            }
          },
          [self, batch](const caf::error& err) {
            spdlog::warn("publish of {} message(s) failed: {}", batch->size(), describe(err));
            for (auto& r : *batch)
              refuse(self, r.done, err);
          });
    },
    [self](caf::publish_atom, draft& d, publish_responder& done) {
      spdlog::debug("publish: channel={} username={} bytes={}", d.channel, d.username,
                    d.text.size());
      // Many publishes are in flight at once: storage batches them into one
      // transaction, so this actor never waits for a single commit.
      self->request(self->state.storage_, caf::infinite, append_atom_v, std::move(d))
        .then(
          [self, done](const frame& f) { settle(self, done, f); },
          [self, done](const caf::error& err) {
            if (err != errc::channel_limit)
              spdlog::warn("publish failed: {}", describe(err));
            refuse(self, done, err);
          });
    },
  };
}

} // namespace herald

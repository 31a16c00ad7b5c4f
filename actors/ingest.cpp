#include "actors/ingest.hpp"

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

} // namespace

ingest_actor::behavior_type
ingest_behavior(ingest_actor::stateful_pointer<ingest_state> self, storage_actor storage) {
  self->state.storage_ = std::move(storage);
  return {
    [self](caf::publish_atom, draft& d, publish_responder& done) {
      spdlog::debug("publish: channel={} username={} bytes={}", d.channel, d.username,
                    d.text.size());
      // Many publishes are in flight at once: storage batches them into one
      // transaction, so this actor never waits for a single commit.
      self->request(self->state.storage_, caf::infinite, append_atom_v, std::move(d))
        .then(
          [self, done](const frame& f) {
            if (!f) {
              ++self->state.failed_;
              answer(done, {503, 0, "storage unavailable: no frame"});
              return;
            }
            ++self->state.accepted_;
            spdlog::debug("publish committed: channel={} id={}", f->channel, f->id);
            answer(done, {200, f->id, ""});
          },
          [self, done](const caf::error& err) {
            ++self->state.failed_;
            auto reason = describe(err);
            spdlog::warn("publish failed: {}", reason);
            answer(done, {503, 0, "storage unavailable: " + reason});
          });
    },
  };
}

} // namespace herald

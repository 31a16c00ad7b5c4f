#pragma once

// Where publishes from the network threads wait for the ingest actor. The
// first publish into an empty inbox tells the actor (one message); every
// publish that arrives before the actor runs joins the same batch, so under
// load one actor message, one storage request and one reply carry many
// publishes instead of one each. Thread-safe.

#include <atomic>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "actors/messages.hpp"

namespace herald {

struct publish_request {
  draft d;
  publish_responder done; // called exactly once
};
using publish_requests = std::vector<publish_request>;

class publish_inbox {
public:
  /// Adds one publish; true when the inbox was empty, i.e. when the caller
  /// must tell the ingest actor.
  bool put(publish_request r) {
    std::lock_guard<std::mutex> guard{mutex_};
    items_.push_back(std::move(r));
    return items_.size() == 1;
  }

  /// Everything waiting, in arrival order; the inbox is empty afterwards.
  publish_requests take() {
    publish_requests out;
    std::lock_guard<std::mutex> guard{mutex_};
    out.swap(items_);
    return out;
  }

private:
  std::mutex mutex_;
  publish_requests items_;
};

using inbox_ptr = std::shared_ptr<publish_inbox>;

/// The message that tells the ingest actor to take the inbox. If it is
/// never handled (the actor is gone), its destruction empties the inbox,
/// and the requests' responders answer as they are destroyed, so no
/// publisher waits forever; later publishes find the inbox empty and send a
/// new signal, which meets the same fate.
struct inbox_signal {
  explicit inbox_signal(inbox_ptr i) : inbox(std::move(i)) {}
  inbox_signal(const inbox_signal&) = delete;
  inbox_signal& operator=(const inbox_signal&) = delete;
  ~inbox_signal() {
    if (!taken.load() && inbox)
      inbox->take();
  }

  /// Called by the handler: the batch is the handler's now.
  publish_requests take() {
    taken.store(true);
    return inbox->take();
  }

  inbox_ptr inbox;
  std::atomic<bool> taken{false};
};
using signal_ptr = std::shared_ptr<inbox_signal>;

} // namespace herald

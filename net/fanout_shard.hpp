#pragma once

// The live half of fan-out on one I/O thread: which of this thread's
// connections listen to which channel, and the loop that hands them a batch
// of committed messages. One per I/O thread and touched only from it, so it
// needs no lock; the broadcaster reaches it with one post per batch, however
// many subscribers the batch reaches.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/messages.hpp"

namespace herald {

/// A connection as the shard sees it. Every call runs on the shard's thread,
/// inside deliver(), sweep() or close_all(); none may add or remove
/// subscribers of the shard.
class live_subscriber {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// Takes one live message of the subscriber's channel. Returns true the
  /// first time it wants flush_live() after this batch.
  virtual bool push_live(const frame& f) = 0;
  /// The batch is over: write what it queued.
  virtual void flush_live() = 0;
  /// Keepalive, a few times per ping interval: ping the peer when it is due,
  /// close the connection when a ping went unanswered too long.
  virtual void sweep(time_point now) = 0;
  /// Close the connection now (shutdown).
  virtual void close_now(uint16_t code, const std::string& reason) = 0;

protected:
  ~live_subscriber() = default;
};

class fanout_shard {
public:
  /// The shard of the calling thread; null on threads that run none.
  static fanout_shard* current();
  /// Makes this the calling thread's shard (each I/O thread, at its start).
  void bind_to_this_thread();

  void add(const std::string& channel, live_subscriber* s);
  void remove(const std::string& channel, live_subscriber* s);

  /// Hands every message of `batch` to the subscribers of its channel, in
  /// order, then lets each subscriber that took something write once. Each
  /// message that reached a subscriber here is timed from its commit to
  /// that moment, once (io_metrics::publish_to_write of this thread).
  void deliver(const frame_list& batch);

  /// Lets every subscriber ping or time out (see live_subscriber::sweep).
  void sweep(live_subscriber::time_point now);

  /// Closes every subscriber with `code` and a reason made for each, so a
  /// reason can carry a per-connection value (a jittered retry delay).
  void close_all(uint16_t code, const std::function<std::string()>& reason);

  std::size_t subscribers() const { return count_; }

private:
  // A channel without subscribers here is erased, so the map only holds
  // channels someone on this thread listens to.
  std::unordered_map<std::string, std::vector<live_subscriber*>> channels_;
  std::vector<live_subscriber*> to_flush_; // reused batch after batch
  // When each message of the batch that reached a subscriber here was
  // committed (reused too): timed once the batch goes to the writes.
  std::vector<live_subscriber::time_point> committed_;
  std::size_t count_ = 0;
};

} // namespace herald

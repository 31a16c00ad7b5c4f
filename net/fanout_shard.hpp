#pragma once

// The live half of fan-out on one I/O thread: which of this thread's
// connections listen to which channel, and the loop that hands them a batch
// of committed messages. One per I/O thread and touched only from it, so it
// needs no lock; the broadcaster reaches it with one post per batch, however
// many subscribers the batch reaches.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/messages.hpp"

namespace herald {

/// A connection as the shard sees it. Both calls run on the shard's thread,
/// inside deliver(); neither may add or remove subscribers of the shard.
class live_subscriber {
public:
  /// Takes one live message of the subscriber's channel. Returns true the
  /// first time it wants flush_live() after this batch.
  virtual bool push_live(const frame& f) = 0;
  /// The batch is over: write what it queued.
  virtual void flush_live() = 0;

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
  /// order, then lets each subscriber that took something write once.
  void deliver(const frame_list& batch);

  std::size_t subscribers() const { return count_; }

private:
  // A channel without subscribers here is erased, so the map only holds
  // channels someone on this thread listens to.
  std::unordered_map<std::string, std::vector<live_subscriber*>> channels_;
  std::vector<live_subscriber*> to_flush_; // reused batch after batch
  std::size_t count_ = 0;
};

} // namespace herald

#pragma once

// The outgoing side of one WebSocket connection: the frames waiting to be
// written, bounded in bytes, with one write in flight at a time. Plain
// bookkeeping without sockets, so its rules are testable on their own.
// Not thread-safe: owned by the connection's strand.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "actors/messages.hpp"

namespace herald {

class write_queue {
public:
  /// `limit`: bytes of frame text the queue may hold, the one being written
  /// included. `since`: the resume point the connection started from, if any.
  write_queue(std::size_t limit, std::optional<uint64_t> since);

  /// Queues `f` unless that would take the queued bytes over the limit; then
  /// returns false and leaves the queue unchanged (the caller closes the
  /// connection). An empty queue always takes one frame, however large, so
  /// a message bigger than the limit cannot wedge a client forever.
  bool push(frame f);

  /// Whether a frame is waiting and no write is in flight.
  bool can_write() const { return !writing_ && !frames_.empty(); }

  /// Marks the front frame as in flight and returns it. The frame stays
  /// owned by the queue (its text stays alive) until write_done().
  /// Precondition: can_write().
  const frame& begin_write();

  /// The in-flight write completed: the frame leaves the queue, its id
  /// becomes the resume point. Precondition: writing().
  void write_done();

  /// Drops every frame that is not in flight (the connection is closing).
  void drop_pending();

  /// Drops everything, the in-flight frame included (the write failed).
  void clear();

  bool writing() const { return writing_; }
  bool empty() const { return frames_.empty(); }
  std::size_t size() const { return frames_.size(); }
  std::size_t queued_bytes() const { return bytes_; }
  std::size_t limit() const { return limit_; }

  /// The `since` a client passes to continue right after what it received:
  /// the id of the last frame whose write completed; before any, `since`
  /// if the connection had one, else the prev_id of the first frame ever
  /// queued (the client joined after that message), else 0.
  uint64_t resume_id() const { return resume_id_; }

private:
  std::size_t limit_;
  std::deque<frame> frames_; // front is in flight when writing_
  std::size_t bytes_ = 0;
  bool writing_ = false;
  bool resume_known_;
  uint64_t resume_id_;
};

} // namespace herald

#pragma once

// The outgoing side of one WebSocket connection: the frames waiting to be
// written, bounded in bytes, handed to the socket as one gather write of as
// many frames as it takes. Each message frame is the shared JSON text plus
// a header of a few bytes kept here, so a frame is never copied per
// recipient. Plain bookkeeping without sockets, so its rules are testable on
// their own. Not thread-safe: owned by the connection's strand.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/uio.h>

#include "actors/messages.hpp"
#include "net/ws_frame.hpp"

namespace herald {

class write_queue {
public:
  /// `limit`: bytes of message text the queue may hold, a frame partly
  /// written included. `since`: the resume point the connection started
  /// from, if any.
  write_queue(std::size_t limit, std::optional<uint64_t> since);

  /// Whether a message of `size` bytes would be taken now.
  bool fits(std::size_t size) const {
    return bytes_ == 0 || (bytes_ <= limit_ && size <= limit_ - bytes_);
  }

  /// Queues `f` unless that would take the queued bytes over the limit; then
  /// returns false and leaves the queue unchanged (the caller closes the
  /// connection). A queue without message text always takes one frame, however large, so
  /// a message bigger than the limit cannot wedge a client forever.
  bool push(const frame& f);

  /// Queues a data frame of the connection's own (the echo of a client's
  /// message): a copy of `payload`, sent with opcode `op`. Counted against
  /// the limit and taken or refused by the same rule as push(), so a client
  /// that sends faster than it reads fills the queue like any slow consumer;
  /// nothing is copied when refused. It is no message of a channel: it
  /// never becomes the resume point and drop_oldest() leaves it.
  bool push_data(ws::opcode op, std::string_view payload);

  /// Queues a whole encoded control frame (pong, close). Not counted against
  /// the limit; at most max_controls wait at once, later ones are dropped
  /// (a peer that pings faster than it reads gets fewer pongs, not memory)
  /// unless `essential` (the close frame always goes).
  bool push_control(std::string bytes, bool essential = false);
  static constexpr std::size_t max_controls = 8;

  /// Fills at most `max` entries of `out` with the bytes waiting, in wire
  /// order, stopping once they add up to `max_bytes` (at least one entry);
  /// returns how many it filled. The pointers stay valid until the next
  /// change to the queue.
  std::size_t gather(iovec* out, std::size_t max, std::size_t max_bytes) const;

  /// `n` bytes of what gather() returned were written: frames written whole
  /// leave the queue, and the last message among them becomes the resume
  /// point.
  void consumed(std::size_t n);

  /// Makes room for `size` more bytes of message text by dropping the oldest
  /// messages (push()) not yet started. Returns how many it dropped and, in
  /// `gap_after`, the id the client has before the first dropped one (its
  /// prev_id). Drops nothing if even an empty queue would not take it.
  std::size_t drop_oldest(std::size_t size, uint64_t& gap_after);

  /// Queues an encoded frame ahead of every frame not yet started (behind a
  /// frame partly written). Not counted against the limit.
  void push_front_control(std::string bytes);

  /// Removes the frame push_front_control() queued last if it is still the
  /// first not started; false when there is none (it went out already).
  bool take_front_control();

  /// Drops every frame not yet started (the connection is closing). A frame
  /// partly written stays: cutting it would break the stream.
  void drop_pending();

  /// Drops everything (the socket failed).
  void clear();

  bool empty() const { return head_ == entries_.size(); }
  std::size_t size() const { return entries_.size() - head_; }
  std::size_t queued_bytes() const { return bytes_; }
  std::size_t limit() const { return limit_; }
  /// Whether the front frame is partly written.
  bool mid_frame() const { return offset_ > 0; }

  /// The `since` a client passes to continue right after what it received:
  /// the id of the last message written whole; before any, `since` if the
  /// connection had one, else the prev_id of the first message ever queued
  /// (the client joined after that message), else 0.
  uint64_t resume_id() const { return resume_id_; }

  /// The resume point once everything queued now is written: the id of the
  /// last message waiting, else resume_id(). After drop_pending() that is
  /// what a client has when the close frame reaches it.
  uint64_t resume_id_when_written() const;

private:
  enum class kind : uint8_t {
    message, // push(): counted, and the resume point once written
    data,    // push_data(): counted only
    control, // push_control(), push_front_control(): neither
  };
  struct entry {
    frame data;                // the payload, or a control frame's encoded bytes
    unsigned char header[10] = {}; // message and data frames: the WebSocket header
    uint8_t header_size = 0;   // 0 for control frames (already encoded)
    kind type = kind::message;
    bool in_front = false; // queued by push_front_control
  };
  static entry control_entry(std::string bytes, bool in_front);
  std::size_t entry_size(const entry& e) const;
  void pop_front();

  std::size_t limit_;
  // A vector with a moving head instead of a deque: an idle connection's
  // empty vector holds no memory, where a deque allocates on construction.
  std::vector<entry> entries_;
  std::size_t head_ = 0;
  std::size_t offset_ = 0; // bytes of the front entry already written
  std::size_t bytes_ = 0;  // message text queued
  std::size_t controls_ = 0;
  bool resume_known_;
  uint64_t resume_id_;
};

} // namespace herald

#pragma once

// herald's data in Redis, for cluster mode: several nodes share one Redis and
// act as one service. Redis is both the store and the transport:
//
//   <prefix>:next_id        global message id counter (INCR)
//   <prefix>:log            stream of every message, entry id "0-<id>", fields
//                           c (channel) u (username) m (text) t (time ms)
//                           p (prev_id); trimmed to about log_length entries.
//                           Every node reads it in order: live delivery and
//                           catch-up after a cut are the same read.
//   <prefix>:ch:<channel>   stream of one channel's messages, entry id
//                           "0-<id>", fields u m t p: history and ?since=
//   <prefix>:channels       hash channel -> last id
//   <prefix>:stored         hash channel -> number of messages stored
//   <prefix>:nodes          sorted set node_id -> last report time (ms)
//   <prefix>:subs:<node_id> hash channel -> subscribers on that node,
//                           expiring unless the node reports again
//
// One append is one round trip: a Lua script takes the whole batch, assigns
// the ids and writes every key above atomically, so ids are in the same order
// in the log, in each channel and on every node.
//
// Calls block (hiredis' synchronous API) with the configured timeout; the
// owner is a detached actor or a thread of its own. Not thread-safe: one
// redis_store per owner. A call on a broken connection reconnects first.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/messages.hpp"
#include "cluster/redis_url.hpp"

namespace herald {

struct redis_store_options {
  redis_url url;
  std::string key_prefix = "herald";
  // Connect and command timeout (a blocking log read adds its block time).
  std::chrono::milliseconds timeout{2000};
  // Approximate length the log stream is trimmed to (XADD MAXLEN ~).
  std::size_t log_length = 1000000;
};

/// What one read of the log brought.
struct log_batch {
  frame_list frames;   // in id order, each rendered once (render_frame)
  // True when entries after the id read from were trimmed away before this
  // read: the reader missed messages and its subscribers must recover them
  // from the channel streams (?since=).
  bool gap = false;
};

class redis_store {
public:
  explicit redis_store(redis_store_options opts);
  ~redis_store();
  redis_store(const redis_store&) = delete;
  redis_store& operator=(const redis_store&) = delete;

  /// Stores a batch in one round trip. One result per draft, in order: its
  /// committed frame, errc::channel_limit when it would create one channel
  /// more than max_channels (0: no limit; counted over the whole cluster), or
  /// errc::storage_failure for every draft when Redis failed.
  append_results append(const draft_list& drafts, std::size_t max_channels);

  /// Messages of `channel` with id > since, ascending, at most `limit`.
  caf::expected<frame_list> history(const std::string& channel, uint64_t since, uint32_t limit);

  /// Every channel with messages: stored count, last id, and subscribers
  /// summed over the nodes that reported within their TTL.
  caf::expected<channel_infos> channels();

  /// Publishes this node's subscriber counts (replacing its previous report),
  /// valid for `ttl`.
  caf::expected<void> report_subscribers(const std::string& node_id,
                                         const subscriber_counts& counts,
                                         std::chrono::milliseconds ttl);

  /// Whether Redis answers now (PING, connecting first if need be): GET
  /// /readyz in cluster mode.
  caf::expected<void> ping();

  /// The highest id assigned so far (0 when none).
  caf::expected<uint64_t> last_id();

  /// Log entries with id > after, at most max_count, waiting up to `block`
  /// for the first one (an empty batch when none came).
  caf::expected<log_batch> read_log(uint64_t after, std::chrono::milliseconds block,
                                    std::size_t max_count);

  /// The server's persistence settings ("appendonly", "appendfsync"), for a
  /// warning at start when a 200 would not mean fsynced; empty strings when
  /// CONFIG is not allowed.
  caf::expected<std::pair<std::string, std::string>> persistence();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace herald

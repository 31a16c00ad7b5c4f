#pragma once

// The typed handles of herald's actors: what each one understands and answers.
// A message flows ingest -> storage -> cache -> broadcaster -> session.

#include <cstdint>
#include <string>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"
#include "actors/publish_inbox.hpp"

namespace herald {

/// One per WebSocket connection: its replay, and its place in the
/// broadcaster's subscriber counts. Live messages bypass it.
using session_actor = caf::typed_actor<
  // Close the connection (shutdown: 1001).
  caf::reacts_to<caf::close_atom, uint16_t, std::string>,
  // The connection's queue has room again (asked by notify_when_drained).
  caf::reacts_to<drained_atom>,
  // The connection has ended; the session quits.
  caf::reacts_to<caf::leave_atom>>;

/// Hands committed messages, in batches, to the fan-out targets (the I/O
/// threads, which deliver them to their connections), and keeps the list of
/// sessions per channel for counts and shutdown.
using broadcaster_actor = caf::typed_actor<
  caf::reacts_to<committed_atom, frame>,
  caf::reacts_to<committed_atom, frame_list>,
  // Hands the batch gathered so far to the targets; the broadcaster sends
  // this to itself after the first message of a batch.
  caf::reacts_to<caf::flush_atom>,
  // Adds a target; every batch from now on reaches it.
  caf::reacts_to<attach_atom, fanout_ptr>,
  caf::replies_to<caf::join_atom, std::string, session_actor>::with<caf::ok_atom>,
  caf::reacts_to<caf::leave_atom, std::string, session_actor>,
  caf::replies_to<channels_atom>::with<subscriber_counts>,
  // Tell every session to close with this code and reason.
  caf::reacts_to<caf::close_atom, uint16_t, std::string>>;

/// The last N committed messages per channel.
using cache_actor = caf::typed_actor<
  caf::reacts_to<committed_atom, frame>,
  // One commit's messages, in id order.
  caf::reacts_to<committed_atom, frame_list>,
  // (channel, since, limit): messages with id > since, ascending, at most
  // limit; fails with errc::cache_miss when the cache cannot be sure it holds
  // all of them.
  caf::replies_to<history_atom, std::string, uint64_t, uint32_t>::with<frame_list>,
  // Forget every cached frame: the messages coming next do not follow on
  // from the cached ones (cluster mode, after the log was trimmed past this
  // node), so no channel's cached range can be vouched for any more.
  caf::reacts_to<caf::reset_atom>,
  // Storage removed this channel's messages up to this id (retention):
  // forget them, so that history stops serving them.
  caf::reacts_to<prune_atom, std::string, uint64_t>>;

/// The only owner of the SQLite connection.
using storage_actor = caf::typed_actor<
  // Answers with the committed frame once its transaction has committed;
  // fails with errc::channel_limit, storing nothing, when the draft would
  // create one channel more than max_channels allows.
  caf::replies_to<append_atom, draft>::with<frame>,
  // The same for several drafts at once: one result per draft, in order, so
  // a draft refused at the channel limit costs the others nothing.
  caf::replies_to<append_atom, draft_list>::with<append_results>,
  // Group commit: storage sends this to itself after the first pending append.
  caf::reacts_to<commit_atom>,
  // (channel, since, limit): as the cache's, plus what retention removed:
  // the first frame's prev_id is the previous id of the channel even when
  // that message is gone, and when every message after `since` is gone the
  // request fails with errc::history_removed (actors/history_gap.hpp).
  caf::replies_to<history_atom, std::string, uint64_t, uint32_t>::with<frame_list>,
  caf::replies_to<channels_atom>::with<channel_infos>,
  // Retention: removes one batch of expired or excess messages; storage
  // sends this to itself (cluster mode: nothing to do, see docs/api.md).
  caf::reacts_to<prune_atom>,
  // The highest id stored so far (0 for an empty database).
  caf::replies_to<last_id_atom>::with<uint64_t>,
  // Readiness (GET /readyz): answers once storage has shown it can commit
  // (SQLite: a write committed to the file; Redis: PING answered); fails
  // with errc::storage_failure and the reason otherwise.
  caf::replies_to<ready_atom>::with<caf::ok_atom>,
  // Commits anything pending, then answers: a barrier for shutdown.
  caf::replies_to<caf::flush_atom>::with<caf::ok_atom>,
  // A config reload: the new [limits] max_channels (0: no limit), for the
  // appends that follow. Channels already stored stay, even past it.
  caf::reacts_to<configure_atom, uint64_t>>;

/// Storage in cluster mode (cluster/redis_storage_actor.hpp): the same
/// contract over Redis, plus the periodic report of this node's subscriber
/// counts, which the cluster-wide counts of GET /api/channels add up.
using cluster_storage_actor = storage_actor::extend<
  // Start reporting under this node id (sent once the listener knows its
  // port, which is part of the default id).
  caf::reacts_to<report_atom, std::string>,
  // The reporting tick the actor sends itself every report_interval.
  caf::reacts_to<report_atom>>;

/// Cluster mode: follows the shared log in Redis and hands every message, in
/// log order, to the cache (and so to the broadcaster), on every node alike.
using log_reader_actor = caf::typed_actor<
  // One read of the log; the reader sends this to itself after each read.
  caf::reacts_to<poll_atom>>;

/// Takes validated publishes from the HTTP side and hands them to storage.
using ingest_actor = caf::typed_actor<
  caf::reacts_to<caf::publish_atom, draft, publish_responder>,
  // Publishes are waiting in the inbox: take them all as one batch.
  caf::reacts_to<caf::publish_atom, std::shared_ptr<inbox_signal>>>;

/// Answers the read-only HTTP queries (history, channel list).
using query_actor = caf::typed_actor<
  caf::reacts_to<history_atom, std::string, uint64_t, uint32_t, history_responder>,
  caf::reacts_to<channels_atom, channels_responder>>;

} // namespace herald

#pragma once

// The message vocabulary of herald's actors: the values they exchange, the
// atoms that name the verbs, and the one CAF type-ID block. Everything here is
// process-local (herald's actors never leave the process), so the payload
// types are whitelisted rather than serialized.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/make_message.hpp>
#include <caf/type_id.hpp>

namespace herald {

/// A committed message, rendered once to the JSON text frame every subscriber
/// receives. Immutable and shared: fan-out copies the pointer, never the text.
struct frame_data {
  uint64_t id = 0;      // global, strictly increasing; so also within a channel
  uint64_t prev_id = 0; // id of the previous message of the same channel, 0 if none
  std::string channel;
  std::string json;     // {"id":N,"channel":...,"username":...,"message":...,"time":...}
  // When this process learned the message was committed (storage's commit,
  // or in cluster mode the read of the shared log); unset for history.
  // Measures publish-to-write latency (herald_publish_to_write_seconds).
  std::chrono::steady_clock::time_point committed_at{};
};
using frame = std::shared_ptr<const frame_data>;
using frame_list = std::vector<frame>;

/// Storage's answer for one draft of a batch append: its committed frame, or
/// the error that draft alone met (the others of the batch are unaffected
/// unless the whole commit failed).
using append_result = caf::expected<frame>;
using append_results = std::vector<append_result>;

/// A message accepted for publishing but not stored yet.
struct draft {
  std::string channel;
  std::string username;
  std::string text;
  int64_t time_ms = 0; // Unix time in milliseconds, taken when the request arrived
};

using draft_list = std::vector<draft>;

/// One row of GET /api/channels.
struct channel_info {
  std::string name;
  uint64_t subscribers = 0;
  uint64_t stored = 0;  // messages stored for the channel
  uint64_t last_id = 0; // 0 when nothing is stored
};
using channel_infos = std::vector<channel_info>;

/// Subscriber counts per channel, as the broadcaster knows them.
using subscriber_counts = std::vector<std::pair<std::string, uint64_t>>;

/// What a publish came to; handed back to the network layer.
struct publish_result {
  int status = 200;     // HTTP status: 200; 429 at the channel limit; 503 when storage failed
  uint64_t id = 0;      // the committed id when status == 200
  std::string error;    // human-readable reason otherwise
};

struct history_result {
  int status = 200;
  frame_list frames;
  std::string error;
  // Set when retention removed messages after the requested `since`: the id
  // after which `frames` and everything later are complete (docs/api.md).
  std::optional<uint64_t> gap{};
};

struct channels_result {
  int status = 200;
  channel_infos channels;
  std::string error;
};

// Callbacks into the network layer. They must be cheap and thread-safe: the
// net layer implements them by posting onto the connection's strand.
using publish_responder = std::function<void(publish_result)>;
using history_responder = std::function<void(history_result)>;
using channels_responder = std::function<void(channels_result)>;

/// The session actor's view of its WebSocket connection. Implemented by
/// net::ws_session; every member is thread-safe (it posts to the strand).
/// Live messages do not pass through here: the broadcaster hands them to the
/// connection's I/O thread (fanout_target). The session actor only replays.
struct inbox_signal; // actors/publish_inbox.hpp

class connection_sink {
public:
  virtual ~connection_sink() = default;
  /// Queue replayed text frames, in id order; the connection enforces its
  /// byte limit. One call per burst: the connection writes once per call.
  virtual void send(frame_list frames) = 0;
  void send(frame f) { send(frame_list{std::move(f)}); }
  /// The replay is complete: live messages held back meanwhile follow, and
  /// from now on live messages go straight out.
  virtual void replay_done() = 0;
  /// Close the WebSocket with an RFC 6455 code and reason.
  virtual void close(uint16_t code, std::string reason) = 0;
  /// Complete the WebSocket handshake. Called by the session once it is
  /// counted on its channel; the connection already receives every live
  /// message, so a client that sees the upgrade succeed misses nothing
  /// published after it.
  virtual void subscribed() = 0;
  /// Asks for one `drained` notice (session_handle::drained) once the
  /// connection's queue has room again. Paces replays, which may be far
  /// larger than the write queue limit.
  virtual void notify_when_drained() = 0;
};
using sink_ptr = std::shared_ptr<connection_sink>;

/// Where the broadcaster hands committed messages: one per server, which
/// passes each batch to every I/O thread once (not once per subscriber).
/// deliver() must be thread-safe and must not block.
class fanout_target {
public:
  virtual ~fanout_target() = default;
  /// Committed messages in id order.
  virtual void deliver(std::shared_ptr<const frame_list> batch) = 0;
};
using fanout_ptr = std::shared_ptr<fanout_target>;

/// herald's error codes, carried in caf::error from storage up.
enum class errc : uint8_t {
  none = 0,
  storage_failure = 1, // SQLite refused a statement or a commit
  cache_miss = 2,      // the cache cannot answer; ask storage
  channel_limit = 3,   // the draft would create a channel past [limits] max_channels;
                       // the context holds the text for the publisher
  history_removed = 4, // retention removed every message after the `since` asked for;
                       // the context holds the id to resume from (actors/history_gap.hpp)
};

std::string to_string(errc x);

} // namespace herald

CAF_ERROR_CODE_ENUM(herald::errc, "herald")

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::frame_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::append_results)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::draft)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::draft_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::channel_infos)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::subscriber_counts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::fanout_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<herald::inbox_signal>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::publish_responder)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::history_responder)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(herald::channels_responder)

CAF_BEGIN_TYPE_ID_BLOCK(herald, caf::first_custom_type_id)
  // Verbs that CAF does not already name. CAF's own atoms are reused where the
  // verb fits: publish_atom, join_atom, leave_atom, get_atom, flush_atom,
  // close_atom, ok_atom.
  CAF_ADD_ATOM(herald, herald, attach_atom, "attach")       // -> broadcaster: a fanout_target
  CAF_ADD_ATOM(herald, herald, committed_atom, "committed") // storage -> cache -> broadcaster
  CAF_ADD_ATOM(herald, herald, append_atom, "append")       // ingest -> storage
  CAF_ADD_ATOM(herald, herald, history_atom, "history")     // -> cache / storage
  CAF_ADD_ATOM(herald, herald, channels_atom, "channels")   // -> broadcaster / storage
  CAF_ADD_ATOM(herald, herald, commit_atom, "commit")       // storage's own group-commit tick
  CAF_ADD_ATOM(herald, herald, last_id_atom, "last_id")     // -> storage
  CAF_ADD_ATOM(herald, herald, drained_atom, "drained")     // connection -> session
  CAF_ADD_ATOM(herald, herald, poll_atom, "poll")           // cluster log reader's own read tick
  CAF_ADD_ATOM(herald, herald, report_atom, "report")       // cluster storage: subscriber counts
  CAF_ADD_ATOM(herald, herald, ready_atom, "ready")         // -> storage: can it commit now?
  CAF_ADD_ATOM(herald, herald, prune_atom, "prune")         // storage's own retention tick; -> cache
  CAF_ADD_ATOM(herald, herald, configure_atom, "configure") // config reload -> storage
CAF_END_TYPE_ID_BLOCK(herald)

#pragma once

// The network layer's one door into the actors. This header has no CAF in
// it, so net/ files that include Beast stay quick to compile. Every member is
// thread-safe and non-blocking: it sends a message and returns.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/messages.hpp"

namespace caf {
class actor_system;
}

namespace herald {

struct hub_actors; // the actor handles, defined in actors/hub_actors.hpp
class publish_inbox; // actors/publish_inbox.hpp

/// Owns the tie between one WebSocket connection and its session actor.
class session_handle {
public:
  session_handle() = default;
  explicit session_handle(std::shared_ptr<void> actor) : actor_(std::move(actor)) {}
  /// The connection has ended: the session actor quits. Idempotent.
  void close();
  /// The connection's queue has room again (after notify_when_drained).
  void drained();
  explicit operator bool() const { return actor_ != nullptr; }

private:
  std::shared_ptr<void> actor_;
};

/// GET /readyz's answer: 200, or 503 and why storage cannot take a publish.
struct ready_result {
  int status = 200;
  std::string error;
};
using ready_responder = std::function<void(ready_result)>;

class hub {
public:
  struct counters {
    std::atomic<int64_t> open_sessions{0};
    std::atomic<int64_t> publishes_in_flight{0};
  };

  /// `actors` are spawned by the caller (app/main.cpp wires them together).
  /// A replay goes to a connection in bursts of at most `replay_budget`
  /// bytes (half the write queue limit leaves room for the rest).
  hub(caf::actor_system& sys, std::shared_ptr<hub_actors> actors,
      std::size_t replay_budget = 1024 * 1024);
  ~hub();

  void publish(draft d, publish_responder done);
  void history(std::string channel, uint64_t since, uint32_t limit, history_responder done);
  void channels(channels_responder done);
  /// Asks storage whether it can commit now (a write to SQLite, a PING to
  /// Redis); answers once, 503 if storage does not answer within 5 s.
  void ready(ready_responder done);

  /// Every committed message goes to `target` from now on (in batches, in
  /// id order). The server attaches itself before it accepts anyone.
  void attach_fanout(fanout_ptr target);

  /// Starts the session actor of a new WebSocket subscribed to `channel`;
  /// with `since`, it replays the stored messages with id > since and then
  /// calls the sink's replay_done(). The connection must already receive
  /// live messages (be registered with its I/O thread's fan-out).
  session_handle open_session(sink_ptr sink, std::string channel, std::optional<uint64_t> since);

  /// Asks every session to close (shutdown: 1001 "server shutting down").
  void close_all(uint16_t code, std::string reason);

  /// A config reload (write_queue_limit): sessions opened from now on replay
  /// in bursts of at most `bytes`. Thread-safe.
  void set_replay_budget(std::size_t bytes);

  const counters& stats() const { return *counters_; }

private:
  caf::actor_system& sys_;
  std::shared_ptr<hub_actors> actors_;
  std::shared_ptr<counters> counters_;
  std::shared_ptr<publish_inbox> inbox_;
  std::atomic<std::size_t> replay_budget_;
};

} // namespace herald

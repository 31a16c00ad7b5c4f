// start_ws_session with the hub: ties the connection to a session actor.
// Kept apart from ws_session.cpp so the connection links (and is tested)
// without the actors.

#include <memory>
#include <utility>

#include "actors/hub.hpp"
#include "net/fanout_shard.hpp"
#include "net/ws_session.hpp"

namespace herald {

void start_ws_session(upgraded_stream stream, boost::beast::flat_buffer buffer,
                      boost::beast::http::request<boost::beast::http::string_body> req,
                      std::string channel, std::optional<uint64_t> since,
                      uint64_t connection_id, const config& cfg, hub& h,
                      std::shared_ptr<const void> held) {
  // Both hooks run on the connection's strand, so the handle needs no lock.
  // The session actor holds the connection (its sink) and the connection
  // holds the handle until `ended`, whose close() makes the actor quit and
  // so breaks the cycle.
  auto handle = std::make_shared<session_handle>();
  ws_hooks hooks;
  // The connection is already in its shard's subscriber list when `opened`
  // runs; the session actor answers the upgrade (subscribed) once it is
  // counted, and replays (with since).
  hooks.opened = [&h, handle, channel, since](sink_ptr sink) {
    *handle = h.open_session(std::move(sink), channel, since);
  };
  hooks.ended = [handle] { handle->close(); };
  hooks.drained = [handle] { handle->drained(); };
  ws_params params{std::move(channel), since, connection_id, fanout_shard::current(),
                   std::move(held)};
  start_ws_session(std::move(stream), std::move(buffer), std::move(req), std::move(params),
                   cfg, std::move(hooks));
}

} // namespace herald

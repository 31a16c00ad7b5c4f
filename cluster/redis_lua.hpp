#pragma once

// The Lua scripts of redis_store: each does in one atomic step, on the
// server, what would otherwise take several round trips and could interleave
// with another node's.

namespace herald::redis_lua {

/// Appends a batch.
///   KEYS: next_id, log, channels, stored
///   ARGV: max_channels (0: none), log_length (0: no trimming),
///         channel stream key prefix ("<prefix>:ch:"),
///         then per draft: channel, username, text, time ms
/// Returns per draft two integers: id and prev_id; id 0 when the draft was
/// refused because it would create a channel past max_channels.
extern const char* const append;

/// The channel list with subscribers summed over the live nodes.
///   KEYS: channels, stored, nodes
///   ARGV: subscriber hash key prefix ("<prefix>:subs:")
/// Returns per channel four elements: name, stored, last id, subscribers.
extern const char* const channels;

} // namespace herald::redis_lua

#pragma once

// herald's stream entries in Redis (<prefix>:log and <prefix>:ch:<channel>):
// the entry id is "0-<message id>", the fields are c (channel, log only),
// u (username), m (text), t (time ms) and p (previous id in the channel), the
// numbers as decimal strings. Decoding turns them back into frames.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/messages.hpp"

struct redisReply;

namespace herald {

/// "0-<id>": the entry id of message `id`.
std::string stream_id(uint64_t id);

/// The message id in "0-<id>"; nullopt for anything else.
std::optional<uint64_t> parse_stream_id(std::string_view text);

/// Decimal digits only, no sign, no overflow.
std::optional<uint64_t> parse_u64(std::string_view text);
std::optional<int64_t> parse_i64(std::string_view text);

/// Appends the entries of an XRANGE reply (or one stream of an XREAD reply)
/// as rendered frames. `channel` names the channel of a channel stream; for
/// the log it is null and each entry's c field tells. False with `error` set
/// when the reply is not shaped like herald's entries.
bool decode_entries(const redisReply& entries, const std::string* channel, frame_list& out,
                    std::string& error);

} // namespace herald

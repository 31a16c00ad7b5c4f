#pragma once

// Telling a reader that retention removed messages it asked for. A reader
// that resumes after id `since` learns it from what history hands back,
// without a query of its own: each frame carries prev_id, the previous id of
// its channel, which storage keeps right even when that message is gone. So
// if the first frame after `since` has prev_id > since, the messages between
// were removed. When nothing after `since` is left to carry the news, storage
// fails the request with errc::history_removed instead.
//
// Both ways yield the same number, resume_from: the id after which the reader
// now has everything. It has the meaning of a lagged notice's resume_from
// (docs/api.md): the `since` to continue from.

#include <cstdint>
#include <optional>
#include <string>

#include <caf/error.hpp>

#include "actors/messages.hpp"

namespace herald {

/// resume_from when messages after `since` are missing in front of `page`
/// (a history answer for `since`); empty when the page follows on directly.
std::optional<uint64_t> gap_before(uint64_t since, const frame_list& page);

/// Storage's answer when retention removed every message after the `since`
/// asked for and `through` is the channel's last (removed) id.
caf::error history_removed_error(uint64_t through);

/// resume_from of a history_removed error; empty for any other error.
std::optional<uint64_t> removed_through(const caf::error& err);

/// The text frame {"type":"gap","resume_from":R} for `channel`, positioned
/// like a message with id R after `since`: a connection that orders frames by
/// id sends it in front of R's successors and treats every id up to R as done.
frame gap_frame(const std::string& channel, uint64_t since, uint64_t resume_from);

} // namespace herald

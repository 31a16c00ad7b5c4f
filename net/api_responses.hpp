#pragma once

// The JSON bodies of successful API responses. Frames are already JSON text:
// they are concatenated as they are, never parsed again.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/messages.hpp"

namespace herald {

/// {"status":"OK","id":N}
std::string publish_ok_json(uint64_t id);

/// {"status":"OK"}
std::string status_ok_json();

/// {"channel":"...","messages":[<frame json>,...]}, and with `gap` (retention
/// removed messages after the `since` asked for) ,"gap":{"resume_from":R}
/// after the messages.
std::string history_json(std::string_view channel, const frame_list& frames,
                         std::optional<uint64_t> gap = std::nullopt);

/// {"channels":[{"name":..,"subscribers":..,"stored":..,"last_id":..},...]}
/// in the order given (the query actor sorts by name).
std::string channels_json(const channel_infos& channels);

} // namespace herald

#pragma once

// The JSON bodies of successful API responses. Frames are already JSON text:
// they are concatenated as they are, never parsed again.

#include <cstdint>
#include <string>
#include <string_view>

#include "actors/messages.hpp"

namespace herald {

/// {"status":"OK","id":N}
std::string publish_ok_json(uint64_t id);

/// {"status":"OK"}
std::string status_ok_json();

/// {"channel":"...","messages":[<frame json>,...]}
std::string history_json(std::string_view channel, const frame_list& frames);

/// {"channels":[{"name":..,"subscribers":..,"stored":..,"last_id":..},...]}
/// in the order given (the query actor sorts by name).
std::string channels_json(const channel_infos& channels);

} // namespace herald

#pragma once

// Channel names as docs/api.md defines them. Pure: no I/O, no Beast.

#include <cstddef>
#include <string_view>

namespace herald {

/// Longest channel name accepted (characters, all of them ASCII).
constexpr std::size_t max_channel_name_length = 128;

/// True for 1-128 characters of [A-Za-z0-9_.:/-] with no leading or trailing
/// '/' and no "//". The name must already be percent-decoded.
bool valid_channel_name(std::string_view name);

} // namespace herald

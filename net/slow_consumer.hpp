#pragma once

// The slow-consumer policy of a channel ([slow_consumer] in the config) and
// the notice a client gets when messages were dropped for it. Pure.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace herald {

enum class slow_policy : uint8_t {
  disconnect,  // close 1008 with the id to resume from
  drop_oldest, // drop queued messages, keep the newest
  drop_newest, // drop incoming messages, keep what is queued
};

/// The policy for `channel`: the longest matching pattern of `channels` (a
/// name, or a prefix ending in '*'), else `fallback`. Policies are names as
/// the config loader checked them.
slow_policy policy_for(std::string_view channel, const std::string& fallback,
                       const std::map<std::string, std::string>& channels);

/// {"type":"lagged","skipped":N,"resume_from":ID}: N messages after ID were
/// dropped; GET history with since=ID fills the gap.
std::string lagged_notice(uint64_t skipped, uint64_t resume_from);

} // namespace herald

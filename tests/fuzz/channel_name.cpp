// Fuzzes the channel-name rule of docs/api.md against a second, plainly
// written statement of it, and checks that every valid name routes to
// itself on each endpoint that takes a channel.
//
// Input: the candidate name, as is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "net/channel_name.hpp"
#include "net/routes.hpp"

using namespace herald;

namespace {

// The rule segment by segment: 1-128 characters, '/'-separated segments,
// none of them empty, each of [A-Za-z0-9_.:-].
bool by_segments(std::string_view name) {
  if (name.empty() || name.size() > 128)
    return false;
  constexpr std::string_view segment_chars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-";
  std::string_view rest = name;
  while (true) {
    auto slash = rest.find('/');
    auto segment = rest.substr(0, slash);
    if (segment.empty() || segment.find_first_not_of(segment_chars) != std::string_view::npos)
      return false;
    if (slash == std::string_view::npos)
      return true;
    rest.remove_prefix(slash + 1);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view name{reinterpret_cast<const char*>(data), size};
  const bool valid = valid_channel_name(name);
  FUZZ_CHECK(valid == by_segments(name));
  if (!valid)
    return 0;

  // A valid name needs no escaping in a path, and comes back unchanged.
  const std::vector<web_asset> no_assets;
  auto history = resolve_route("GET", "/api/channels/" + std::string(name) + "/messages?limit=1",
                               false, no_assets);
  FUZZ_CHECK(history.status == 200 && history.kind == endpoint::history);
  FUZZ_CHECK(history.channel == name);
  auto socket = resolve_route("GET", "/socket/" + std::string(name), true, no_assets);
  FUZZ_CHECK(socket.status == 200 && socket.kind == endpoint::socket);
  FUZZ_CHECK(socket.channel == name);
  return 0;
}

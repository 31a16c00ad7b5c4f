// Fuzzes the Origin check of WebSocket upgrades: no crash on any origin,
// Host or allowed list, an exact (case-insensitive) listing always admits,
// and nothing that could carry another host (userinfo, a path) is admitted
// through a pattern or the same-host rule.
//
// Input: newline-separated fields: Origin, Host, then one allowed entry per
// line (none: only the server's own host is allowed).

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "net/origin.hpp"

using namespace herald;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

// What follows "scheme://" holds only what an authority may.
bool clean_authority(std::string_view origin) {
  auto sep = origin.find("://");
  if (sep == std::string_view::npos)
    return false;
  auto authority = origin.substr(sep + 3);
  return !authority.empty()
         && std::none_of(authority.begin(), authority.end(), [](char c) {
              auto u = static_cast<unsigned char>(c);
              return u <= 0x20 || u >= 0x7F || c == '/' || c == '@' || c == '\\' || c == '?'
                     || c == '#';
            });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest{reinterpret_cast<const char*>(data), size};
  auto origin = fuzz::next_line(rest);
  auto host = fuzz::next_line(rest);
  std::vector<std::string> allowed;
  while (!rest.empty())
    allowed.emplace_back(fuzz::next_line(rest));

  const bool ok = origin_allowed(origin, host, allowed);
  const bool listed = std::any_of(allowed.begin(), allowed.end(),
                                  [&](const std::string& a) { return iequals(a, origin); });
  if (listed)
    FUZZ_CHECK(ok);
  if (ok && !listed)
    FUZZ_CHECK(clean_authority(origin));
  return 0;
}

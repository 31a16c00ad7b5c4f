#include "config/conn_tag.hpp"

#include <limits>

namespace herald {

std::optional<uint64_t> find_conn_tag(std::string_view message) {
  constexpr std::string_view key = "conn=";
  for (auto at = message.find(key); at != std::string_view::npos;
       at = message.find(key, at + 1)) {
    if (at != 0 && message[at - 1] != ' ')
      continue; // "reconn=5" or "xconn=5" is not the tag
    auto pos = at + key.size();
    uint64_t id = 0;
    std::size_t digits = 0;
    bool overflow = false;
    for (; pos < message.size() && message[pos] >= '0' && message[pos] <= '9'; ++pos, ++digits) {
      auto d = static_cast<uint64_t>(message[pos] - '0');
      if (id > (std::numeric_limits<uint64_t>::max() - d) / 10)
        overflow = true;
      id = id * 10 + d;
    }
    if (digits > 0 && !overflow)
      return id;
  }
  return std::nullopt;
}

} // namespace herald

#include "storage/retention.hpp"

#include <algorithm>

namespace herald {

using namespace std::chrono_literals;

std::chrono::milliseconds retention_policy::interval() const {
  if (max_age.count() > 0)
    return std::clamp<std::chrono::milliseconds>(max_age / 10, 1ms, 1s);
  return 1s;
}

int64_t retention_policy::cutoff_ms() const {
  int64_t now = now_ms ? now_ms()
                       : std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  return now - max_age.count();
}

std::size_t cache_capacity(std::size_t cache_per_channel, std::size_t max_per_channel) {
  return max_per_channel > 0 ? std::min(cache_per_channel, max_per_channel) : cache_per_channel;
}

} // namespace herald

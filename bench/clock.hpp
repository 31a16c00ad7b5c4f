#pragma once

#include <cstdint>
#include <ctime>

namespace herald::bench {

// CLOCK_MONOTONIC is system-wide, so a send time stamped by the publishing
// process can be compared with an arrival time read in a worker process.
inline std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull
         + static_cast<std::uint64_t>(ts.tv_nsec);
}

constexpr std::uint64_t ns_per_ms = 1'000'000ull;
constexpr std::uint64_t ns_per_s = 1'000'000'000ull;

} // namespace herald::bench

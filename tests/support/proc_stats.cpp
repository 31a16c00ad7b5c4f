#include "support/proc_stats.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace herald::test_support {

std::optional<std::size_t> open_fd_count(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it{"/proc/" + std::to_string(pid) + "/fd", ec};
  if (ec)
    return std::nullopt;
  std::size_t n = 0;
  // Entries may vanish while we walk (the process closes fds): count what
  // the walk sees, that is the snapshot.
  for (auto end = std::filesystem::directory_iterator{}; it != end; it.increment(ec)) {
    if (ec)
      return std::nullopt;
    ++n;
  }
  return n;
}

std::optional<std::size_t> resident_bytes(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) != 0)
      continue;
    std::istringstream fields{line.substr(6)};
    std::size_t kib = 0;
    std::string unit;
    if (fields >> kib >> unit && unit == "kB")
      return kib * 1024;
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace herald::test_support

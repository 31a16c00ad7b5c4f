#pragma once

// What the kernel says about a running process, for tests that check the
// server gives back what it takes: open file descriptors and resident memory.

#include <cstddef>
#include <optional>

#include <sys/types.h>

namespace herald::test_support {

/// Entries of /proc/<pid>/fd; nullopt if the process is gone or unreadable.
std::optional<std::size_t> open_fd_count(pid_t pid);

/// VmRSS of /proc/<pid>/status in bytes; nullopt if unreadable.
std::optional<std::size_t> resident_bytes(pid_t pid);

} // namespace herald::test_support

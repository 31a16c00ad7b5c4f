#pragma once

// Starts a server binary as a child process for a test: output appended to a
// log file, stdin from /dev/null, none of the test's descriptors inherited,
// and killed by the kernel if the test process dies first.

#include <string>
#include <vector>

#include <sys/types.h>

namespace herald::test_support {

/// argv[0] is the binary's path; `cwd` empty keeps the test's directory.
/// The child's pid, or -1 when the log could not be opened or fork failed.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& cwd,
                   const std::string& log_path);

} // namespace herald::test_support

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace herald::bench {

// File descriptors a process keeps for itself (epoll, stdio, /proc reads).
constexpr std::size_t reserved_fds = 64;

// Raises the soft open-file limit to the hard one; returns the new limit.
std::size_t raise_fd_limit();

// A random run id in 1..999,999,999, so tokens of earlier runs (replayed
// from a server's store) are told apart.
std::uint64_t make_run_id();

// Splits a body template at "{payload}" (no placeholder: all prefix).
void split_template(const std::string& body, std::string& prefix, std::string& suffix);

// "auto" | "none" | "A.B.C.D-A.B.C.E" into source addresses in network
// byte order; auto means 127.0.0.2-254 when the target is on loopback.
// False on a malformed range.
bool parse_source_range(const std::string& text, bool loopback_target, std::vector<std::uint32_t>& out);

// How many subscriber processes N subscribers need under an fd limit:
// 0 means none, run them in the coordinating process itself.
std::size_t worker_processes(std::size_t subscribers, std::size_t requested, std::size_t fd_limit,
                             std::size_t publisher_fds);

// Publisher keep-alive connections: `requested`, else K for a closed loop
// of K (at most 64), else 4; 0 when not publishing. Rounded up to a
// multiple of `targets`, so that every publish URL gets as many.
std::size_t publisher_connections(bool publishing, std::size_t inflight, std::size_t requested,
                                  std::size_t targets);

} // namespace herald::bench

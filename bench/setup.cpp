#include "bench/setup.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/clock.hpp"

namespace herald::bench {

std::size_t raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 1024;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur == RLIM_INFINITY ? 1u << 20 : static_cast<std::size_t>(rl.rlim_cur);
}

std::uint64_t make_run_id() {
  auto seed = now_ns() ^ (static_cast<std::uint64_t>(getpid()) << 32);
  seed ^= seed >> 33;
  seed *= 0xff51afd7ed558ccdull;
  seed ^= seed >> 33;
  return seed % 999'999'999 + 1;
}

void split_template(const std::string& body, std::string& prefix, std::string& suffix) {
  auto at = body.find("{payload}");
  if (at == std::string::npos) {
    prefix = body;
    suffix.clear();
    return;
  }
  prefix = body.substr(0, at);
  suffix = body.substr(at + 9);
}

bool parse_source_range(const std::string& text, bool loopback_target, std::vector<std::uint32_t>& out) {
  out.clear();
  std::string range = text;
  if (text == "none")
    return true;
  if (text == "auto") {
    if (!loopback_target)
      return true;
    range = "127.0.0.2-127.0.0.254";
  }
  auto dash = range.find('-');
  if (dash == std::string::npos)
    return false;
  in_addr a{}, b{};
  if (inet_pton(AF_INET, range.substr(0, dash).c_str(), &a) != 1
      || inet_pton(AF_INET, range.substr(dash + 1).c_str(), &b) != 1)
    return false;
  auto lo = ntohl(a.s_addr), hi = ntohl(b.s_addr);
  if (hi < lo || hi - lo > 65535)
    return false;
  for (auto ip = lo; ip <= hi; ++ip)
    out.push_back(htonl(ip));
  return true;
}

std::size_t worker_processes(std::size_t subscribers, std::size_t requested, std::size_t fd_limit,
                             std::size_t publisher_fds) {
  auto per_process = fd_limit > reserved_fds ? fd_limit - reserved_fds : 1;
  if (requested == 1)
    return 0;
  if (requested > 1)
    return requested;
  if (subscribers + publisher_fds <= per_process)
    return 0;
  return (subscribers + per_process - 1) / per_process;
}

std::size_t publisher_connections(bool publishing, std::size_t inflight, std::size_t requested,
                                  std::size_t targets) {
  if (!publishing)
    return 0;
  std::size_t n = requested > 0 ? requested : inflight > 0 ? std::min<std::size_t>(inflight, 64) : 4;
  targets = std::max<std::size_t>(targets, 1);
  return (n + targets - 1) / targets * targets;
}

} // namespace herald::bench

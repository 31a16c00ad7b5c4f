#pragma once

// Runs a real redis-server as a child process for the cluster tests: a free
// port on 127.0.0.1, a private temp dir holding its append-only file, its
// output in a log file, and bounded waits. The AOF is fsynced on every write,
// so data written before a SIGKILL is there again after restart().

#include <chrono>
#include <csignal>
#include <cstdint>
#include <string>

#include <sys/types.h>

#include "support/temp_dir.hpp"

namespace herald::test_support {

using namespace std::chrono_literals;

class redis_process {
public:
  redis_process(); // picks the port; starts nothing
  ~redis_process(); // SIGKILL if still running
  redis_process(const redis_process&) = delete;
  redis_process& operator=(const redis_process&) = delete;

  /// Starts redis-server and waits until it answers PING (polling every
  /// 10 ms). False if it died or did not answer in time; the log is then
  /// printed to stderr for the report. If the port was taken meanwhile the
  /// first start picks another one: read port() and url() after start().
  bool start(std::chrono::milliseconds timeout = 5s);

  /// Sends `sig`. For a signal that ends the process (SIGKILL, SIGTERM,
  /// SIGINT, SIGQUIT) also waits, bounded, until it has ended, so that the
  /// port is free for restart(). SIGSTOP / SIGCONT freeze and thaw it.
  bool kill(int sig = SIGKILL);

  /// Orderly shutdown (SIGTERM), bounded wait; false if it did not end.
  bool stop(std::chrono::milliseconds timeout = 5s);

  /// Kills it if running, then starts it again on the same port and dir.
  bool restart(std::chrono::milliseconds timeout = 5s);

  /// Non-blocking check.
  bool running();

  uint16_t port() const { return port_; }
  /// "redis://127.0.0.1:<port>", what the [cluster] redis setting holds.
  std::string url() const;
  const temp_dir& dir() const { return dir_; }
  std::string log_path() const { return dir_.file("redis.log"); }
  std::string log_text() const;

private:
  bool spawn();
  bool wait_ended(std::chrono::milliseconds timeout);
  bool answers_ping(std::chrono::milliseconds timeout);

  temp_dir dir_;
  uint16_t port_;
  pid_t pid_ = -1;
  bool started_ = false; // the port is known to others from then on
};

} // namespace herald::test_support

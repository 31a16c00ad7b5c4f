#include "support/redis_process.hpp"
#include "support/child_process.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "support/raw_tcp.hpp"

namespace herald::test_support {

namespace {

// redis-server from PATH, else where Debian installs it.
std::string find_redis_server() {
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs{path};
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty())
        continue;
      auto candidate = dir + "/redis-server";
      if (::access(candidate.c_str(), X_OK) == 0)
        return candidate;
    }
  }
  return "/usr/bin/redis-server";
}

} // namespace

redis_process::redis_process() : port_(free_port()) {
}

redis_process::~redis_process() {
  kill(SIGKILL);
}

std::string redis_process::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

std::string redis_process::log_text() const {
  return read_file(log_path());
}

bool redis_process::spawn() {
  if (pid_ > 0 || !dir_.ok())
    return false;
  std::vector<std::string> args{find_redis_server(),
                                "--port", std::to_string(port_),
                                "--bind", "127.0.0.1",
                                "--dir", dir_.path().string(),
                                "--appendonly", "yes",
                                "--appendfsync", "always",
                                "--save", "",
                                "--daemonize", "no",
                                "--logfile", ""};
  pid_t pid = spawn_logged(args, "", log_path());
  if (pid < 0)
    return false;
  pid_ = pid;
  return true;
}

bool redis_process::running() {
  if (pid_ <= 0)
    return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == 0)
    return true;
  pid_ = -1; // reaped (or not ours any more)
  return false;
}

bool redis_process::wait_ended(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    // Nothing to await but the kernel's state change: poll in small steps.
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

bool redis_process::answers_ping(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running())
      return false;
    raw_tcp probe{port_};
    // While it loads the AOF Redis answers -LOADING: not ready yet.
    if (probe.connected() && probe.send("PING\r\n") && probe.read_until("\r\n", 200ms)
        && probe.received().rfind("+PONG", 0) == 0)
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

bool redis_process::start(std::chrono::milliseconds timeout) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto log_before = log_text().size();
    if (spawn() && answers_ping(timeout)) {
      started_ = true;
      return true;
    }
    // Another process took the free port first. Before the first start
    // nobody knows the port yet, so another one will do; later it must stay.
    bool port_taken = !running()
                      && log_text().find("Address already in use", log_before)
                           != std::string::npos;
    if (started_ || !port_taken)
      break;
    port_ = free_port();
  }
  std::cerr << "redis-server did not start on port " << port_ << " (dir "
            << dir_.path().string() << ")\n--- log ---\n"
            << log_text() << "--------------\n";
  return false;
}

bool redis_process::kill(int sig) {
  if (!running() || ::kill(pid_, sig) != 0)
    return false;
  if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) {
    // A stopped process does not act on SIGTERM until it runs again.
    if (sig != SIGKILL)
      ::kill(pid_, SIGCONT);
    return wait_ended(5s);
  }
  return true;
}

bool redis_process::stop(std::chrono::milliseconds timeout) {
  if (!running())
    return true;
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);
  return wait_ended(timeout);
}

bool redis_process::restart(std::chrono::milliseconds timeout) {
  if (running() && !kill(SIGKILL))
    return false;
  return start(timeout);
}

} // namespace herald::test_support

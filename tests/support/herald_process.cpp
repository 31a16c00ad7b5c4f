#include "support/herald_process.hpp"
#include "support/child_process.hpp"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "support/http_client.hpp"

namespace herald::test_support {

namespace {

// Adds `line` unless the caller's lines already set `key`.
void add_default(std::string& section, const std::string& key, const std::string& line) {
  if (section.find(key) == std::string::npos)
    section += line + "\n";
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

pid_t spawn_child(const std::vector<std::string>& args, const std::string& cwd,
                  const std::string& log_path) {
  std::vector<std::string> argv{HERALD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_logged(argv, cwd, log_path);
}

exit_status wait_for(pid_t pid, exit_status& cached, std::chrono::milliseconds timeout) {
  if (pid < 0 || cached.kind != exit_status::running)
    return cached;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(st))
        cached = {exit_status::exited, WEXITSTATUS(st)};
      else if (WIFSIGNALED(st))
        cached = {exit_status::signaled, WTERMSIG(st)};
      return cached;
    }
    if (r < 0)
      return cached = {exit_status::exited, -1};
    if (std::chrono::steady_clock::now() >= deadline)
      return cached;
    // Nothing to await but the kernel's state change: poll in small steps.
    std::this_thread::sleep_for(5ms);
  }
}

} // namespace

std::string to_string(const exit_status& st) {
  switch (st.kind) {
    case exit_status::running:
      return "running";
    case exit_status::exited:
      return "exit " + std::to_string(st.value);
    case exit_status::signaled:
      return "signal " + std::to_string(st.value);
  }
  return "?";
}

herald_process::herald_process(herald_options opts)
  : opts_(std::move(opts)),
    port_(opts_.port != 0 ? opts_.port : free_port()),
    db_path_(opts_.db_path.empty() ? dir_.file("herald.db") : opts_.db_path) {
}

herald_process::~herald_process() {
  if (pid_ > 0 && status_.kind == exit_status::running) {
    ::kill(pid_, SIGKILL);
    wait_for(pid_, status_, 5s);
  }
}

std::string herald_process::host() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string herald_process::config_text() const {
  if (config_override_)
    return *config_override_;
  auto server = opts_.server_toml;
  auto storage = opts_.storage_toml;
  add_default(server, "io_threads", "io_threads = 2");
  add_default(server, "actor_threads", "actor_threads = 2");
  // Tests publish thousands of messages; the durability suite asks for "full".
  add_default(storage, "synchronous", "synchronous = \"normal\"");
  std::string out = "[server]\n";
  if (!opts_.use_flags)
    out += "listen = " + quoted(host()) + "\n";
  out += server + "\n[websocket]\n" + opts_.websocket_toml + "\n[storage]\n";
  if (!opts_.use_flags)
    out += "path = " + quoted(db_path_) + "\n";
  out += storage + "\n[auth.tokens]\n";
  for (auto& [token, user] : opts_.tokens)
    out += quoted(token) + " = " + quoted(user) + "\n";
  out += "\n[log]\n";
  if (!opts_.use_flags)
    out += "level = " + quoted(opts_.log_level) + "\n";
  out += opts_.log_toml + "\n";
  out += "\n" + opts_.extra_toml + "\n";
  return out;
}

bool herald_process::spawn() {
  if (pid_ > 0)
    return false;
  if (!write_file(config_path(), config_text()))
    return false;
  std::vector<std::string> args{"--config", config_path()};
  if (opts_.use_flags) {
    args.insert(args.end(), {"--listen", host(), "--db", db_path_, "--log-level",
                             opts_.log_level});
  }
  args.insert(args.end(), opts_.extra_args.begin(), opts_.extra_args.end());
  pid_ = spawn_child(args, dir_.path().string(), log_path());
  status_ = {};
  return pid_ > 0;
}

bool herald_process::start(std::chrono::milliseconds ready_timeout) {
  if (spawn() && serving(ready_timeout))
    return true;
  std::cerr << "herald did not start (" << to_string(wait_exit(0ms)) << ") on port " << port_
            << "\n--- config ---\n" << config_text() << "--- log ---\n" << log_text()
            << "--------------\n";
  return false;
}

bool herald_process::serving(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running())
      return false;
    http_client probe{port_, 1s};
    if (probe.connect(200ms) && probe.request("GET", "/healthz").status == 200)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

bool herald_process::kill(int sig) {
  return pid_ > 0 && status_.kind == exit_status::running && ::kill(pid_, sig) == 0;
}

exit_status herald_process::wait_exit(std::chrono::milliseconds timeout) {
  return wait_for(pid_, status_, timeout);
}

bool herald_process::running() {
  return pid_ > 0 && wait_exit(0ms).kind == exit_status::running;
}

std::string herald_process::log_text() const {
  return read_file(log_path());
}

bool herald_process::rewrite_config(herald_options opts) {
  opts.port = port_;
  opts.db_path = db_path_;
  opts_ = std::move(opts);
  config_override_.reset();
  return write_file(config_path(), config_text());
}

bool herald_process::rewrite_config_text(std::string text) {
  config_override_ = std::move(text);
  return write_file(config_path(), *config_override_);
}

std::size_t herald_process::log_count(const std::string& text) const {
  auto log = log_text();
  std::size_t n = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + text.size()))
    ++n;
  return n;
}

bool herald_process::wait_for_log(const std::string& text, std::size_t count,
                                  std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (log_count(text) >= count)
      return true;
    if (std::chrono::steady_clock::now() >= deadline || !running())
      return log_count(text) >= count;
    // The log is the only acknowledgement a signal gets.
    std::this_thread::sleep_for(10ms);
  }
}

run_result run_herald(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  temp_dir dir;
  auto log = dir.file("out.log");
  run_result result;
  pid_t pid = spawn_child(args, dir.path().string(), log);
  if (pid < 0) {
    result.status = {exit_status::exited, -1};
    return result;
  }
  result.status = wait_for(pid, result.status, timeout);
  if (result.status.kind == exit_status::running) {
    ::kill(pid, SIGKILL);
    exit_status killed;
    wait_for(pid, killed, 5s);
  }
  result.output = read_file(log);
  return result;
}

} // namespace herald::test_support

#pragma once

// Runs the real herald binary as a child process with a generated config, a
// private temp dir, its output captured in a log file, and bounded waits.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "support/temp_dir.hpp"

namespace herald::test_support {

using namespace std::chrono_literals;

/// The token every test publishes with, and the user it maps to.
constexpr const char* default_token = "alice-token";
constexpr const char* default_user = "alice";
/// A second configured token, for tests that tell users apart.
constexpr const char* other_token = "bob-token";
constexpr const char* other_user = "bob";

/// What goes into the generated config. Each *_toml string holds extra lines
/// for that section; herald_process adds listen/path/level itself and a few
/// defaults (io_threads, actor_threads, synchronous) unless the lines set them.
struct herald_options {
  std::string server_toml;
  std::string websocket_toml;
  std::string storage_toml;
  std::string log_toml;   // [log] lines besides level (format = "json", ...)
  std::string extra_toml; // further sections, appended as written
  std::map<std::string, std::string> tokens{{default_token, default_user},
                                            {other_token, other_user}};
  std::string db_path;    // empty: herald.db in the process's temp dir
  std::string log_level = "info";
  uint16_t port = 0;      // 0: pick a free port
  /// Pass listen address, db path and log level as --listen/--db/--log-level
  /// instead of config lines (covers the command-line overrides).
  bool use_flags = false;
  std::vector<std::string> extra_args;
};

/// How a child process ended (or that it has not).
struct exit_status {
  enum kind_t { running, exited, signaled } kind = running;
  int value = 0; // exit code or signal number

  bool exited_with(int code) const { return kind == exited && value == code; }
};

/// "exit 0", "signal 9", "running": readable in a failed check.
std::string to_string(const exit_status& st);

class herald_process {
public:
  explicit herald_process(herald_options opts = {});
  ~herald_process(); // SIGKILL if still running
  herald_process(const herald_process&) = delete;
  herald_process& operator=(const herald_process&) = delete;

  /// Writes the config, starts the binary and waits until GET /healthz
  /// answers 200 (polling every 20 ms). False if the process died or did not
  /// serve in time; the log is then printed to stderr for the report.
  bool start(std::chrono::milliseconds ready_timeout = 10s);

  /// Starts the binary without waiting for it to serve (for start-up failures).
  bool spawn();

  bool kill(int sig);
  /// Bounded wait for the process to end; kind == running on timeout.
  exit_status wait_exit(std::chrono::milliseconds timeout);
  /// Non-blocking check.
  bool running();

  uint16_t port() const { return port_; }
  /// "127.0.0.1:<port>", what a client sends as Host.
  std::string host() const;
  const std::string& db_path() const { return db_path_; }
  std::string config_path() const { return dir_.file("herald.toml"); }
  std::string log_path() const { return dir_.file("herald.log"); }
  std::string log_text() const;
  pid_t pid() const { return pid_; }
  const temp_dir& dir() const { return dir_; }

  /// The config text that start()/spawn() write (visible for diagnostics).
  std::string config_text() const;

  /// Replace the generated config with this text verbatim (bad-config tests).
  void set_config_text(std::string text) { config_override_ = std::move(text); }

  /// Rewrites the config file, for a reload (SIGHUP) of the running process:
  /// generated from `opts` as start() does, with the same port and database
  /// (opts.port and opts.db_path are ignored), or verbatim. The command line
  /// stays the one of the start. False if the file cannot be written.
  bool rewrite_config(herald_options opts);
  bool rewrite_config_text(std::string text);

  /// How often `text` occurs in the log so far.
  std::size_t log_count(const std::string& text) const;
  /// Polls the log (every 10 ms, at most `timeout`) until `text` occurs
  /// at least `count` times; false on timeout or when the process died.
  bool wait_for_log(const std::string& text, std::size_t count = 1,
                    std::chrono::milliseconds timeout = 10s);

private:
  bool serving(std::chrono::milliseconds timeout);

  herald_options opts_;
  temp_dir dir_;
  uint16_t port_;
  std::string db_path_;
  std::optional<std::string> config_override_;
  pid_t pid_ = -1;
  exit_status status_;
};

/// Runs herald with exactly these arguments (for --help, --version, bad
/// configs), output captured; kills it if it has not ended by `timeout`.
struct run_result {
  exit_status status;
  std::string output;
};
run_result run_herald(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = 10s);

} // namespace herald::test_support

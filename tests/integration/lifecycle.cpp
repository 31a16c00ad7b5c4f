// Start-up and shutdown of the binary: graceful stop on SIGTERM/SIGINT with
// clients told why, the command line, and one clear line for every broken
// environment or config.
#define CAF_SUITE integration_lifecycle
#include <cstdlib>
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <regex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void graceful_stop(int sig) {
  temp_dir db_dir;
  herald_options opts;
  opts.db_path = db_dir.file("herald.db");
  opts.server_toml = "shutdown_timeout = \"3s\"\n";
  std::vector<uint64_t> acked;
  {
    herald_process server{opts};
    CAF_REQUIRE(server.start());
    ws_client a{server.port()}, b{server.port()};
    CAF_REQUIRE(a.connect("/socket/life/x").upgraded);
    CAF_REQUIRE(b.connect("/socket/system/message").upgraded);
    // Publishing continues while the signal arrives: whatever was
    // acknowledged must be stored.
    std::mutex mtx;
    std::atomic<bool> stop{false};
    std::thread publisher{[&] {
      http_client http{server.port(), 5s};
      for (int i = 0; i < 5000 && !stop; ++i) {
        auto r = publish(http, "life/x", "l" + std::to_string(i));
        if (r.status != 200)
          return;
        std::lock_guard<std::mutex> guard{mtx};
        acked.push_back(r.id);
      }
    }};
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> guard{mtx};
        if (acked.size() >= 30)
          break;
      }
      std::this_thread::sleep_for(10ms);
    }
    CAF_REQUIRE(server.kill(sig));
    std::vector<std::string> texts_a, texts_b;
    auto end_a = a.read_until_close(texts_a, 10s, 10000);
    auto end_b = b.read_until_close(texts_b, 10s, 10000);
    // Each client is told when to come back, at a jittered moment.
    for (auto& end : {end_a, end_b}) {
      auto text = to_string(end);
      const std::string prefix = "closed 1001 server shutting down; retry_after_ms=";
      CAF_CHECK_EQUAL(text.substr(0, prefix.size()), prefix);
      auto ms = std::atoi(text.c_str() + std::min(prefix.size(), text.size()));
      CAF_CHECK(ms >= 500 && ms < 5000);
    }
    auto st = server.wait_exit(10s);
    stop = true;
    publisher.join();
    CAF_CHECK_EQUAL(to_string(st), "exit 0");
    if (!st.exited_with(0))
      CAF_MESSAGE("log:\n" << server.log_text());
  }
  CAF_REQUIRE_GREATER_OR_EQUAL(acked.size(), 30u);
  herald_process again{opts};
  CAF_REQUIRE(again.start());
  http_client http{again.port()};
  std::vector<uint64_t> stored;
  uint64_t since = 0;
  for (int page = 0; page < 20; ++page) {
    auto h = history(http, "life/x", "?since=" + std::to_string(since) + "&limit=1000");
    if (h.messages.empty())
      break;
    for (auto& m : h.messages)
      stored.push_back(m.id);
    since = stored.back();
  }
  // Every acknowledged id is stored (in order, as acknowledged by one client).
  std::vector<uint64_t> stored_acked;
  for (auto id : stored)
    if (std::find(acked.begin(), acked.end(), id) != acked.end())
      stored_acked.push_back(id);
  CAF_CHECK_EQUAL(stored_acked, acked);
}

// True if one line of `log` contains `what` and one of `failure_words`
// (the effective-config dump at start-up names the port and path too, so a
// bare substring would prove nothing).
bool has_failure_line(const std::string& log, const std::string& what,
                      std::initializer_list<const char*> failure_words) {
  std::size_t start = 0;
  while (start < log.size()) {
    auto end = log.find('\n', start);
    if (end == std::string::npos)
      end = log.size();
    auto line = log.substr(start, end - start);
    start = end + 1;
    if (!contains(line, what))
      continue;
    for (auto word : failure_words)
      if (contains(line, word))
        return true;
  }
  return false;
}

exit_status start_expecting_failure(herald_process& p, std::string& log) {
  CAF_REQUIRE(p.spawn());
  auto st = p.wait_exit(10s);
  log = p.log_text();
  return st;
}

} // namespace

CAF_TEST(sigterm closes clients with 1001 and exits 0 with everything stored) {
  graceful_stop(SIGTERM);
}

CAF_TEST(sigint does the same) {
  graceful_stop(SIGINT);
}

CAF_TEST(help lists the flags and exits 0) {
  auto r = run_herald({"--help"});
  CAF_CHECK_EQUAL(to_string(r.status), "exit 0");
  for (auto flag : {"--config", "--listen", "--db", "--log-level", "--help", "--version"})
    CAF_CHECK(contains(r.output, flag));
}

CAF_TEST(version prints a version and exits 0) {
  auto r = run_herald({"--version"});
  CAF_CHECK_EQUAL(to_string(r.status), "exit 0");
  CAF_CHECK(std::regex_search(r.output, std::regex{"[0-9]+\\.[0-9]+\\.[0-9]+"}));
}

CAF_TEST(bad configs exit 2 naming the key) {
  struct bad_config {
    std::string config;
    std::string named;
  };
  for (auto& c : {bad_config{"[server]\nbogus_key = 1\n", "bogus_key"},
                  bad_config{"[server]\nio_threads = \"many\"\n", "io_threads"},
                  bad_config{"[websocket]\nhandshake_timeout = \"soon\"\n", "handshake_timeout"},
                  bad_config{"[websocket]\nmax_message_size = \"big\"\n", "max_message_size"},
                  bad_config{"[websocket]\ncompression = 3\n", "compression"},
                  bad_config{"[storage]\nsynchronous = \"sometimes\"\n", "synchronous"},
                  bad_config{"[mystery]\nx = 1\n", "mystery"},
                  bad_config{"[server]\nlisten = \"no-port-here\"\n", "listen"},
                  // Every origin would bring back cross-site WebSocket hijacking.
                  bad_config{"[websocket]\nallowed_origins = [\"*\"]\n", "allowed_origins"},
                  bad_config{"[server\nlisten = \n", ""}}) {
    CAF_MESSAGE("config: " << c.config);
    herald_process p;
    p.set_config_text(c.config);
    std::string log;
    auto st = start_expecting_failure(p, log);
    CAF_CHECK_EQUAL(to_string(st), "exit 2");
    CAF_CHECK(contains(log, c.named));
    if (!contains(log, c.named) || !st.exited_with(2))
      CAF_MESSAGE("output: " << log);
  }
}

CAF_TEST(bad command lines exit 2 naming the flag) {
  auto r = run_herald({"--bogus-flag"});
  CAF_CHECK_EQUAL(to_string(r.status), "exit 2");
  CAF_CHECK(contains(r.output, "--bogus-flag"));
  herald_options opts;
  opts.extra_args = {"--listen", "garbage"};
  herald_process p{opts};
  std::string log;
  CAF_CHECK_EQUAL(to_string(start_expecting_failure(p, log)), "exit 2");
  CAF_CHECK(contains(log, "garbage") || contains(log, "listen"));
  auto missing = run_herald({"--config", "/nonexistent/herald.toml"});
  CAF_CHECK_EQUAL(to_string(missing.status), "exit 2");
  CAF_CHECK(contains(missing.output, "/nonexistent/herald.toml"));
}

CAF_TEST(port already in use exits non-zero with a clear line) {
  // Hold the port with a listening socket of our own.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  CAF_REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  CAF_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  CAF_REQUIRE(::listen(fd, 1) == 0);
  CAF_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  herald_options opts;
  opts.port = ntohs(addr.sin_port);
  herald_process p{opts};
  std::string log;
  auto st = start_expecting_failure(p, log);
  ::close(fd);
  CAF_CHECK_EQUAL(to_string(st).substr(0, 5), "exit ");
  CAF_CHECK_NOT_EQUAL(to_string(st), "exit 0");
  CAF_CHECK(has_failure_line(log, std::to_string(opts.port), {"in use", "cannot", "failed"}));
  CAF_MESSAGE("output: " << log);
}

CAF_TEST(unwritable database path exits non-zero with a clear line) {
  temp_dir dir;
  CAF_REQUIRE(write_file(dir.file("not-a-dir"), "a file, not a directory"));
  herald_options opts;
  opts.db_path = dir.file("not-a-dir") + "/herald.db";
  herald_process p{opts};
  std::string log;
  auto st = start_expecting_failure(p, log);
  CAF_CHECK_EQUAL(to_string(st).substr(0, 5), "exit ");
  CAF_CHECK_NOT_EQUAL(to_string(st), "exit 0");
  CAF_CHECK(has_failure_line(log, "not-a-dir", {"cannot", "unable", "failed", "error"}));
  CAF_MESSAGE("output: " << log);
}

CAF_TEST(command line flags override the config) {
  herald_options opts;
  opts.use_flags = true; // --listen, --db, --log-level instead of config lines
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  CAF_CHECK_EQUAL(publish(http, "", "via flags").status, 200);
  CAF_CHECK(!read_file(server.db_path()).empty());
}

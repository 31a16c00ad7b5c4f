#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/event_loop.hpp"
#include "bench/histogram.hpp"
#include "bench/shared_state.hpp"
#include "bench/url.hpp"

namespace herald::bench {

struct publisher_config {
  std::vector<url> targets;       // connection i publishes to targets[i % size]
  std::vector<std::string> heads; // per target: request line and fixed headers, without Content-Length
  std::string body_prefix; // the body template around {payload}
  std::string body_suffix;
  std::size_t size = 100;  // payload bytes
  double rate = 0;         // open loop: publishes per second
  std::size_t inflight = 0; // closed loop: requests in flight (0: open loop)
  std::size_t connections = 1;    // a multiple of the targets, so each gets as many
  std::size_t depth = 1;   // requests in flight per connection (pipelining)
  std::uint64_t run_id = 0;
};

// Builds the fixed part of every request from the user's flags.
std::string make_request_head(const url& target, const std::string& content_type, const std::string& auth,
                              const std::vector<std::string>& headers);

class publisher_connection;

// Publishes numbered messages over HTTP keep-alive connections, open loop
// (a rate) or closed loop (K in flight), recording each seq's outcome in
// shared memory and the acknowledgement latency. Runs on one thread.
class publisher {
public:
  publisher(event_loop& loop, publisher_config config, shared_region& region);
  ~publisher();

  // Opens every connection; returns an error text or "".
  std::string connect_all();
  void start(std::uint64_t now);
  void stop() noexcept { running_ = false; }
  // Sends what the schedule (open loop) asks for; call after every loop iteration.
  void tick(std::uint64_t now);

  std::uint64_t sent() const noexcept { return next_seq_ - 1; }
  std::uint64_t acked() const noexcept { return acked_; }
  std::uint64_t failed() const noexcept { return failed_; }
  std::uint64_t in_flight() const noexcept { return sent() - acked_ - failed_; }
  std::uint64_t behind_max() const noexcept { return behind_max_; } // open loop: most sends overdue
  const histogram& ack_latency() const noexcept { return ack_latency_; }
  // Acknowledged publishes per target, in the order of config().targets.
  std::vector<std::uint64_t> acked_per_target() const;
  const std::string& last_error() const noexcept { return last_error_; }
  bool exhausted() const noexcept { return sent() >= region_.max_seqs; }

  // --- for publisher_connection (same thread) ---
  void send_one(publisher_connection& c, std::uint64_t now);
  void on_response(std::uint64_t seq, std::uint64_t send_ns, int status, std::uint64_t now);
  void on_failed(std::uint64_t seq, const std::string& why);
  bool closed_loop() const noexcept { return config_.inflight > 0; }
  bool running() const noexcept { return running_; }
  event_loop& loop() noexcept { return loop_; }
  const publisher_config& config() const noexcept { return config_; }

private:
  void advance_watermark();

  event_loop& loop_;
  publisher_config config_;
  shared_region& region_;
  std::vector<std::unique_ptr<publisher_connection>> conns_;
  bool running_ = false;
  std::uint64_t start_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t watermark_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t behind_max_ = 0;
  std::size_t next_conn_ = 0;
  histogram ack_latency_;
  std::string last_error_;
};

} // namespace herald::bench

#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/options.hpp"

namespace herald::bench {

struct server_point {
  bool ok = false;
  double cpu_seconds = 0;
  std::uint64_t rss_kb = 0;
};

// Everything one run measured, summed over the subscriber processes.
struct run_results {
  std::vector<std::string> sub_urls; // subscribers spread round robin over these
  std::vector<std::string> pub_urls; // publisher connections spread evenly over these
  std::vector<int> server_pids;
  std::size_t workers = 1;
  std::uint64_t run_id = 0;
  // subscribers
  std::uint64_t wanted = 0;
  std::uint64_t universe = 0; // open when publishing started
  std::uint64_t opened = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t reconnect_failures = 0;
  std::uint64_t disconnects = 0;
  std::uint64_t churn_closes = 0;
  std::uint64_t foreign = 0;
  std::uint64_t untokened = 0;
  std::uint64_t protocol_errors = 0;
  double connect_seconds = 0;
  // publishing
  bool publishing = false;
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;
  std::uint64_t failed = 0;
  std::uint64_t unacknowledged = 0;
  std::uint64_t behind_max = 0;
  double publish_seconds = 0;
  std::uint64_t acked_at_stop = 0;
  std::vector<std::uint64_t> acked_per_target; // in the order of pub_urls
  std::string publish_error;
  // deliveries
  std::uint64_t expected = 0;
  std::uint64_t received = 0;
  std::uint64_t received_at_stop = 0;
  std::uint64_t lost = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  double drain_seconds = 0;
  histogram latency;
  histogram ack_latency;
  // server, at four points: before connecting, connected, publishing stopped, drained
  server_point before, connected, published, after;
  // the harness itself, over the publishing phase
  double main_cpu_ratio = 0;
  double worker_cpu_ratio_max = 0;
  bool saturated = false;
};

// The URLs on one line, separated by spaces.
std::string joined(const std::vector<std::string>& urls);

void print_table(std::FILE* out, const run_results& r, const options& o);
void print_json(std::FILE* out, const run_results& r, const options& o);

// 0: clean; 1: something lost, duplicated, out of order, failed or never connected.
int exit_code(const run_results& r);

} // namespace herald::bench

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "bench/histogram.hpp"

namespace herald::bench {

// The run's phases, set by the coordinator (the process that publishes)
// and followed by every subscriber group.
enum class phase : std::uint32_t {
  connect, // open subscribers at the ramp rate
  settle,  // give up on unfinished handshakes; fix who is expected to receive
  publish, // publishing runs; churn runs
  drain,   // publishing stopped; churn stopped; late deliveries still count
  finish,  // compute the results, close everything
};

// What one subscriber process shares with the coordinator. Live counters
// are written by the worker alone and read by the coordinator for progress.
struct worker_block {
  std::atomic<std::uint64_t> open_now{0};
  std::atomic<std::uint64_t> opened{0};          // handshakes completed, reconnects included
  std::atomic<std::uint64_t> connect_failures{0}; // first connections that never opened
  std::atomic<std::uint64_t> reconnect_failures{0};
  std::atomic<std::uint64_t> disconnects{0};     // closed by the server or the network
  std::atomic<std::uint64_t> churn_closes{0};    // closed on purpose, then reopened
  std::atomic<std::uint64_t> deliveries{0};      // frames carrying this run's token
  std::atomic<std::uint64_t> unique{0};          // first receipts, per subscriber
  std::atomic<std::uint64_t> foreign{0};         // tokens of another run
  std::atomic<std::uint64_t> untokened{0};       // frames without a token
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> universe{0};        // subscribers expected to receive
  std::atomic<std::uint64_t> cpu_ns{0};          // the worker's own CPU time
  std::atomic<std::uint32_t> seen_phase{0};      // last phase acted upon
  // Final results, written once in phase::finish before `done`.
  std::uint64_t lost = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  histogram latency;
  std::atomic<std::uint32_t> done{0};
};

struct shared_header {
  std::atomic<std::uint32_t> current{0}; // a phase
  std::atomic<std::uint64_t> last_seq{0}; // set before phase::finish
};

// Per-seq publish outcome, written by the publisher, read by every
// subscriber group once the run is finished.
enum seq_status : std::uint8_t { unsent = 0, in_flight = 1, acked = 2, failed = 3 };

// Anonymous shared memory created before fork(); every process sees it.
struct shared_region {
  shared_header* header = nullptr;
  worker_block* workers = nullptr;
  std::size_t worker_count = 0;
  std::uint8_t* seq_status = nullptr; // index = seq, max_seqs + 1 bytes
  std::uint64_t max_seqs = 0;
  void* base = nullptr;
  std::size_t bytes = 0;

  phase current() const noexcept { return static_cast<phase>(header->current.load()); }
  void set(phase p) noexcept { header->current.store(static_cast<std::uint32_t>(p)); }
};

// Maps the region (pages are only backed when touched); nullptr-filled on failure.
shared_region create_shared_region(std::size_t worker_count, std::uint64_t max_seqs);
void destroy_shared_region(shared_region& region);

} // namespace herald::bench

#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "bench/event_loop.hpp"
#include "bench/histogram.hpp"
#include "bench/shared_state.hpp"
#include "bench/token.hpp"
#include "bench/url.hpp"

namespace herald::bench {

class subscriber;

struct subscriber_config {
  std::vector<url> targets;           // the global index picks one, round robin
  std::vector<std::uint32_t> sources; // source IPv4 addresses (network order); empty: no bind
  std::size_t count = 0;              // subscribers in this group
  std::size_t first_index = 0;        // global index of the first, to spread sources
  double ramp = 1000;                 // connections per second, this group
  std::size_t max_connecting = 256;
  bool churn = false;
  double churn_min = 0.2;
  double churn_max = 1.0;
  std::uint64_t run_id = 0;
};

// The subscribers of one process. It follows the coordinator's phase
// (shared memory): ramps up, fixes the universe, churns, and at the end
// writes its results into its worker_block. Runs on one thread; its
// per-delivery counters are plain and flushed to the block every 100 ms.
class subscriber_group {
public:
  subscriber_group(event_loop& loop, subscriber_config config, shared_region& region, worker_block& block);
  ~subscriber_group();

  // Acts on the current phase; call after every loop iteration.
  void tick(std::uint64_t now);
  bool finished() const noexcept { return finished_; }

  // --- for subscriber (same thread) ---
  event_loop& loop() noexcept { return loop_; }
  const subscriber_config& config() const noexcept { return config_; }
  worker_block& block() noexcept { return block_; }
  void set_now(std::uint64_t now) noexcept { now_ = now; }
  std::uint32_t source_for(std::uint32_t index) const noexcept;
  const url& target_for(std::uint32_t index) const noexcept;
  void on_delivery(subscriber& s, const token& t);
  void on_foreign() noexcept { ++foreign_; }
  void on_untokened() noexcept { ++untokened_; }
  void on_connecting_done() noexcept { --connecting_; }
  void on_connecting() noexcept { ++connecting_; }
  // A connection that was open closed without us asking.
  void on_lost(subscriber& s);
  // A reconnection failed before it opened.
  void on_reconnect_failed(subscriber& s);
  void on_opened(subscriber& s);

private:
  void enter(phase p, std::uint64_t now);
  void ramp(std::uint64_t now);
  void churn(std::uint64_t now);
  void flush(std::uint64_t now);
  void finish();
  std::uint64_t churn_delay();

  event_loop& loop_;
  subscriber_config config_;
  shared_region& region_;
  worker_block& block_;
  std::vector<std::unique_ptr<subscriber>> subs_;
  phase phase_ = phase::connect;
  bool finished_ = false;
  std::uint64_t now_ = 0;
  std::uint64_t ramp_start_ = 0;
  std::size_t started_ = 0;
  std::size_t connecting_ = 0;
  std::uint64_t next_churn_scan_ = 0;
  std::uint64_t next_flush_ = 0;
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;
  // Per-delivery counters, flushed to block_ in flush().
  std::uint64_t deliveries_ = 0;
  std::uint64_t unique_ = 0;
  std::uint64_t foreign_ = 0;
  std::uint64_t untokened_ = 0;
  histogram latency_;
};

} // namespace herald::bench

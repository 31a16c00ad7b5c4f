#pragma once

// herald's I/O threads: one io_context per thread, each with the fan-out
// shard of the connections it runs. A connection lives on one thread for its
// whole life, so that thread's shard can write to it directly, and the
// broadcaster reaches every subscriber with one post per thread per batch.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <memory>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "actors/messages.hpp"
#include "metrics/io_metrics.hpp"
#include "net/fanout_shard.hpp"

namespace herald {

class io_pool {
public:
  explicit io_pool(unsigned threads);
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  /// The first thread's context: the listener, signals and shutdown run here.
  boost::asio::io_context& main() { return shards_.front()->ioc; }

  /// The context for the next new connection (round robin). Not thread-safe:
  /// the listener calls it from its strand only.
  boost::asio::io_context& next();

  /// Where the broadcaster hands batches: one post to each thread, whose
  /// shard delivers them to that thread's connections. Stays safe to call
  /// after stop() and after the pool is gone: such posts never run, and are
  /// released with the shard.
  fanout_ptr fanout() const { return fanout_; }

  /// Runs the first context on the calling thread and the others on threads
  /// of their own; returns when all have stopped.
  void run();

  /// Stops every context. Thread-safe.
  void stop();

  /// Every `tick`, each thread's shard sweeps its connections (keepalive).
  /// Call before run().
  void start_keepalive(std::chrono::milliseconds tick);

  /// A config reload: sweeps run every `tick` from the next one on.
  /// Thread-safe.
  void set_keepalive_tick(std::chrono::milliseconds tick);

  /// Posts to every thread: its shard closes all its connections with
  /// `code` and a reason made per connection by `reason`. Thread-safe.
  void close_all(uint16_t code, std::function<std::string()> reason);

  unsigned size() const { return static_cast<unsigned>(shards_.size()); }

  /// Each thread's metrics block, for the registry that /metrics reads.
  std::vector<std::shared_ptr<const io_metrics>> metrics() const;

  struct shard {
    boost::asio::io_context ioc{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
      ioc.get_executor()};
    fanout_shard fanout;
    // Written by this thread only (io_metrics::local() there).
    std::shared_ptr<io_metrics> metrics = std::make_shared<io_metrics>();
    std::unique_ptr<boost::asio::steady_timer> keepalive;
    std::atomic<std::chrono::milliseconds::rep> keepalive_tick_ms{1000};
  };

private:
  void run_shard(shard& s);
  static void arm_keepalive(shard* s);

  std::vector<std::shared_ptr<shard>> shards_;
  fanout_ptr fanout_;
  std::size_t next_ = 0;
};

} // namespace herald

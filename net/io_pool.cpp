#include "net/io_pool.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace herald {

namespace net = boost::asio;

namespace {

// Posts each batch once to every I/O thread. The batch is shared, so the
// frames (and their text) are never copied.
//
// Handlers posted to a shard hold it by plain pointer: a shard owns the
// context that queues them, so it outlives them. A shared pointer there would
// be a cycle (shard -> context -> queued handler -> shard) that keeps a
// stopped pool's contexts, and every connection they hold, alive forever.
class pool_fanout : public fanout_target {
public:
  explicit pool_fanout(std::vector<std::shared_ptr<io_pool::shard>> shards)
    : shards_(std::move(shards)) {
  }

  void deliver(std::shared_ptr<const frame_list> batch) override {
    for (auto& s : shards_)
      net::post(s->ioc, [s = s.get(), batch] { s->fanout.deliver(*batch); });
  }

private:
  std::vector<std::shared_ptr<io_pool::shard>> shards_;
};

} // namespace

io_pool::io_pool(unsigned threads) {
  threads = std::max(1u, threads);
  for (unsigned i = 0; i < threads; ++i)
    shards_.push_back(std::make_shared<shard>());
  fanout_ = std::make_shared<pool_fanout>(shards_);
}

io_pool::~io_pool() {
  stop();
}

net::io_context& io_pool::next() {
  auto& s = *shards_[next_];
  next_ = (next_ + 1) % shards_.size();
  return s.ioc;
}

void io_pool::run_shard(shard& s) {
  s.fanout.bind_to_this_thread();
  s.metrics->bind_to_this_thread();
  // A handler that throws must not take an I/O thread down with it.
  for (;;) {
    try {
      s.ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("unhandled exception on an I/O thread: {}", e.what());
    }
  }
}

std::vector<std::shared_ptr<const io_metrics>> io_pool::metrics() const {
  std::vector<std::shared_ptr<const io_metrics>> blocks;
  for (const auto& s : shards_)
    blocks.push_back(s->metrics);
  return blocks;
}

void io_pool::run() {
  std::vector<std::thread> threads;
  threads.reserve(shards_.size() - 1);
  for (std::size_t i = 1; i < shards_.size(); ++i)
    threads.emplace_back([this, s = shards_[i]] { run_shard(*s); });
  run_shard(*shards_.front());
  for (auto& t : threads)
    t.join();
}

void io_pool::start_keepalive(std::chrono::milliseconds tick) {
  set_keepalive_tick(tick);
  for (auto& s : shards_) {
    s->keepalive = std::make_unique<net::steady_timer>(s->ioc);
    arm_keepalive(s.get());
  }
}

void io_pool::set_keepalive_tick(std::chrono::milliseconds tick) {
  for (auto& s : shards_)
    s->keepalive_tick_ms.store(tick.count(), std::memory_order_relaxed);
}

// The handler holds a plain pointer: the shard owns the timer and the
// context that holds the handler, so it outlives both.
void io_pool::arm_keepalive(shard* s) {
  s->keepalive->expires_after(
    std::chrono::milliseconds{s->keepalive_tick_ms.load(std::memory_order_relaxed)});
  s->keepalive->async_wait([s](const boost::system::error_code& ec) {
    if (ec)
      return;
    s->fanout.sweep(std::chrono::steady_clock::now());
    arm_keepalive(s);
  });
}

void io_pool::close_all(uint16_t code, std::function<std::string()> reason) {
  for (auto& s : shards_)
    net::post(s->ioc, [s = s.get(), code, reason] { s->fanout.close_all(code, reason); });
}

void io_pool::stop() {
  for (auto& s : shards_) {
    s->work.reset();
    s->ioc.stop();
  }
}

} // namespace herald

// What the I/O pool's handlers keep alive. A batch or a close posted to a
// stopped pool never runs; it must still be released with the pool, not kept
// (with the whole I/O context that queues it) until the process ends.

#define CAF_SUITE net_io_pool
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>
#include <thread>

#include "net/io_pool.hpp"

using namespace herald;

namespace {

std::shared_ptr<const frame_list> one_frame_batch() {
  auto f = std::make_shared<const frame_data>(frame_data{1, 0, "c", "text"});
  return std::make_shared<const frame_list>(frame_list{f});
}

} // namespace

CAF_TEST(a batch posted to a stopped pool is released with the pool) {
  std::weak_ptr<const frame_list> watched;
  {
    io_pool pool{2};
    auto fanout = pool.fanout();
    pool.stop();
    auto batch = one_frame_batch();
    watched = batch;
    fanout->deliver(std::move(batch));
    CAF_CHECK(!watched.expired()); // queued, not run
  }
  CAF_CHECK(watched.expired());
}

CAF_TEST(a batch posted to a stopped pool is released after the pool when the fanout outlives it) {
  std::weak_ptr<const frame_list> watched;
  fanout_ptr fanout;
  {
    io_pool pool{1};
    fanout = pool.fanout();
    pool.stop();
    auto batch = one_frame_batch();
    watched = batch;
    fanout->deliver(std::move(batch));
  }
  CAF_CHECK(!watched.expired()); // the fanout still holds the shard it was posted to
  fanout.reset();
  CAF_CHECK(watched.expired());
}

CAF_TEST(a close posted to a stopped pool is released with the pool) {
  auto reason_source = std::make_shared<std::string>("bye");
  std::weak_ptr<std::string> watched = reason_source;
  {
    io_pool pool{2};
    pool.stop();
    pool.close_all(1001, [r = std::move(reason_source)] { return *r; });
  }
  CAF_CHECK(watched.expired());
}

CAF_TEST(a batch delivered to a running pool is released with the pool) {
  std::weak_ptr<const frame_list> watched;
  {
    io_pool pool{2};
    auto fanout = pool.fanout();
    std::thread runner{[&pool] { pool.run(); }};
    auto batch = one_frame_batch();
    watched = batch;
    fanout->deliver(std::move(batch));
    pool.stop();
    runner.join();
  }
  CAF_CHECK(watched.expired());
}

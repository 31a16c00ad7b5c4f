// The single-writer cells: a counter adds, a gauge holds what was set, and a
// reader on another thread sees each writer's count only grow, ending at
// exactly what was added.
#define CAF_SUITE metrics_counter
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "metrics/counter.hpp"

using namespace herald::metrics;

CAF_TEST(a counter starts at zero and adds) {
  counter c;
  CAF_CHECK_EQUAL(c.value(), 0u);
  c.add();
  c.add(41);
  CAF_CHECK_EQUAL(c.value(), 42u);
}

CAF_TEST(a gauge holds the last value set) {
  gauge g;
  CAF_CHECK_EQUAL(g.value(), 0);
  g.set(1);
  g.set(-3);
  CAF_CHECK_EQUAL(g.value(), -3);
}

CAF_TEST(each writer owns its cell and a reader sees counts only grow) {
  constexpr int writers = 2;
  constexpr uint64_t adds = 200000;
  std::vector<counter> cells(writers);
  std::atomic<bool> done{false};
  bool went_back = false;
  std::thread reader{[&] {
    std::vector<uint64_t> last(writers, 0);
    while (!done.load())
      for (int i = 0; i < writers; ++i) {
        auto v = cells[i].value();
        went_back = went_back || v < last[i];
        last[i] = v;
      }
  }};
  std::vector<std::thread> threads;
  for (int i = 0; i < writers; ++i)
    threads.emplace_back([&cells, i] {
      for (uint64_t n = 0; n < adds; ++n)
        cells[i].add();
    });
  for (auto& t : threads)
    t.join();
  done = true;
  reader.join();
  CAF_CHECK(!went_back);
  for (auto& c : cells)
    CAF_CHECK_EQUAL(c.value(), adds);
}

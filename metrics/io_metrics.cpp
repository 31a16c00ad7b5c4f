#include "metrics/io_metrics.hpp"

namespace herald {

namespace {
thread_local io_metrics* this_thread_block = nullptr;
} // namespace

io_metrics& io_metrics::local() {
  if (auto* block = this_thread_block)
    return *block;
  thread_local io_metrics spare;
  return spare;
}

void io_metrics::bind_to_this_thread() {
  this_thread_block = this;
}

} // namespace herald

#pragma once

// The metrics one I/O thread counts: its connections, publishes, deliveries
// and writes. Every I/O thread has its own block and only that thread writes
// to it (through local()), so counting never touches a cell another thread
// writes; /metrics adds the blocks up.

#include <array>
#include <cstddef>

#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"
#include "metrics/layouts.hpp"
#include "metrics/reasons.hpp"

namespace herald {

// Aligned so that two threads' blocks never share a cache line.
struct alignas(64) io_metrics {
  using counter = metrics::counter;

  /// The calling thread's block: the one bound to it, or (on a thread that
  /// runs no I/O, such as a test's) a spare of its own that no scrape reads.
  static io_metrics& local();
  /// Makes this the calling thread's block (each I/O thread, at its start).
  void bind_to_this_thread();

  void opened(connection_kind k) { opened_[index(k)].add(); }
  void closed(connection_kind k, close_reason r) { closed_[index(k)][index(r)].add(); }
  void refused(refusal_reason r) { refused_[index(r)].add(); }
  void publish_refused(publish_refusal r) { publishes_refused_[index(r)].add(); }

  // Readers (any thread).
  uint64_t opened_count(connection_kind k) const { return opened_[index(k)].value(); }
  uint64_t closed_count(connection_kind k, close_reason r) const {
    return closed_[index(k)][index(r)].value();
  }
  uint64_t refused_count(refusal_reason r) const { return refused_[index(r)].value(); }
  uint64_t publish_refused_count(publish_refusal r) const {
    return publishes_refused_[index(r)].value();
  }

  counter publishes_accepted;
  counter deliveries;      // messages queued for a WebSocket subscriber
  counter bytes_written;   // bytes the kernel (or the TLS layer) took from WebSockets
  counter slow_consumer_closes;
  counter lagged_notices;
  // Bytes queued for a connection, seen at each socket write it makes.
  metrics::histogram queue_bytes{layouts::queue_bytes};
  // From a message's commit to the moment this thread hands it to its
  // subscribers' writes; once per message per thread.
  metrics::histogram publish_to_write{layouts::seconds};

private:
  template <class Enum>
  static constexpr std::size_t index(Enum e) {
    return static_cast<std::size_t>(e);
  }

  std::array<counter, connection_kind_count> opened_;
  std::array<std::array<counter, close_reason_count>, connection_kind_count> closed_;
  std::array<counter, refusal_reason_count> refused_;
  std::array<counter, publish_refusal_count> publishes_refused_;
};

} // namespace herald

#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace herald::bench {

// One subscriber's view of the published sequence 1, 2, 3...: which numbers
// it has, which it has twice, and which arrived in an order the server was
// not free to choose. Memory is the highest number seen plus the gaps below
// it (usually none), so a thousand subscribers cost a few bytes each.
//
// Order: publishers have several requests in flight, so the server may
// legitimately commit seq 7 before seq 6. What it may not do is deliver seq
// 6 after a message that was sent only once 6 had been acknowledged; every
// message carries that bound (its watermark), and only such inversions
// count as out of order.
class seq_tracker {
public:
  enum class outcome {
    in_order,     // above everything seen so far
    late,         // filled a gap, and the server was free to order it so
    out_of_order, // filled a gap it should have been delivered before
    duplicate,    // seen before
  };

  outcome on_receive(std::uint64_t seq, std::uint64_t watermark);

  std::uint64_t highest() const noexcept { return highest_; }
  std::uint64_t unique() const noexcept { return unique_; }
  std::uint64_t duplicates() const noexcept { return duplicates_; }
  std::uint64_t out_of_order() const noexcept { return out_of_order_; }
  bool has(std::uint64_t seq) const noexcept;

  // Numbers in [1, last] this subscriber never received and for which
  // expected(seq) holds (e.g. the publish was acknowledged).
  template <class Pred>
  std::uint64_t lost(std::uint64_t last, Pred&& expected) const {
    std::uint64_t n = 0;
    for (auto [lo, hi] : missing_)
      for (auto s = lo; s <= hi && s <= last; ++s)
        n += expected(s) ? 1 : 0;
    for (auto s = highest_ + 1; s <= last; ++s)
      n += expected(s) ? 1 : 0;
    return n;
  }

private:
  std::uint64_t highest_ = 0;
  std::uint64_t max_watermark_ = 0;
  std::uint64_t unique_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t out_of_order_ = 0;
  // Gaps below highest_, inclusive ranges, ascending and disjoint.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> missing_;
};

} // namespace herald::bench

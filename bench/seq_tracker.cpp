#include "bench/seq_tracker.hpp"

#include <algorithm>

namespace herald::bench {

namespace {
using range = std::pair<std::uint64_t, std::uint64_t>;

// The first gap whose upper end is >= seq (the only one that can hold it).
template <class Gaps>
auto find_gap(Gaps& gaps, std::uint64_t seq) {
  return std::lower_bound(gaps.begin(), gaps.end(), seq,
                          [](const range& r, std::uint64_t s) { return r.second < s; });
}
} // namespace

bool seq_tracker::has(std::uint64_t seq) const noexcept {
  if (seq == 0 || seq > highest_)
    return false;
  auto it = find_gap(missing_, seq);
  return it == missing_.end() || it->first > seq;
}

seq_tracker::outcome seq_tracker::on_receive(std::uint64_t seq, std::uint64_t watermark) {
  // The bound that applies is the one of messages seen *before* this one.
  auto bound = max_watermark_;
  max_watermark_ = std::max(max_watermark_, watermark);
  if (seq > highest_) {
    if (seq > highest_ + 1)
      missing_.emplace_back(highest_ + 1, seq - 1);
    highest_ = seq;
    ++unique_;
    return outcome::in_order;
  }
  auto it = seq == 0 ? missing_.end() : find_gap(missing_, seq);
  if (it == missing_.end() || it->first > seq) {
    ++duplicates_;
    return outcome::duplicate;
  }
  // Take seq out of its gap [lo, hi].
  if (it->first == it->second) {
    missing_.erase(it);
  } else if (it->first == seq) {
    ++it->first;
  } else if (it->second == seq) {
    --it->second;
  } else {
    auto hi = it->second;
    it->second = seq - 1;
    missing_.insert(it + 1, range{seq + 1, hi});
  }
  ++unique_;
  if (seq <= bound) {
    ++out_of_order_;
    return outcome::out_of_order;
  }
  return outcome::late;
}

} // namespace herald::bench

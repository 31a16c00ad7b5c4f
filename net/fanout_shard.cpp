#include "net/fanout_shard.hpp"

#include <algorithm>

#include "metrics/io_metrics.hpp"

namespace herald {

namespace {
thread_local fanout_shard* this_thread_shard = nullptr;
} // namespace

fanout_shard* fanout_shard::current() {
  return this_thread_shard;
}

void fanout_shard::bind_to_this_thread() {
  this_thread_shard = this;
}

void fanout_shard::add(const std::string& channel, live_subscriber* s) {
  channels_[channel].push_back(s);
  ++count_;
}

void fanout_shard::remove(const std::string& channel, live_subscriber* s) {
  auto ch = channels_.find(channel);
  if (ch == channels_.end())
    return;
  auto& subs = ch->second;
  auto it = std::find(subs.begin(), subs.end(), s);
  if (it == subs.end())
    return;
  // Order among subscribers does not matter, only order within each one.
  *it = subs.back();
  subs.pop_back();
  --count_;
  if (subs.empty())
    channels_.erase(ch);
}

void fanout_shard::sweep(live_subscriber::time_point now) {
  for (auto& [channel, subs] : channels_)
    for (auto* s : subs)
      s->sweep(now);
}

void fanout_shard::close_all(uint16_t code, const std::function<std::string()>& reason) {
  for (auto& [channel, subs] : channels_)
    for (auto* s : subs)
      s->close_now(code, reason());
}

void fanout_shard::deliver(const frame_list& batch) {
  if (channels_.empty())
    return;
  for (auto& f : batch) {
    if (!f)
      continue;
    auto ch = channels_.find(f->channel);
    if (ch == channels_.end())
      continue;
    for (auto* s : ch->second)
      if (s->push_live(f))
        to_flush_.push_back(s);
    if (f->committed_at != live_subscriber::time_point{})
      committed_.push_back(f->committed_at);
  }
  // Once per message and thread, not per subscriber: one clock read per batch.
  if (!committed_.empty()) {
    auto now = std::chrono::steady_clock::now();
    auto& latency = io_metrics::local().publish_to_write;
    for (auto t : committed_) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
      latency.observe(ns > 0 ? static_cast<uint64_t>(ns) : 0);
    }
    committed_.clear();
  }
  // One write per connection per batch: a burst of messages leaves in one
  // gather write instead of one system call each.
  for (auto* s : to_flush_)
    s->flush_live();
  to_flush_.clear();
}

} // namespace herald

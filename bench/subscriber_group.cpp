#include "bench/subscriber_group.hpp"

#include <algorithm>
#include <cmath>

#include "bench/clock.hpp"
#include "bench/proc_stats.hpp"
#include "bench/subscriber.hpp"

namespace herald::bench {

namespace {
// How soon a connection the server dropped, or a failed reconnection, is
// tried again (churn runs only).
constexpr std::uint64_t retry_delay_ns = 20 * ns_per_ms;
constexpr std::uint64_t churn_scan_ns = 5 * ns_per_ms;
constexpr std::uint64_t flush_ns = 100 * ns_per_ms;
} // namespace

subscriber_group::subscriber_group(event_loop& loop, subscriber_config config, shared_region& region,
                                   worker_block& block)
  : loop_{loop}, config_{std::move(config)}, region_{region}, block_{block} {
  subs_.reserve(config_.count);
  for (std::size_t i = 0; i < config_.count; ++i)
    subs_.push_back(std::make_unique<subscriber>(*this, static_cast<std::uint32_t>(config_.first_index + i)));
  rng_ ^= config_.run_id * 0x2545F4914F6CDD1Dull + config_.first_index;
}

subscriber_group::~subscriber_group() = default;

std::uint32_t subscriber_group::source_for(std::uint32_t index) const noexcept {
  return config_.sources[index % config_.sources.size()];
}

const url& subscriber_group::target_for(std::uint32_t index) const noexcept {
  return config_.targets[index % config_.targets.size()];
}

std::uint64_t subscriber_group::churn_delay() {
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  double unit = static_cast<double>(rng_ >> 11) / static_cast<double>(1ull << 53);
  double seconds = config_.churn_min + unit * (config_.churn_max - config_.churn_min);
  return static_cast<std::uint64_t>(seconds * 1e9);
}

void subscriber_group::on_opened(subscriber& s) {
  block_.open_now.fetch_add(1);
  block_.opened.fetch_add(1);
  if (config_.churn && phase_ == phase::publish)
    s.churn_at = now_ + churn_delay();
}

void subscriber_group::on_lost(subscriber& s) {
  block_.disconnects.fetch_add(1);
  // Without churn a dropped subscriber stays down: what it misses is lost.
  if (config_.churn && s.in_universe && phase_ != phase::finish)
    s.retry_at = now_ + retry_delay_ns;
}

void subscriber_group::on_reconnect_failed(subscriber& s) {
  block_.reconnect_failures.fetch_add(1);
  if (s.in_universe && phase_ != phase::finish)
    s.retry_at = now_ + retry_delay_ns;
}

void subscriber_group::on_delivery(subscriber& s, const token& t) {
  ++deliveries_;
  latency_.record(now_ > t.send_ns ? now_ - t.send_ns : 0);
  if (!s.in_universe)
    return;
  auto outcome = s.tracker().on_receive(t.seq, t.watermark);
  if (outcome != seq_tracker::outcome::duplicate)
    ++unique_;
}

void subscriber_group::tick(std::uint64_t now) {
  now_ = now;
  auto p = region_.current();
  if (p != phase_)
    enter(p, now);
  if (finished_)
    return;
  if (phase_ == phase::connect)
    ramp(now);
  if (config_.churn && (phase_ == phase::publish || phase_ == phase::drain) && now >= next_churn_scan_) {
    next_churn_scan_ = now + churn_scan_ns;
    churn(now);
  }
  if (now >= next_flush_) {
    next_flush_ = now + flush_ns;
    flush(now);
  }
}

void subscriber_group::enter(phase p, std::uint64_t now) {
  phase_ = p;
  if (p == phase::settle) {
    // Who is open now is who must receive everything; the rest failed.
    std::uint64_t universe = 0;
    for (auto& s : subs_) {
      if (s->current() == subscriber::state::open) {
        s->in_universe = true;
        ++universe;
      } else if (!s->ever_open()) {
        if (s->current() != subscriber::state::closed)
          block_.connect_failures.fetch_add(1); // never started, or still handshaking
        s->close_now();
      }
    }
    block_.universe.store(universe);
  } else if (p == phase::publish && config_.churn) {
    for (auto& s : subs_)
      if (s->current() == subscriber::state::open)
        s->churn_at = now + churn_delay();
  } else if (p == phase::finish) {
    flush(now);
    finish();
  }
  block_.seen_phase.store(static_cast<std::uint32_t>(p));
}

void subscriber_group::ramp(std::uint64_t now) {
  if (ramp_start_ == 0)
    ramp_start_ = now;
  auto elapsed = static_cast<double>(now - ramp_start_) / 1e9;
  auto allowed = std::min<std::size_t>(subs_.size(), static_cast<std::size_t>(config_.ramp * elapsed) + 1);
  while (started_ < allowed && connecting_ < config_.max_connecting)
    subs_[started_++]->start(0);
}

// Closes the connections whose time has come and reopens them with
// ?since=<last id seen>, so the server replays what they missed; retries
// failed ones. Churn stops when publishing does.
void subscriber_group::churn(std::uint64_t now) {
  for (auto& s : subs_) {
    if (!s->in_universe)
      continue;
    auto st = s->current();
    if (st == subscriber::state::closed && s->retry_at != 0 && now >= s->retry_at) {
      s->retry_at = 0;
      s->start(s->last_id());
    } else if (phase_ == phase::publish && st == subscriber::state::open && s->churn_at != 0
               && now >= s->churn_at && s->last_id() > 0) {
      // Without an id to resume from, reconnecting would lose messages.
      s->churn_at = 0;
      s->close_now();
      block_.churn_closes.fetch_add(1);
      s->start(s->last_id());
    }
  }
}

void subscriber_group::flush(std::uint64_t) {
  block_.deliveries.store(deliveries_, std::memory_order_relaxed);
  block_.unique.store(unique_, std::memory_order_relaxed);
  block_.foreign.store(foreign_, std::memory_order_relaxed);
  block_.untokened.store(untokened_, std::memory_order_relaxed);
  block_.cpu_ns.store(static_cast<std::uint64_t>(self_cpu_seconds() * 1e9), std::memory_order_relaxed);
}

void subscriber_group::finish() {
  auto last = region_.header->last_seq.load();
  const auto* status = region_.seq_status;
  auto expected = [status](std::uint64_t seq) { return status[seq] == seq_status::acked; };
  std::uint64_t lost = 0, dups = 0, ooo = 0;
  for (auto& s : subs_) {
    if (!s->in_universe)
      continue;
    lost += s->tracker().lost(last, expected);
    dups += s->tracker().duplicates();
    ooo += s->tracker().out_of_order();
  }
  for (auto& s : subs_)
    s->close_now();
  block_.lost = lost;
  block_.duplicates = dups;
  block_.out_of_order = ooo;
  block_.latency = latency_;
  finished_ = true;
  block_.done.store(1);
}

} // namespace herald::bench

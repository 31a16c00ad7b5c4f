#include "bench/runner.hpp"

#include <algorithm>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/clock.hpp"
#include "bench/proc_stats.hpp"
#include "bench/publisher.hpp"
#include "bench/report.hpp"
#include "bench/setup.hpp"
#include "bench/subscriber_group.hpp"
#include "bench/url.hpp"

namespace herald::bench {

namespace {

server_point sample(const std::vector<int>& pids) {
  if (pids.empty())
    return {};
  auto s = sample_processes(pids);
  return server_point{s.ok, s.cpu_seconds, s.rss_kb};
}

// Parses every URL; false (with error set) at the first bad one.
bool parse_urls(const std::vector<std::string>& texts, std::vector<url>& out, std::string& error) {
  for (auto& t : texts) {
    auto u = parse_url(t, error);
    if (!u)
      return false;
    out.push_back(*u);
  }
  return !out.empty();
}

// A subscriber process: runs its share until the coordinator says finish.
[[noreturn]] void run_worker(subscriber_config cfg, shared_region& region, worker_block& block) {
  prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the coordinator
  event_loop loop;
  subscriber_group group{loop, std::move(cfg), region, block};
  while (!group.finished()) {
    loop.run_once(1);
    group.tick(now_ns());
  }
  std::fflush(nullptr);
  _exit(0);
}

} // namespace

int run(const options& o) {
  std::signal(SIGPIPE, SIG_IGN);
  auto fd_limit = raise_fd_limit();
  std::string error;
  std::vector<url> sub_targets, pub_targets;
  if (!parse_urls(o.effective_sub_urls(), sub_targets, error)
      || !parse_urls(o.effective_pub_urls(), pub_targets, error)) {
    std::fprintf(stderr, "herald-bench: %s\n", error.c_str());
    return 2;
  }
  // Loopback source addresses can only reach loopback servers.
  bool loopback = std::all_of(sub_targets.begin(), sub_targets.end(), [](const url& u) { return u.is_loopback(); });
  std::vector<std::uint32_t> sources;
  if (!parse_source_range(o.source_addrs, loopback, sources)) {
    std::fprintf(stderr, "herald-bench: bad --source-addrs '%s'\n", o.source_addrs.c_str());
    return 2;
  }
  bool publishing = o.inflight > 0 || o.rate > 0;
  auto pub_conns = publisher_connections(publishing, o.inflight, o.pub_conns, pub_targets.size());
  auto workers = worker_processes(o.subscribers, o.workers, fd_limit, pub_conns);
  auto per_process = fd_limit > reserved_fds ? fd_limit - reserved_fds : 1;
  if (workers > 0 && (o.subscribers + workers - 1) / workers > per_process) {
    std::fprintf(stderr, "herald-bench: %zu subscribers do not fit in %zu processes of %zu files each\n",
                 o.subscribers, workers, fd_limit);
    return 2;
  }
  auto blocks = std::max<std::size_t>(workers, 1);
  auto region = create_shared_region(blocks, o.max_publishes);
  if (region.header == nullptr) {
    std::fprintf(stderr, "herald-bench: cannot map shared memory\n");
    return 2;
  }
  run_results r;
  r.sub_urls = o.effective_sub_urls();
  r.pub_urls = o.effective_pub_urls();
  r.run_id = make_run_id();
  r.wanted = o.subscribers;
  r.workers = blocks;
  r.publishing = publishing;
  r.server_pids = o.server_children ? with_children(o.server_pids) : o.server_pids;
  r.before = sample(r.server_pids);

  // Subscriber groups: forked workers, or one in this process.
  auto group_config = [&](std::size_t i, std::size_t n) {
    subscriber_config c;
    c.targets = sub_targets;
    c.sources = sources;
    c.first_index = i * ((o.subscribers + blocks - 1) / blocks);
    c.count = std::min(o.subscribers - std::min(o.subscribers, c.first_index), (o.subscribers + blocks - 1) / blocks);
    c.ramp = o.ramp / static_cast<double>(n);
    c.max_connecting = std::max<std::size_t>(1, o.max_connecting / n);
    c.churn = o.churn;
    c.churn_min = o.churn_min;
    c.churn_max = o.churn_max;
    c.run_id = r.run_id;
    return c;
  };
  std::vector<pid_t> children;
  std::fflush(nullptr);
  for (std::size_t i = 0; i < workers; ++i) {
    pid_t pid = fork();
    if (pid == 0)
      run_worker(group_config(i, workers), region, region.workers[i]);
    if (pid < 0) {
      std::fprintf(stderr, "herald-bench: fork failed\n");
      for (auto c : children)
        kill(c, SIGKILL);
      return 2;
    }
    children.push_back(pid);
  }
  event_loop loop;
  std::unique_ptr<subscriber_group> local;
  if (workers == 0 && o.subscribers > 0)
    local = std::make_unique<subscriber_group>(loop, group_config(0, 1), region, region.workers[0]);
  std::unique_ptr<publisher> pub;
  if (publishing) {
    publisher_config pc;
    pc.targets = pub_targets;
    for (auto& t : pub_targets)
      pc.heads.push_back(make_request_head(t, o.content_type, o.auth, o.headers));
    split_template(o.body_template, pc.body_prefix, pc.body_suffix);
    pc.size = o.size;
    pc.rate = o.rate;
    pc.inflight = o.inflight;
    pc.connections = pub_conns;
    pc.depth = o.inflight > 0 ? (o.inflight + pub_conns - 1) / pub_conns : 64;
    pc.run_id = r.run_id;
    pub = std::make_unique<publisher>(loop, pc, region);
  }

  auto sum = [&](auto member) {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < blocks; ++i)
      n += (region.workers[i].*member).load();
    return n;
  };
  auto all_seen = [&](phase p) {
    for (std::size_t i = 0; i < blocks; ++i)
      if (region.workers[i].seen_phase.load() != static_cast<std::uint32_t>(p))
        return false;
    return true;
  };
  auto worker_cpu = [&](std::vector<double>& out) {
    out.resize(blocks);
    for (std::size_t i = 0; i < blocks; ++i)
      out[i] = static_cast<double>(region.workers[i].cpu_ns.load()) / 1e9;
  };
  auto t0 = now_ns();
  auto next_progress = t0 + ns_per_s;
  auto last_cpu = self_cpu_seconds();
  std::uint64_t last_deliveries = 0, last_sent = 0;
  const char* stage = "connect";
  auto progress = [&](std::uint64_t now) {
    if (o.quiet || now < next_progress)
      return;
    next_progress += ns_per_s;
    auto cpu = self_cpu_seconds();
    auto deliveries = sum(&worker_block::deliveries);
    auto sent = pub ? pub->sent() : 0;
    std::fprintf(stderr,
                 "[%5.1fs] %-7s subs %" PRIu64 "/%zu open  pub %" PRIu64 "/s (sent %" PRIu64 ", in flight %" PRIu64
                 ")  deliveries %" PRIu64 "/s (total %" PRIu64 ")  cpu %.0f%%%s\n",
                 static_cast<double>(now - t0) / 1e9, stage, sum(&worker_block::open_now), o.subscribers,
                 sent - last_sent, sent, pub ? pub->in_flight() : 0, deliveries - last_deliveries, deliveries,
                 100 * (cpu - last_cpu), cpu - last_cpu > o.saturation ? "  (harness saturated)" : "");
    last_cpu = cpu;
    last_deliveries = deliveries;
    last_sent = sent;
  };
  auto pump_until = [&](std::uint64_t deadline, const std::function<bool()>& done) {
    for (;;) {
      auto now = now_ns();
      if (local)
        local->tick(now);
      if (pub)
        pub->tick(now);
      progress(now);
      if (done() || now >= deadline)
        return;
      loop.run_once(1);
    }
  };
  auto enter = [&](phase p) {
    region.set(p);
    if (workers == 0 && !local)
      region.workers[0].seen_phase.store(static_cast<std::uint32_t>(p));
    pump_until(now_ns() + 10 * ns_per_s, [&] { return all_seen(p); });
  };
  auto finish = [&](int code) {
    region.set(phase::finish);
    pump_until(now_ns() + 30 * ns_per_s, [&] {
      return workers == 0 ? (!local || local->finished()) : sum(&worker_block::done) == blocks;
    });
    for (auto c : children) {
      int status = 0;
      if (waitpid(c, &status, WNOHANG) == 0) {
        kill(c, SIGKILL);
        waitpid(c, &status, 0);
      }
    }
    return code;
  };

  if (pub) {
    if (auto err = pub->connect_all(); !err.empty()) {
      std::fprintf(stderr, "herald-bench: %s (%s)\n", err.c_str(), joined(r.pub_urls).c_str());
      return finish(2);
    }
  }
  // 1. Connect at the ramp rate, within the time the ramp needs plus a margin.
  auto connect_deadline = t0 + static_cast<std::uint64_t>((static_cast<double>(o.subscribers) / o.ramp + o.connect_timeout) * 1e9);
  pump_until(connect_deadline, [&] {
    return sum(&worker_block::opened) + sum(&worker_block::connect_failures) >= o.subscribers;
  });
  r.connect_seconds = static_cast<double>(now_ns() - t0) / 1e9;
  // 2. Settle: whoever is open now must receive everything.
  stage = "settle";
  enter(phase::settle);
  r.universe = sum(&worker_block::universe);
  r.connected = sample(r.server_pids);
  if (o.subscribers > 0 && r.universe == 0) {
    std::fprintf(stderr, "herald-bench: no subscriber could connect to %s\n", joined(r.sub_urls).c_str());
    return finish(2);
  }
  // 3. Publish (or, without publishing, hold the connections) for the duration.
  stage = publishing ? "publish" : "hold";
  enter(phase::publish);
  auto pub_start = now_ns();
  auto main_cpu_start = self_cpu_seconds();
  std::vector<double> wcpu_start, wcpu_end;
  worker_cpu(wcpu_start);
  if (pub)
    pub->start(pub_start);
  auto pub_end = pub_start + static_cast<std::uint64_t>(o.duration * 1e9);
  pump_until(pub_end, [&] { return pub && pub->exhausted(); });
  if (pub)
    pub->stop();
  auto stopped = now_ns();
  r.publish_seconds = static_cast<double>(stopped - pub_start) / 1e9;
  r.main_cpu_ratio = r.publish_seconds > 0 ? (self_cpu_seconds() - main_cpu_start) / r.publish_seconds : 0;
  worker_cpu(wcpu_end);
  if (workers > 0)
    for (std::size_t i = 0; i < blocks; ++i)
      r.worker_cpu_ratio_max = std::max(r.worker_cpu_ratio_max, (wcpu_end[i] - wcpu_start[i]) / r.publish_seconds);
  r.saturated = r.main_cpu_ratio > o.saturation || r.worker_cpu_ratio_max > o.saturation;
  r.received_at_stop = sum(&worker_block::deliveries);
  r.acked_at_stop = pub ? pub->acked() : 0;
  r.published = sample(r.server_pids);
  // 4. Drain: late acknowledgements and deliveries, bounded.
  stage = "drain";
  enter(phase::drain);
  pump_until(stopped + static_cast<std::uint64_t>(o.drain * 1e9), [&] {
    if (!pub)
      return true;
    return pub->in_flight() == 0 && sum(&worker_block::unique) >= pub->acked() * r.universe;
  });
  r.drain_seconds = static_cast<double>(now_ns() - stopped) / 1e9;
  r.after = sample(r.server_pids);
  // 5. Finish: every group counts what its subscribers lack.
  region.header->last_seq.store(pub ? pub->sent() : 0);
  finish(0);
  for (std::size_t i = 0; i < blocks; ++i) {
    auto& b = region.workers[i];
    r.lost += b.lost;
    r.duplicates += b.duplicates;
    r.out_of_order += b.out_of_order;
    r.latency.merge(b.latency);
  }
  r.opened = sum(&worker_block::opened);
  r.connect_failures = sum(&worker_block::connect_failures);
  r.reconnect_failures = sum(&worker_block::reconnect_failures);
  r.disconnects = sum(&worker_block::disconnects);
  r.churn_closes = sum(&worker_block::churn_closes);
  r.received = sum(&worker_block::deliveries);
  r.foreign = sum(&worker_block::foreign);
  r.untokened = sum(&worker_block::untokened);
  r.protocol_errors = sum(&worker_block::protocol_errors);
  if (pub) {
    r.sent = pub->sent();
    r.acked = pub->acked();
    r.failed = pub->failed();
    r.unacknowledged = pub->in_flight();
    r.behind_max = pub->behind_max();
    r.publish_error = pub->last_error();
    r.ack_latency = pub->ack_latency();
    r.acked_per_target = pub->acked_per_target();
    r.expected = r.acked * r.universe;
  }
  // The table goes to stdout, unless stdout carries the JSON object.
  print_table(o.json ? stderr : stdout, r, o);
  if (o.json)
    print_json(stdout, r, o);
  destroy_shared_region(region);
  return exit_code(r);
}

} // namespace herald::bench

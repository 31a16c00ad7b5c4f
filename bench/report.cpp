#include "bench/report.hpp"

#include <cinttypes>

namespace herald::bench {

namespace {

double per_second(std::uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

double ms(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void latency_row(std::FILE* out, const char* name, const histogram& h) {
  if (h.count() == 0) {
    std::fprintf(out, "%-18s -\n", name);
    return;
  }
  std::fprintf(out, "%-18s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (mean %.3f, n=%" PRIu64 ")\n",
               name, ms(h.percentile(0.5)), ms(h.percentile(0.9)), ms(h.percentile(0.99)),
               ms(h.percentile(0.999)), ms(h.max()), h.mean() / 1e6, h.count());
}

void latency_json(std::FILE* out, const char* name, const histogram& h) {
  std::fprintf(out,
               "\"%s\":{\"count\":%" PRIu64 ",\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,"
               "\"p999_ms\":%.4f,\"max_ms\":%.4f,\"mean_ms\":%.4f}",
               name, h.count(), ms(h.percentile(0.5)), ms(h.percentile(0.9)), ms(h.percentile(0.99)),
               ms(h.percentile(0.999)), ms(h.max()), h.mean() / 1e6);
}

void server_json(std::FILE* out, const char* name, const server_point& p) {
  std::fprintf(out, "\"%s\":{\"ok\":%s,\"cpu_s\":%.3f,\"rss_kb\":%" PRIu64 "}", name, p.ok ? "true" : "false",
               p.cpu_seconds, p.rss_kb);
}

double rss_per_connection_kb(const run_results& r) {
  if (!r.before.ok || !r.connected.ok || r.universe == 0)
    return 0;
  return (static_cast<double>(r.connected.rss_kb) - static_cast<double>(r.before.rss_kb))
         / static_cast<double>(r.universe);
}

} // namespace

std::string joined(const std::vector<std::string>& urls) {
  std::string out;
  for (auto& u : urls)
    out += (out.empty() ? "" : " ") + u;
  return out;
}

int exit_code(const run_results& r) {
  bool clean = r.lost == 0 && r.duplicates == 0 && r.out_of_order == 0 && r.failed == 0 && r.unacknowledged == 0
               && r.connect_failures == 0 && r.protocol_errors == 0;
  return clean ? 0 : 1;
}

void print_table(std::FILE* out, const run_results& r, const options& o) {
  std::fprintf(out, "\nherald-bench  scenario %s  run %" PRIu64 "\n", o.scenario.c_str(), r.run_id);
  std::fprintf(out, "%-18s %s%s\n", "subscribe", joined(r.sub_urls).c_str(),
               r.sub_urls.size() > 1 ? "  (round robin)" : "");
  if (r.publishing) {
    char mode[64];
    if (o.inflight > 0)
      std::snprintf(mode, sizeof mode, "closed loop, %zu in flight", o.inflight);
    else
      std::snprintf(mode, sizeof mode, "open loop, %g/s", o.rate);
    std::fprintf(out, "%-18s POST %s  (%s, %zu-byte messages)\n", "publish", joined(r.pub_urls).c_str(), mode,
                 o.size);
  }
  std::fprintf(out,
               "%-18s %" PRIu64 " of %" PRIu64 " open in %.2f s (%zu process%s); %" PRIu64
               " failed to connect, %" PRIu64 " dropped by the server\n",
               "subscribers", r.universe, r.wanted, r.connect_seconds, r.workers, r.workers == 1 ? "" : "es",
               r.connect_failures, r.disconnects);
  if (o.churn)
    std::fprintf(out, "%-18s %" PRIu64 " reconnections with since=, %" PRIu64 " reconnect failures\n", "churn",
                 r.churn_closes, r.reconnect_failures);
  if (r.publishing) {
    std::fprintf(out,
                 "%-18s %" PRIu64 " sent, %" PRIu64 " acknowledged (2xx), %" PRIu64 " failed, %" PRIu64
                 " unanswered; %.0f/s over %.2f s\n",
                 "publishes", r.sent, r.acked, r.failed, r.unacknowledged, per_second(r.acked_at_stop, r.publish_seconds),
                 r.publish_seconds);
    if (r.acked_per_target.size() > 1) {
      std::string split;
      for (auto n : r.acked_per_target)
        split += (split.empty() ? "" : " / ") + std::to_string(n);
      std::fprintf(out, "%-18s %s acknowledged, in the order of the publish URLs\n", "publishes split", split.c_str());
    }
    if (!r.publish_error.empty())
      std::fprintf(out, "%-18s %s\n", "publish error", r.publish_error.c_str());
    if (o.inflight == 0 && r.behind_max > 1)
      std::fprintf(out, "%-18s up to %" PRIu64 " publishes behind schedule\n", "publish lag", r.behind_max);
    std::fprintf(out,
                 "%-18s expected %" PRIu64 "  received %" PRIu64 "  lost %" PRIu64 "  duplicated %" PRIu64
                 "  out of order %" PRIu64 "\n",
                 "deliveries", r.expected, r.received, r.lost, r.duplicates, r.out_of_order);
    std::fprintf(out, "%-18s %.0f deliveries/s while publishing; drained in %.2f s\n", "throughput",
                 per_second(r.received_at_stop, r.publish_seconds), r.drain_seconds);
    latency_row(out, "latency end-to-end", r.latency);
    latency_row(out, "publish ack", r.ack_latency);
  }
  if (r.foreign + r.untokened + r.protocol_errors > 0)
    std::fprintf(out, "%-18s %" PRIu64 " of earlier runs, %" PRIu64 " without a token, %" PRIu64 " protocol errors\n",
                 "other frames", r.foreign, r.untokened, r.protocol_errors);
  if (!r.server_pids.empty()) {
    std::string pids;
    for (int p : r.server_pids)
      pids += (pids.empty() ? "" : ",") + std::to_string(p);
    std::fprintf(out, "%-18s pids %s%s\n", "server", pids.c_str(), r.after.ok ? "" : " (some could not be read)");
    std::fprintf(out,
                 "%-18s connecting %.2f s, %s %.2f s (%.0f%% of a core), draining %.2f s\n", "server cpu",
                 r.connected.cpu_seconds - r.before.cpu_seconds, r.publishing ? "publishing" : "holding", r.published.cpu_seconds - r.connected.cpu_seconds,
                 r.publish_seconds > 0 ? 100 * (r.published.cpu_seconds - r.connected.cpu_seconds) / r.publish_seconds : 0,
                 r.after.cpu_seconds - r.published.cpu_seconds);
    std::fprintf(out,
                 "%-18s before %" PRIu64 " KB, connected %" PRIu64 " KB, %s %" PRIu64
                 " KB, drained %" PRIu64 " KB\n",
                 "server rss", r.before.rss_kb, r.connected.rss_kb, r.publishing ? "publishing stopped" : "held", r.published.rss_kb, r.after.rss_kb);
    std::fprintf(out, "%-18s %.2f KB per connection (connected - before) / %" PRIu64 "\n", "server rss/conn",
                 rss_per_connection_kb(r), r.universe);
  }
  std::fprintf(out, "%-18s main process %.0f%% of a core, busiest subscriber process %.0f%%%s\n", "harness cpu",
               100 * r.main_cpu_ratio, 100 * r.worker_cpu_ratio_max,
               r.saturated ? "  SATURATED: these figures measure the harness, not the server" : "");
  std::fprintf(out, "%-18s %s\n\n", "verdict", exit_code(r) == 0 ? "clean" : "NOT CLEAN (see above)");
}

void print_json(std::FILE* out, const run_results& r, const options& o) {
  std::fprintf(out, "{\"scenario\":%s,\"run\":%" PRIu64 ",\"sub_url\":%s,\"pub_url\":%s,", json_string(o.scenario).c_str(),
               r.run_id, json_string(joined(r.sub_urls)).c_str(),
               json_string(r.publishing ? joined(r.pub_urls) : "").c_str());
  std::fprintf(out,
               "\"subscribers\":{\"wanted\":%" PRIu64 ",\"open\":%" PRIu64 ",\"connect_failures\":%" PRIu64
               ",\"disconnects\":%" PRIu64 ",\"churn_reconnects\":%" PRIu64 ",\"reconnect_failures\":%" PRIu64
               ",\"connect_s\":%.3f,\"processes\":%zu},",
               r.wanted, r.universe, r.connect_failures, r.disconnects, r.churn_closes, r.reconnect_failures,
               r.connect_seconds, r.workers);
  std::fprintf(out,
               "\"publishes\":{\"mode\":%s,\"sent\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"failed\":%" PRIu64
               ",\"unanswered\":%" PRIu64 ",\"per_s\":%.1f,\"seconds\":%.3f,\"error\":%s,\"acked_per_url\":[",
               json_string(o.inflight > 0 ? "closed" : "open").c_str(), r.sent, r.acked, r.failed, r.unacknowledged,
               per_second(r.acked_at_stop, r.publish_seconds), r.publish_seconds,
               json_string(r.publish_error).c_str());
  for (std::size_t i = 0; i < r.acked_per_target.size(); ++i)
    std::fprintf(out, "%s%" PRIu64, i ? "," : "", r.acked_per_target[i]);
  std::fprintf(out, "]},");
  std::fprintf(out,
               "\"deliveries\":{\"expected\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64
               ",\"duplicated\":%" PRIu64 ",\"out_of_order\":%" PRIu64 ",\"per_s\":%.1f,\"drain_s\":%.3f,"
               "\"foreign\":%" PRIu64 ",\"untokened\":%" PRIu64 ",\"protocol_errors\":%" PRIu64 "},",
               r.expected, r.received, r.lost, r.duplicates, r.out_of_order,
               per_second(r.received_at_stop, r.publish_seconds), r.drain_seconds, r.foreign, r.untokened,
               r.protocol_errors);
  std::fprintf(out, "\"latency\":{");
  latency_json(out, "end_to_end", r.latency);
  std::fputc(',', out);
  latency_json(out, "publish_ack", r.ack_latency);
  std::fprintf(out, "},\"server\":{\"pids\":[");
  for (std::size_t i = 0; i < r.server_pids.size(); ++i)
    std::fprintf(out, "%s%d", i ? "," : "", r.server_pids[i]);
  std::fprintf(out, "],");
  server_json(out, "before", r.before);
  std::fputc(',', out);
  server_json(out, "connected", r.connected);
  std::fputc(',', out);
  server_json(out, "published", r.published);
  std::fputc(',', out);
  server_json(out, "after", r.after);
  std::fprintf(out, ",\"rss_per_connection_kb\":%.3f},", rss_per_connection_kb(r));
  std::fprintf(out, "\"harness\":{\"main_cpu_ratio\":%.3f,\"worker_cpu_ratio_max\":%.3f,\"saturated\":%s},",
               r.main_cpu_ratio, r.worker_cpu_ratio_max, r.saturated ? "true" : "false");
  std::fprintf(out, "\"clean\":%s}\n", exit_code(r) == 0 ? "true" : "false");
}

} // namespace herald::bench

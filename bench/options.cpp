#include "bench/options.hpp"

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <sstream>

namespace herald::bench {

namespace {

bool to_double(const std::string& s, double& out) {
  if (s.empty())
    return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && *end == '\0' && out >= 0;
}

bool to_size(const std::string& s, std::size_t& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 12)
    return false;
  out = static_cast<std::size_t>(std::stoull(s));
  return true;
}

bool to_pids(const std::string& s, std::vector<int>& out) {
  std::stringstream in{s};
  std::string part;
  while (std::getline(in, part, ',')) {
    std::size_t v = 0;
    if (!to_size(part, v) || v == 0 || v > 4'194'304)
      return false;
    out.push_back(static_cast<int>(v));
  }
  return !out.empty();
}

// "HOST:PORT[,HOST:PORT...]", appended to out; the URLs built from each are
// checked when the run starts.
bool to_servers(const std::string& s, std::vector<std::string>& out) {
  std::stringstream in{s};
  std::string part;
  std::size_t added = 0;
  while (std::getline(in, part, ',')) {
    if (part.empty() || part.find_first_of("/ \t") != std::string::npos)
      return false;
    out.push_back(part);
    ++added;
  }
  return added > 0 && s.back() != ',';
}

struct flag {
  const char* name;
  const char* arg; // nullptr: a switch
  const char* help;
  std::function<bool(options&, const std::string&)> set;
};

#define SIZE_FLAG(field) [](options& o, const std::string& v) { return to_size(v, o.field); }
#define REAL_FLAG(field) [](options& o, const std::string& v) { return to_double(v, o.field); }
#define TEXT_FLAG(field) [](options& o, const std::string& v) { o.field = v; return true; }
#define LIST_FLAG(field) [](options& o, const std::string& v) { o.field.push_back(v); return !v.empty(); }

const std::vector<flag>& flags() {
  static const std::vector<flag> all = {
    {"--scenario", "NAME", "fanout | latency | idle | ingest | churn | cluster | smoke (default smoke); sets the presets below",
     [](options& o, const std::string& v) { o.scenario = v; return is_scenario(v); }},
    {"--server", "HOST:PORT[,...]", "herald's address for the default URLs (default 127.0.0.1:9999); repeatable or "
     "a comma list for the nodes of a cluster: subscribers go round robin to each in turn, and each gets the same "
     "number of publisher connections", [](options& o, const std::string& v) { return to_servers(v, o.servers); }},
    {"--channel", "NAME", "herald channel for the default URLs (default bench)", TEXT_FLAG(channel)},
    {"--url", "WS_URL", "subscribe URL (default ws://<server>/socket/<channel>, one per server); repeatable: "
     "subscribers go round robin to each in turn", LIST_FLAG(sub_urls)},
    {"--subscribers", "N", "subscriber connections", SIZE_FLAG(subscribers)},
    {"--ramp", "PER_S", "new subscriber connections per second (default 5000)", REAL_FLAG(ramp)},
    {"--max-connecting", "N", "handshakes in progress at once (default 256)", SIZE_FLAG(max_connecting)},
    {"--connect-timeout", "S", "seconds allowed, beyond the ramp time, for all subscribers to open (default 30)",
     REAL_FLAG(connect_timeout)},
    {"--source-addrs", "RANGE", "auto | none | 127.0.0.2-127.0.0.254: bind each connection to the next source "
     "address of the range, so N can exceed one address's ephemeral ports (auto: that range for a loopback target)",
     TEXT_FLAG(source_addrs)},
    {"--workers", "N", "subscriber processes (default 0: as the fd limit needs, ~19,900 subscribers each; 1: all in this process)",
     SIZE_FLAG(workers)},
    {"--pub-url", "HTTP_URL", "publish URL, POSTed to (default http://<server>/api/channels/<channel>/messages, one "
     "per server); repeatable: each gets the same number of publisher connections", LIST_FLAG(pub_urls)},
    {"--body", "TEMPLATE", "request body; {payload} is replaced by the message (default 'message={payload}'; "
     "use '{payload}' for raw-body servers)", TEXT_FLAG(body_template)},
    {"--content-type", "TYPE", "Content-Type of publishes (default application/x-www-form-urlencoded; '' for none)",
     TEXT_FLAG(content_type)},
    {"--auth", "VALUE", "Authorization header of publishes (default 'Bearer dev-token'; '' for none)", TEXT_FLAG(auth)},
    {"--header", "'NAME: VALUE'", "extra publish header (repeatable)",
     [](options& o, const std::string& v) { o.headers.push_back(v); return v.find(':') != std::string::npos; }},
    {"--rate", "PER_S", "publishes per second, open loop (0: no publishing)", REAL_FLAG(rate)},
    {"--inflight", "K", "closed loop: keep K publishes in flight (overrides --rate; 0: use --rate)",
     SIZE_FLAG(inflight)},
    {"--pub-conns", "N", "publisher keep-alive connections (default: K for closed loop up to 64, else 4; rounded up "
     "to a multiple of the publish URLs); requests beyond one per connection are pipelined", SIZE_FLAG(pub_conns)},
    {"--size", "BYTES", "message payload size; the token is ~40 bytes, padded with 'x' (default 100)",
     SIZE_FLAG(size)},
    {"--duration", "S", "seconds of publishing (idle: seconds to hold the connections)", REAL_FLAG(duration)},
    {"--drain", "S", "after publishing stops, seconds to wait for late deliveries before counting loss (default 2)",
     REAL_FLAG(drain)},
    {"--churn", nullptr, "subscribers disconnect and reconnect with ?since=<last id seen> while publishing",
     [](options& o, const std::string&) { o.churn = true; return true; }},
    {"--churn-min", "S", "shortest life of a churning connection (default 0.2)", REAL_FLAG(churn_min)},
    {"--churn-max", "S", "longest life of a churning connection (default 1.0)", REAL_FLAG(churn_max)},
    {"--server-pid", "PID[,PID...]", "server process(es) to measure: CPU seconds and VmRSS summed "
     "(repeatable, e.g. one per --server; their children are added, e.g. nginx workers)",
     [](options& o, const std::string& v) { return to_pids(v, o.server_pids); }},
    {"--no-server-children", nullptr, "measure only the given pids, not their children",
     [](options& o, const std::string&) { o.server_children = false; return true; }},
    {"--max-publishes", "N", "stop publishing after N messages (default 50,000,000)",
     [](options& o, const std::string& v) {
       std::size_t n = 0;
       bool ok = to_size(v, n) && n > 0;
       o.max_publishes = n;
       return ok;
     }},
    {"--saturation", "RATIO", "warn when the harness's CPU / wall time exceeds this (default 0.9)",
     REAL_FLAG(saturation)},
    {"--json", nullptr, "print one JSON object with the results on stdout",
     [](options& o, const std::string&) { o.json = true; return true; }},
    {"--quiet", nullptr, "no progress lines on stderr",
     [](options& o, const std::string&) { o.quiet = true; return true; }},
  };
  return all;
}

void apply_preset(options& o, const std::string& name) {
  o.scenario = name;
  o.churn = false;
  o.inflight = 0;
  o.size = 100;
  if (name == "fanout" || name == "cluster") {
    o.subscribers = 1000, o.inflight = 64, o.duration = 10;
  } else if (name == "latency") {
    o.subscribers = 1000, o.rate = 100, o.duration = 10;
  } else if (name == "idle") {
    o.subscribers = 10000, o.rate = 0, o.duration = 5;
  } else if (name == "ingest") {
    o.subscribers = 1, o.inflight = 64, o.duration = 10;
  } else if (name == "churn") {
    o.subscribers = 5000, o.rate = 100, o.duration = 10, o.churn = true;
  } else { // smoke
    o.subscribers = 200, o.rate = 200, o.duration = 3;
  }
}

} // namespace

bool is_scenario(const std::string& name) {
  return name == "fanout" || name == "latency" || name == "idle" || name == "ingest" || name == "churn"
         || name == "cluster" || name == "smoke";
}

namespace {

const std::string default_server = "127.0.0.1:9999";

std::vector<std::string> herald_urls(const std::vector<std::string>& servers, const std::string& scheme,
                                     const std::string& path) {
  std::vector<std::string> out;
  for (auto& s : servers.empty() ? std::vector<std::string>{default_server} : servers)
    out.push_back(scheme + "://" + s + path);
  return out;
}

} // namespace

std::vector<std::string> options::effective_sub_urls() const {
  return sub_urls.empty() ? herald_urls(servers, "ws", "/socket/" + channel) : sub_urls;
}

std::vector<std::string> options::effective_pub_urls() const {
  return pub_urls.empty() ? herald_urls(servers, "http", "/api/channels/" + channel + "/messages") : pub_urls;
}

std::optional<options> parse_options(int argc, char** argv, std::string& error, bool& help_requested) {
  help_requested = false;
  // Pass 1: the scenario, so that flags override its preset in any order.
  options o;
  std::string scenario = "smoke";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      help_requested = true;
      return std::nullopt;
    }
    if (a == "--scenario" && i + 1 < argc)
      scenario = argv[i + 1];
    else if (a.rfind("--scenario=", 0) == 0)
      scenario = a.substr(11);
  }
  if (!is_scenario(scenario)) {
    error = "unknown scenario '" + scenario + "' (fanout, latency, idle, ingest, churn, cluster, smoke)";
    return std::nullopt;
  }
  apply_preset(o, scenario);
  // Pass 2: every flag.
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      inline_value = true;
    }
    const flag* f = nullptr;
    for (auto& candidate : flags())
      if (a == candidate.name)
        f = &candidate;
    if (f == nullptr) {
      error = "unknown flag '" + a + "' (see --help)";
      return std::nullopt;
    }
    if (f->arg != nullptr && !inline_value) {
      if (i + 1 >= argc) {
        error = a + " needs a value " + f->arg;
        return std::nullopt;
      }
      value = argv[++i];
    }
    if (!f->set(o, value)) {
      error = "bad value '" + value + "' for " + a + " (" + (f->arg ? f->arg : "") + ")";
      return std::nullopt;
    }
  }
  if (o.churn_max < o.churn_min) {
    error = "--churn-max is below --churn-min";
    return std::nullopt;
  }
  if (o.subscribers == 0 && o.rate == 0 && o.inflight == 0) {
    error = "nothing to do: no subscribers and no publishing";
    return std::nullopt;
  }
  if (o.ramp <= 0) {
    error = "--ramp must be above 0";
    return std::nullopt;
  }
  if (o.max_connecting == 0)
    o.max_connecting = 1;
  return o;
}

std::string help_text() {
  std::ostringstream out;
  out << "herald-bench: load-testing harness for WebSocket push servers\n\n"
         "Opens subscriber WebSocket connections, publishes over HTTP keep-alive (POST), and checks\n"
         "that every subscriber receives every acknowledged message once, in order, measuring\n"
         "end-to-end latency and, with --server-pid, the server's CPU and memory. Each message\n"
         "carries the token hb.<run>.<seq>.<send_ns>.<watermark>. anywhere in the frame.\n\n"
         "usage: herald-bench [--scenario NAME] [flags]\n\n"
         "scenarios (each bounded in time; flags override):\n"
         "  fanout   1,000 subscribers, closed loop with 64 in flight, 100-byte messages, 10 s\n"
         "  latency  1,000 subscribers, 100 publishes/s, 10 s\n"
         "  idle     10,000 idle subscribers held 5 s; reports server RSS per connection\n"
         "  ingest   1 subscriber, closed loop with 64 in flight, 10 s\n"
         "  churn    5,000 subscribers reconnecting with ?since=<last id> at random, 100 publishes/s, 10 s\n"
         "  cluster  the fanout load, meant for the nodes of a cluster given as several --server: subscribers\n"
         "           spread over them, publishes to all of them, order judged across the nodes\n"
         "  smoke    200 subscribers, 200 publishes/s, 3 s (the default)\n\n"
         "flags:\n";
  for (auto& f : flags()) {
    std::string head = std::string{"  "} + f.name + (f.arg ? std::string{" "} + f.arg : std::string{});
    out << head;
    if (head.size() < 28)
      out << std::string(28 - head.size(), ' ');
    else
      out << "\n" << std::string(28, ' ');
    out << f.help << "\n";
  }
  out << "  --help                    this text\n\n"
         "examples:\n"
         "  herald-bench --scenario fanout --server-pid $(pgrep -x herald)\n"
         "  herald-bench --scenario cluster --server 127.0.0.1:18091 --server 127.0.0.1:18092 \\\n"
         "      --server-pid $PID1 --server-pid $PID2\n"
         "  herald-bench --scenario latency --url ws://127.0.0.1:18081/sub?id=bench \\\n"
         "      --pub-url 'http://127.0.0.1:18081/pub?id=bench' --body '{payload}' --content-type '' --auth ''\n\n"
         "exit status: 0 clean run; 1 something was lost, duplicated or out of order, a publish failed or\n"
         "went unanswered, or a subscriber failed to connect; 2 bad usage or the harness could not run.\n";
  return out.str();
}

} // namespace herald::bench

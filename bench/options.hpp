#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace herald::bench {

// Everything a run is made of. A scenario sets a preset; every flag given
// on the command line overrides it, whatever the order.
struct options {
  std::string scenario = "smoke";
  // herald's addresses for the default URLs; empty: 127.0.0.1:9999. With
  // several, subscribers and publisher connections are spread over them.
  std::vector<std::string> servers;
  std::string channel = "bench";
  std::vector<std::string> sub_urls;   // empty: herald's, one per server
  std::vector<std::string> pub_urls;   // empty: herald's, one per server
  std::string body_template = "message={payload}";
  std::string content_type = "application/x-www-form-urlencoded";
  std::string auth = "Bearer dev-token"; // Authorization value; empty: none
  std::vector<std::string> headers;    // extra "Name: value" lines
  std::size_t subscribers = 200;
  double ramp = 5000;                  // new connections per second
  std::size_t max_connecting = 256;    // handshakes in progress at once
  double connect_timeout = 30;         // seconds on top of the ramp time
  std::string source_addrs = "auto";   // auto | none | A.B.C.D-A.B.C.E
  std::size_t workers = 0;             // 0: as many as the fd limit needs
  double rate = 200;                   // publishes per second (open loop)
  std::size_t inflight = 0;            // > 0: closed loop with K in flight
  std::size_t pub_conns = 0;           // 0: automatic
  std::size_t size = 100;              // message payload bytes
  double duration = 3;                 // seconds of publishing (idle: holding)
  double drain = 2;                    // seconds to wait for late deliveries
  bool churn = false;
  double churn_min = 0.2;              // seconds a churning connection lives
  double churn_max = 1.0;
  std::vector<int> server_pids;
  bool server_children = true;         // add the children of server pids
  bool json = false;
  bool quiet = false;
  double saturation = 0.9;             // own CPU / wall above this: warn
  std::uint64_t max_publishes = 50'000'000;

  // What subscribers connect to and publishes go to, in the order they are
  // taken round robin.
  std::vector<std::string> effective_sub_urls() const;
  std::vector<std::string> effective_pub_urls() const;
};

// Parses argv; nullopt with error set on a bad flag, with help_requested
// set on --help.
std::optional<options> parse_options(int argc, char** argv, std::string& error,
                                     bool& help_requested);

std::string help_text();

// The scenario names, for validation and help.
bool is_scenario(const std::string& name);

} // namespace herald::bench

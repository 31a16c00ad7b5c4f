// herald-bench's flags: scenario presets, overrides, servers and URLs,
// refusals; source ranges, worker and publisher-connection counts.
#define CAF_SUITE bench_options
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include <arpa/inet.h>

#include "bench/options.hpp"
#include "bench/setup.hpp"

using namespace herald::bench;

using urls = std::vector<std::string>;

namespace {

std::optional<options> parse(std::vector<std::string> args, std::string& error) {
  std::vector<char*> argv{const_cast<char*>("herald-bench")};
  for (auto& a : args)
    argv.push_back(a.data());
  bool help = false;
  return parse_options(static_cast<int>(argv.size()), argv.data(), error, help);
}

} // namespace

CAF_TEST(scenario presets) {
  std::string error;
  auto o = parse({"--scenario", "fanout"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->subscribers, 1000u);
  CAF_CHECK_EQUAL(o->inflight, 64u);
  CAF_CHECK_EQUAL(o->duration, 10.0);
  o = parse({"--scenario=churn"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK(o->churn);
  CAF_CHECK_EQUAL(o->subscribers, 5000u);
  CAF_CHECK_EQUAL(o->rate, 100.0);
  o = parse({}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->scenario, "smoke");
  CAF_CHECK_EQUAL(o->effective_sub_urls(), urls{"ws://127.0.0.1:9999/socket/bench"});
  CAF_CHECK_EQUAL(o->effective_pub_urls(), urls{"http://127.0.0.1:9999/api/channels/bench/messages"});
}

CAF_TEST(flags override the preset whatever their position) {
  std::string error;
  auto o = parse({"--subscribers", "7", "--scenario", "idle", "--auth=", "--header", "X-A: b", "--json"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->subscribers, 7u);
  CAF_CHECK_EQUAL(o->scenario, "idle");
  CAF_CHECK_EQUAL(o->auth, "");
  CAF_REQUIRE_EQUAL(o->headers.size(), 1u);
  CAF_CHECK(o->json);
  o = parse({"--server", "127.0.0.1:4321", "--channel", "c/d"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->effective_sub_urls(), urls{"ws://127.0.0.1:4321/socket/c/d"});
  CAF_CHECK_EQUAL(o->effective_pub_urls(), urls{"http://127.0.0.1:4321/api/channels/c/d/messages"});
  o = parse({"--server-pid", "12,34", "--server-pid=56"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->server_pids.size(), 3u);
}

CAF_TEST(cluster preset is the fanout load) {
  std::string error;
  auto cluster = parse({"--scenario", "cluster"}, error);
  auto fanout = parse({"--scenario", "fanout"}, error);
  CAF_REQUIRE(cluster && fanout);
  CAF_CHECK_EQUAL(cluster->scenario, "cluster");
  CAF_CHECK_EQUAL(cluster->subscribers, fanout->subscribers);
  CAF_CHECK_EQUAL(cluster->inflight, fanout->inflight);
  CAF_CHECK_EQUAL(cluster->duration, fanout->duration);
  CAF_CHECK_EQUAL(cluster->size, fanout->size);
  CAF_CHECK(!cluster->churn);
}

CAF_TEST(several servers repeated or as a comma list keep their order) {
  std::string error;
  auto o = parse({"--server", "127.0.0.1:1", "--scenario", "cluster", "--server", "127.0.0.1:2"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->servers, (urls{"127.0.0.1:1", "127.0.0.1:2"}));
  CAF_CHECK_EQUAL(o->effective_sub_urls(), (urls{"ws://127.0.0.1:1/socket/bench", "ws://127.0.0.1:2/socket/bench"}));
  CAF_CHECK_EQUAL(o->effective_pub_urls(), (urls{"http://127.0.0.1:1/api/channels/bench/messages",
                                                  "http://127.0.0.1:2/api/channels/bench/messages"}));
  o = parse({"--server=127.0.0.1:1,127.0.0.1:2", "--server", "127.0.0.1:3"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->servers, (urls{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}));
  CAF_CHECK_EQUAL(o->effective_sub_urls().size(), 3u);
  o = parse({"--server", "127.0.0.1:1", "--server", "127.0.0.1:2", "--server-pid", "11", "--server-pid", "22"},
            error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->server_pids, (std::vector<int>{11, 22}));
}

CAF_TEST(explicit urls override the servers and repeat on their own) {
  std::string error;
  auto o = parse({"--server", "127.0.0.1:1,127.0.0.1:2", "--url", "ws://127.0.0.1:5/a", "--url",
                  "ws://127.0.0.1:6/b"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->effective_sub_urls(), (urls{"ws://127.0.0.1:5/a", "ws://127.0.0.1:6/b"}));
  CAF_CHECK_EQUAL(o->effective_pub_urls().size(), 2u); // still herald's, from the servers
  o = parse({"--pub-url", "http://127.0.0.1:7/p"}, error);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(o->effective_pub_urls(), urls{"http://127.0.0.1:7/p"});
  CAF_CHECK_EQUAL(o->effective_sub_urls(), urls{"ws://127.0.0.1:9999/socket/bench"});
}

CAF_TEST(bad flags are refused with a reason) {
  std::string error;
  CAF_CHECK(!parse({"--scenario", "nope"}, error));
  CAF_CHECK(!error.empty());
  CAF_CHECK(!parse({"--subscribers", "-3"}, error));
  CAF_CHECK(!parse({"--rate"}, error));
  CAF_CHECK(!parse({"--frobnicate"}, error));
  CAF_CHECK(!parse({"--server-pid", "12,x"}, error));
  CAF_CHECK(!parse({"--churn-min", "2", "--churn-max", "1"}, error));
  CAF_CHECK(!parse({"--server", ""}, error));
  CAF_CHECK(!parse({"--server", "127.0.0.1:1,,127.0.0.1:2"}, error));
  CAF_CHECK(!parse({"--server", "127.0.0.1:1,"}, error));
  CAF_CHECK(!parse({"--server", ",127.0.0.1:1"}, error));
  CAF_CHECK(!parse({"--server", "http://127.0.0.1:1"}, error));
  CAF_CHECK(!parse({"--url", ""}, error));
}

CAF_TEST(source address ranges) {
  std::vector<std::uint32_t> out;
  CAF_CHECK(parse_source_range("auto", true, out));
  CAF_CHECK_EQUAL(out.size(), 253u);
  CAF_CHECK_EQUAL(ntohl(out.front()), 0x7F000002u);
  CAF_CHECK_EQUAL(ntohl(out.back()), 0x7F0000FEu);
  CAF_CHECK(parse_source_range("auto", false, out));
  CAF_CHECK(out.empty());
  CAF_CHECK(parse_source_range("none", true, out));
  CAF_CHECK(out.empty());
  CAF_CHECK(parse_source_range("10.0.0.1-10.0.0.3", false, out));
  CAF_CHECK_EQUAL(out.size(), 3u);
  CAF_CHECK(!parse_source_range("10.0.0.3-10.0.0.1", false, out));
  CAF_CHECK(!parse_source_range("garbage", false, out));
}

CAF_TEST(worker processes follow the fd limit) {
  CAF_CHECK_EQUAL(worker_processes(1000, 0, 20000, 64), 0u);
  CAF_CHECK_EQUAL(worker_processes(19000, 0, 20000, 64), 0u);
  CAF_CHECK_EQUAL(worker_processes(25000, 0, 20000, 64), 2u);
  CAF_CHECK_EQUAL(worker_processes(50000, 0, 20000, 64), 3u);
  CAF_CHECK_EQUAL(worker_processes(1000, 3, 20000, 64), 3u);
  CAF_CHECK_EQUAL(worker_processes(1000, 1, 20000, 64), 0u);
}

CAF_TEST(publisher connections are shared evenly by the publish urls) {
  // One URL: as before, K in flight up to 64, else 4, or as asked.
  CAF_CHECK_EQUAL(publisher_connections(true, 64, 0, 1), 64u);
  CAF_CHECK_EQUAL(publisher_connections(true, 500, 0, 1), 64u);
  CAF_CHECK_EQUAL(publisher_connections(true, 0, 0, 1), 4u);
  CAF_CHECK_EQUAL(publisher_connections(true, 64, 5, 1), 5u);
  CAF_CHECK_EQUAL(publisher_connections(false, 64, 5, 1), 0u);
  // Several: rounded up to a multiple, so every URL gets as many.
  CAF_CHECK_EQUAL(publisher_connections(true, 64, 0, 2), 64u);
  CAF_CHECK_EQUAL(publisher_connections(true, 3, 0, 2), 4u);
  CAF_CHECK_EQUAL(publisher_connections(true, 64, 5, 2), 6u);
  CAF_CHECK_EQUAL(publisher_connections(true, 0, 0, 3), 6u);
  CAF_CHECK_EQUAL(publisher_connections(true, 1, 0, 3), 3u);
}

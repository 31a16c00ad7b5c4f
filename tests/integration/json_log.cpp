// [log] format = "json" on the real binary: from the first line to the last,
// through publishes, WebSockets, a refused Origin with quotes and
// backslashes in it, a reload and a shutdown, every line the process writes
// is one JSON object, and the lines about a connection carry its id.
#define CAF_SUITE integration_json_log
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <sstream>
#include <string>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

CAF_TEST(a json log holds only json lines) {
  herald_options opts;
  opts.log_level = "debug";
  opts.log_toml = "format = \"json\"\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/json/log").upgraded);
  http_client http{server.port()};
  auto r = publish(http, "json/log", "line \"with\" quotes\nand a newline");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
  ws.close();
  ws_client refused{server.port()};
  ws_connect_options evil;
  evil.origin = "https://quote\"back\\slash.example";
  CAF_CHECK_EQUAL(refused.connect("/socket/json/log", evil).status, 403);
  CAF_REQUIRE(server.kill(SIGHUP));
  CAF_REQUIRE(server.wait_for_log("config reloaded from"));
  CAF_REQUIRE(server.kill(SIGTERM));
  CAF_REQUIRE(server.wait_exit(10s).exited_with(0));

  std::istringstream log{server.log_text()};
  std::size_t lines = 0;
  std::size_t with_conn = 0;
  bool saw_origin = false;
  bool saw_ws_open = false;
  for (std::string line; std::getline(log, line);) {
    ++lines;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) {
      CAF_ERROR("not a JSON object: " << line);
      continue;
    }
    auto& o = v.as_object();
    CAF_CHECK(o.contains("time") && o.contains("level") && o.contains("msg"));
    auto msg = boost::json::value_to<std::string>(o.at("msg"));
    if (o.contains("conn")) {
      ++with_conn;
      CAF_CHECK(msg.find("conn=" + boost::json::serialize(o.at("conn"))) != std::string::npos);
    }
    saw_origin = saw_origin || msg.find("quote\"back\\slash") != std::string::npos;
    saw_ws_open = saw_ws_open || (msg.rfind("ws open conn=", 0) == 0 && o.contains("conn"));
  }
  CAF_CHECK_GREATER(lines, 10u);
  CAF_CHECK_GREATER(with_conn, 3u);
  CAF_CHECK(saw_origin);
  CAF_CHECK(saw_ws_open);
}

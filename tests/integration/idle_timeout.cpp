// [limits] idle_timeout on the real binary: a kept-alive HTTP connection
// with no request in progress is closed after idle_timeout, one that keeps
// sending requests stays, and a request that has begun is bounded by
// handshake_timeout, not by the idle timeout.
#define CAF_SUITE integration_idle_timeout
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

herald_options idle_after(const std::string& idle, const std::string& handshake) {
  herald_options opts;
  opts.websocket_toml = "handshake_timeout = \"" + handshake + "\"\n";
  opts.extra_toml = "[limits]\nidle_timeout = \"" + idle + "\"\n";
  return opts;
}

const std::string health_request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

} // namespace

CAF_TEST(an idle kept-alive connection is closed after idle_timeout) {
  herald_process server{idle_after("300ms", "10s")};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  auto first = http.request("GET", "/healthz");
  CAF_REQUIRE_EQUAL(first.status, 200);
  CAF_REQUIRE(first.keep_alive);
  auto start = std::chrono::steady_clock::now();
  CAF_CHECK(http.wait_closed(5s));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - start);
  CAF_CHECK_GREATER_OR_EQUAL(waited.count(), 250);
  CAF_CHECK_LESS(waited.count(), 3000);
}

CAF_TEST(requests within idle_timeout keep the connection open) {
  herald_process server{idle_after("400ms", "10s")};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  CAF_REQUIRE(http.connect());
  CAF_REQUIRE(http.send_raw(health_request));
  CAF_REQUIRE_EQUAL(http.read_response().status, 200);
  // Twelve requests 150 ms apart: 1.8 s in all, never 400 ms idle.
  for (int i = 0; i < 12; ++i) {
    std::this_thread::sleep_for(150ms);
    CAF_REQUIRE(http.send_raw(health_request));
    auto res = http.read_response();
    CAF_REQUIRE_EQUAL(res.status, 200);
  }
}

CAF_TEST(a request that has begun gets handshake_timeout however short idle_timeout is) {
  herald_process server{idle_after("10s", "300ms")};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  CAF_REQUIRE_EQUAL(http.request("GET", "/healthz").status, 200);
  // The next request starts, then stalls in its header.
  CAF_REQUIRE(http.send_raw("GET /healthz HTTP/1.1\r\nHo"));
  auto start = std::chrono::steady_clock::now();
  CAF_CHECK(http.wait_closed(5s));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - start);
  CAF_CHECK_LESS(waited.count(), 3000);
}

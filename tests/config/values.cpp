#define CAF_SUITE config_values
#include <caf/test/unit_test.hpp>

#include <string>

#include "config/values.hpp"

using namespace std::chrono_literals;

CAF_TEST(durations need a unit) {
  std::chrono::milliseconds d{0};
  CAF_CHECK(!herald::parse_duration("500ms", d) && d == 500ms);
  CAF_CHECK(!herald::parse_duration("10s", d) && d == 10s);
  CAF_CHECK(!herald::parse_duration("2m", d) && d == 2min);
  CAF_CHECK(!herald::parse_duration("1h", d) && d == 1h);
  CAF_CHECK(!herald::parse_duration("7d", d) && d == 7 * 24h);
  d = 7ms;
  for (auto bad : {"", "10", "s", "1.5s", "-1s", "10 s", "10sec", "99999999999999999999h"})
    CAF_CHECK(herald::parse_duration(bad, d));
  CAF_CHECK(d == 7ms); // failures leave the target alone
}

CAF_TEST(sizes take binary units) {
  std::size_t n = 0;
  CAF_CHECK(!herald::parse_size("512", n) && n == 512);
  CAF_CHECK(!herald::parse_size("512B", n) && n == 512);
  CAF_CHECK(!herald::parse_size("64KiB", n) && n == 65536);
  CAF_CHECK(!herald::parse_size("4MiB", n) && n == 4u * 1024 * 1024);
  CAF_CHECK(!herald::parse_size("1GiB", n) && n == 1024u * 1024 * 1024);
  for (auto bad : {"", "abc", "4MB", "4 MiB", "-4", "1.5KiB", "99999999999999999999"})
    CAF_CHECK(herald::parse_size(bad, n));
}

CAF_TEST(listen addresses are IP literals with a port) {
  std::string addr;
  uint16_t port = 1;
  CAF_CHECK(!herald::parse_listen("127.0.0.1:9999", addr, port) && addr == "127.0.0.1"
            && port == 9999);
  CAF_CHECK(!herald::parse_listen("[::]:0", addr, port) && addr == "::" && port == 0);
  CAF_CHECK(!herald::parse_listen("0.0.0.0:65535", addr, port) && port == 65535);
  for (auto bad : {"", ":80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:-1",
                   "127.0.0.1:65536", "::1:80", "[::1]", "[::1]80", "[127.0.0.1]:80",
                   "[nothing]:80", "example.com:80", "1.2.3:80"})
    CAF_CHECK(herald::parse_listen(bad, addr, port));
  CAF_CHECK_EQUAL(addr, "0.0.0.0");
}

CAF_TEST(formats round trip) {
  CAF_CHECK_EQUAL(herald::format_duration(10000ms), "10s");
  CAF_CHECK_EQUAL(herald::format_duration(1500ms), "1500ms");
  CAF_CHECK_EQUAL(herald::format_duration(120s), "2m");
  CAF_CHECK_EQUAL(herald::format_duration(0ms), "0ms");
  CAF_CHECK_EQUAL(herald::format_duration(48h), "2d");
  CAF_CHECK_EQUAL(herald::format_duration(36h), "36h");
  CAF_CHECK_EQUAL(herald::format_size(65536), "64KiB");
  CAF_CHECK_EQUAL(herald::format_size(1000), "1000B");
  CAF_CHECK_EQUAL(herald::format_listen("::1", 80), "[::1]:80");
  CAF_CHECK_EQUAL(herald::in_quotes("a\"b\n"), "\"a\\\"b\\x0a\"");
}

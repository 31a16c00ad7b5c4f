#define CAF_SUITE net_origin
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "net/origin.hpp"

using herald::origin_allowed;

namespace {
const std::vector<std::string> none;
} // namespace

CAF_TEST(empty list allows the own host) {
  CAF_CHECK(origin_allowed("http://localhost:9999", "localhost:9999", none));
  CAF_CHECK(origin_allowed("https://localhost:9999", "localhost:9999", none));
  CAF_CHECK(origin_allowed("HTTP://LocalHost:9999", "localhost:9999", none));
  CAF_CHECK(origin_allowed("http://127.0.0.1:9999", "127.0.0.1:9999", none));
  CAF_CHECK(origin_allowed("http://[::1]:9999", "[::1]:9999", none));
  CAF_CHECK(origin_allowed("http://example.com", "example.com", none));
}

CAF_TEST(default ports are the same as none) {
  CAF_CHECK(origin_allowed("http://example.com", "example.com:80", none));
  CAF_CHECK(origin_allowed("http://example.com:80", "example.com", none));
  CAF_CHECK(origin_allowed("https://example.com", "example.com:443", none));
  CAF_CHECK(!origin_allowed("http://example.com", "example.com:443", none));
  CAF_CHECK(!origin_allowed("https://example.com", "example.com:80", none));
}

CAF_TEST(empty list refuses other hosts) {
  CAF_CHECK(!origin_allowed("http://evil.com:9999", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://localhost:9998", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://localhost", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://localhost:9999.evil.com", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://evil.com@localhost:9999", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://localhost:9999/", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://localhost:9999/path", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("ftp://localhost:9999", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("file://localhost:9999", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("localhost:9999", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("null", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("", "localhost:9999", none));
  CAF_CHECK(!origin_allowed("http://", "", none));
  CAF_CHECK(!origin_allowed("http://localhost:9999", "", none));
  CAF_CHECK(!origin_allowed("http://local host", "local host", none));
}

CAF_TEST(a star is not a wildcard) {
  std::vector<std::string> star{"*"};
  CAF_CHECK(!origin_allowed("http://evil.com", "localhost:9999", star));
  std::vector<std::string> mixed{"http://a.com", "*"};
  CAF_CHECK(!origin_allowed("http://b.com", "localhost", mixed));
  CAF_CHECK(origin_allowed("http://a.com", "localhost", mixed));
}

CAF_TEST(explicit list matches exactly) {
  std::vector<std::string> list{"https://app.example.com", "http://localhost:3000"};
  CAF_CHECK(origin_allowed("https://app.example.com", "whatever", list));
  CAF_CHECK(origin_allowed("HTTPS://APP.EXAMPLE.COM", "whatever", list));
  CAF_CHECK(origin_allowed("http://localhost:3000", "localhost:9999", list));
  CAF_CHECK(!origin_allowed("http://app.example.com", "whatever", list));
  CAF_CHECK(!origin_allowed("https://app.example.com.evil.com", "whatever", list));
  CAF_CHECK(!origin_allowed("https://app.example.co", "whatever", list));
  // With a list, the own host is not implicitly allowed.
  CAF_CHECK(!origin_allowed("http://localhost:9999", "localhost:9999", list));
}

CAF_TEST(a subdomain pattern matches subdomains of that domain only) {
  std::vector<std::string> list{"https://*.example.com"};
  CAF_CHECK(origin_allowed("https://app.example.com", "x", list));
  CAF_CHECK(origin_allowed("https://a.b-c.example.com", "x", list));
  CAF_CHECK(origin_allowed("HTTPS://APP.Example.COM", "x", list));
  CAF_CHECK(!origin_allowed("https://example.com", "x", list)); // the bare domain is not a subdomain
  CAF_CHECK(!origin_allowed("http://app.example.com", "x", list)); // other scheme
  CAF_CHECK(!origin_allowed("https://app.example.com:8443", "x", list)); // other port
  CAF_CHECK(!origin_allowed("https://evilexample.com", "x", list));
  CAF_CHECK(!origin_allowed("https://app.example.com.evil.com", "x", list));
  CAF_CHECK(!origin_allowed("https://.example.com", "x", list));
  CAF_CHECK(!origin_allowed("https://a..example.com", "x", list));
  CAF_CHECK(!origin_allowed("https://user@app.example.com", "x", list));
  CAF_CHECK(!origin_allowed("https://a_b.example.com", "x", list));
  std::vector<std::string> with_port{"http://*.local.test:8080"};
  CAF_CHECK(origin_allowed("http://dev.local.test:8080", "x", with_port));
  CAF_CHECK(!origin_allowed("http://dev.local.test", "x", with_port));
}

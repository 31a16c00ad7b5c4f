#define CAF_SUITE bench_http_response
#include <caf/test/unit_test.hpp>

#include <string>

#include "bench/http_response.hpp"

using namespace herald::bench;
using result = http_response::result;

CAF_TEST(content length and pipelined responses) {
  std::string one = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\r\n"
                    "{\"status\":\"OK\",\"id\":1234}";
  std::string two = "HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}";
  auto both = one + two;
  http_response r;
  CAF_REQUIRE(parse_http_response(both.data(), both.size(), r) == result::complete);
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(r.length, one.size());
  CAF_CHECK(!r.close);
  CAF_REQUIRE(parse_http_response(both.data() + r.length, both.size() - r.length, r) == result::complete);
  CAF_CHECK_EQUAL(r.status, 401);
  CAF_CHECK_EQUAL(r.length, two.size());
  // Every prefix is incomplete, never wrong.
  for (std::size_t cut = 0; cut < one.size(); ++cut)
    CAF_CHECK(parse_http_response(one.data(), cut, r) == result::incomplete);
}

CAF_TEST(chunked bodies) {
  std::string resp = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
  http_response r;
  CAF_REQUIRE(parse_http_response(resp.data(), resp.size(), r) == result::complete);
  CAF_CHECK_EQUAL(r.status, 201);
  CAF_CHECK_EQUAL(r.length, resp.size());
  for (std::size_t cut = 0; cut < resp.size(); ++cut)
    CAF_CHECK(parse_http_response(resp.data(), cut, r) == result::incomplete);
}

CAF_TEST(no body statuses and connection close) {
  std::string resp = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\nHTTP/1.1 200";
  http_response r;
  CAF_REQUIRE(parse_http_response(resp.data(), resp.size(), r) == result::complete);
  CAF_CHECK_EQUAL(r.status, 204);
  CAF_CHECK(r.close);
  CAF_CHECK_EQUAL(r.length, resp.size() - 12);
  std::string old = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
  CAF_REQUIRE(parse_http_response(old.data(), old.size(), r) == result::complete);
  CAF_CHECK(r.close);
}

CAF_TEST(garbage is invalid) {
  http_response r;
  for (std::string bad : {"HTTP/1.1 2x0 OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                          "HTTP/1.1 200 OK\r\n\r\nbody until close"})
    CAF_CHECK(parse_http_response(bad.data(), bad.size(), r) == result::invalid);
}

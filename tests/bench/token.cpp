#define CAF_SUITE bench_token
#include <caf/test/unit_test.hpp>

#include <string>

#include "bench/token.hpp"

using namespace herald::bench;

namespace {

token sample_token() {
  return token{123456789, 42, 9876543210123ull, 40};
}

bool same(const token& a, const token& b) {
  return a.run == b.run && a.seq == b.seq && a.send_ns == b.send_ns && a.watermark == b.watermark;
}

} // namespace

CAF_TEST(payload is the token padded to the size) {
  char buf[256];
  auto n = write_payload(buf, sample_token(), 100);
  CAF_REQUIRE_EQUAL(n, 100u);
  std::string s{buf, n};
  CAF_CHECK_EQUAL(s.rfind("hb.123456789.42.9876543210123.40.", 0), 0u);
  CAF_CHECK_EQUAL(s.find_first_not_of('x', 33), std::string::npos);
  // Shorter than the token: the token is not cut.
  n = write_payload(buf, sample_token(), 5);
  CAF_CHECK_EQUAL(std::string(buf, n), "hb.123456789.42.9876543210123.40.");
}

CAF_TEST(token found inside a herald frame) {
  char buf[256];
  auto n = write_payload(buf, sample_token(), 100);
  std::string frame = R"({"id":17,"channel":"bench","username":"dev","message":")" + std::string(buf, n)
                      + R"(","time":"2026-01-01T00:00:00.000Z"})";
  token_scanner ts;
  ts.feed(frame.data(), frame.size());
  CAF_REQUIRE(ts.found());
  CAF_CHECK(same(ts.value(), sample_token()));
  id_scanner ids;
  ids.feed(frame.data(), frame.size());
  ids.finish();
  CAF_REQUIRE(ids.found());
  CAF_CHECK_EQUAL(ids.value(), 17u);
}

CAF_TEST(token split at every position) {
  std::string frame = R"({"id": 9001,"message":"hhb.hb.7.8.9.10.xxx"})";
  for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
    token_scanner ts;
    id_scanner ids;
    ts.feed(frame.data(), cut);
    ts.feed(frame.data() + cut, frame.size() - cut);
    ids.feed(frame.data(), cut);
    ids.feed(frame.data() + cut, frame.size() - cut);
    ids.finish();
    CAF_REQUIRE(ts.found());
    CAF_CHECK(same(ts.value(), token{7, 8, 9, 10}));
    CAF_REQUIRE(ids.found());
    CAF_CHECK_EQUAL(ids.value(), 9001u);
  }
}

CAF_TEST(near misses are not tokens) {
  for (std::string text : {"hb.1.2.3.", "hb.1.2.3", "hb..1.2.3.4.", "hb.1.2x.3.4.", "hb1.2.3.4.", "h b.1.2.3.4.",
                           "hb.12345678901234567890.1.1.1.", ""}) {
    token_scanner ts;
    ts.feed(text.data(), text.size());
    CAF_CHECK(!ts.found());
  }
  // A near miss followed by a real token: the real one is found.
  std::string text = "hb.1.2x hb.5.6.7.8.";
  token_scanner ts;
  ts.feed(text.data(), text.size());
  CAF_REQUIRE(ts.found());
  CAF_CHECK(same(ts.value(), token{5, 6, 7, 8}));
}

CAF_TEST(id scanner edge cases) {
  auto scan = [](const std::string& text, std::uint64_t& value) {
    id_scanner ids;
    ids.feed(text.data(), text.size());
    ids.finish();
    value = ids.value();
    return ids.found();
  };
  std::uint64_t v = 0;
  CAF_CHECK(scan("{\"id\":5}", v) && v == 5);
  CAF_CHECK(scan("{\"id\":123", v) && v == 123); // number up to the end
  CAF_CHECK(scan("{\"uid\":1,\"id\":2}", v) && v == 2);
  CAF_CHECK(!scan("{\"id\":\"abc\"}", v));
  CAF_CHECK(!scan("{\"idx\":4}", v));
  CAF_CHECK(scan("{\"id\":\"x\",\"id\":8}", v) && v == 8);
  CAF_CHECK(!scan("{\"id\":12345678901234567890123}", v)); // too long to be an id
}

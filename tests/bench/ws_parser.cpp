#define CAF_SUITE bench_ws_parser
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "bench/ws_parser.hpp"

using namespace herald::bench;

namespace {

// Records what the parser reports, as text that is easy to compare.
struct recorder : ws_sink {
  std::vector<std::string> messages; // payloads of finished messages
  std::vector<std::string> controls; // "opcode:payload"
  std::string current;
  int begins = 0;
  int data_calls = 0;
  void on_message_begin(std::uint8_t) override {
    ++begins;
    current.clear();
  }
  void on_message_data(const char* d, std::size_t n) override {
    ++data_calls;
    current.append(d, n);
  }
  void on_message_end() override { messages.push_back(current); }
  void on_control(std::uint8_t op, const char* p, std::size_t n) override {
    controls.push_back(std::to_string(op) + ":" + std::string(p, n));
  }
};

// A server frame (unmasked) with the shortest length encoding.
std::string frame(std::uint8_t opcode, const std::string& payload, bool fin = true) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | opcode);
  auto n = payload.size();
  if (n < 126) {
    f += static_cast<char>(n);
  } else if (n < 65536) {
    f += static_cast<char>(126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += static_cast<char>(127);
    for (int i = 7; i >= 0; --i)
      f += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
  }
  return f + payload;
}

} // namespace

CAF_TEST(several frames in one read) {
  ws_parser p;
  recorder r;
  auto bytes = frame(1, "one") + frame(1, "two") + frame(2, "three");
  CAF_CHECK(p.feed(bytes.data(), bytes.size(), r) == ws_parser::status::ok);
  CAF_REQUIRE_EQUAL(r.messages.size(), 3u);
  CAF_CHECK_EQUAL(r.messages[0], "one");
  CAF_CHECK_EQUAL(r.messages[1], "two");
  CAF_CHECK_EQUAL(r.messages[2], "three");
}

CAF_TEST(a frame split at every byte boundary) {
  auto payload = std::string(300, 'a') + "hb.1.2.3.4." + std::string(300, 'z');
  auto bytes = frame(1, payload) + frame(1, "tail");
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    ws_parser p;
    recorder r;
    p.feed(bytes.data(), cut, r);
    p.feed(bytes.data() + cut, bytes.size() - cut, r);
    CAF_REQUIRE_EQUAL(r.messages.size(), 2u);
    CAF_CHECK_EQUAL(r.messages[0], payload);
    CAF_CHECK_EQUAL(r.messages[1], "tail");
  }
}

CAF_TEST(one byte per read) {
  auto bytes = frame(1, std::string(70000, 'q')) + frame(1, "x");
  ws_parser p;
  recorder r;
  for (char c : bytes)
    CAF_REQUIRE(p.feed(&c, 1, r) == ws_parser::status::ok);
  CAF_REQUIRE_EQUAL(r.messages.size(), 2u);
  CAF_CHECK_EQUAL(r.messages[0].size(), 70000u);
  CAF_CHECK_EQUAL(r.messages[1], "x");
}

CAF_TEST(lengths in 7 16 and 64 bits) {
  for (std::size_t n : {125u, 126u, 127u, 65535u, 65536u, 200000u}) {
    auto payload = std::string(n, 'p');
    auto bytes = frame(1, payload);
    CAF_CHECK_EQUAL(bytes.size(), n + (n < 126 ? 2 : n < 65536 ? 4 : 10));
    ws_parser p;
    recorder r;
    p.feed(bytes.data(), bytes.size(), r);
    CAF_REQUIRE_EQUAL(r.messages.size(), 1u);
    CAF_CHECK_EQUAL(r.messages[0].size(), n);
  }
}

CAF_TEST(a fragmented message with a ping in the middle) {
  auto bytes = frame(1, "hel", false) + frame(9, "pp") + frame(0, "lo ", false) + frame(0, "world");
  ws_parser p;
  recorder r;
  p.feed(bytes.data(), bytes.size(), r);
  CAF_CHECK_EQUAL(r.begins, 1);
  CAF_REQUIRE_EQUAL(r.messages.size(), 1u);
  CAF_CHECK_EQUAL(r.messages[0], "hello world");
  CAF_REQUIRE_EQUAL(r.controls.size(), 1u);
  CAF_CHECK_EQUAL(r.controls[0], "9:pp");
}

CAF_TEST(a close frame split across reads) {
  std::string close_payload = "\x03\xE8" "bye";
  auto bytes = frame(1, "last") + frame(8, close_payload);
  ws_parser p;
  recorder r;
  p.feed(bytes.data(), bytes.size() - 2, r);
  CAF_CHECK(r.controls.empty());
  p.feed(bytes.data() + bytes.size() - 2, 2, r);
  CAF_REQUIRE_EQUAL(r.controls.size(), 1u);
  CAF_CHECK_EQUAL(r.controls[0], "8:" + close_payload);
  CAF_CHECK_EQUAL(r.messages.size(), 1u);
}

CAF_TEST(empty frames) {
  auto bytes = frame(1, "") + frame(9, "");
  ws_parser p;
  recorder r;
  p.feed(bytes.data(), bytes.size(), r);
  CAF_REQUIRE_EQUAL(r.messages.size(), 1u);
  CAF_CHECK_EQUAL(r.messages[0], "");
  CAF_CHECK_EQUAL(r.controls.size(), 1u);
}

CAF_TEST(a masked frame is unmasked) {
  std::string payload = "masked text";
  std::string f;
  f += static_cast<char>(0x81);
  f += static_cast<char>(0x80 | payload.size());
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += static_cast<char>(payload[i] ^ key[i % 4]);
  ws_parser p;
  recorder r;
  p.feed(f.data(), 5, r); // split inside the mask key
  p.feed(f.data() + 5, f.size() - 5, r);
  CAF_REQUIRE_EQUAL(r.messages.size(), 1u);
  CAF_CHECK_EQUAL(r.messages[0], payload);
}

CAF_TEST(protocol violations fail and stay failed) {
  std::vector<std::string> cases = {
    frame(0, "orphan continuation"),
    frame(9, std::string(126, 'x')),       // control frame over 125 bytes
    frame(9, "frag", false),               // fragmented control frame
    std::string{"\xC1\x01x", 3},           // RSV1 without an extension
    frame(3, "reserved opcode"),
    frame(1, "a", false) + frame(1, "b"),  // new message inside a fragmented one
    std::string{"\x81\x7F\x80\0\0\0\0\0\0\0", 10}, // 64-bit length with the top bit set
  };
  for (auto& bytes : cases) {
    ws_parser p;
    recorder r;
    CAF_CHECK(p.feed(bytes.data(), bytes.size(), r) == ws_parser::status::failed);
    CAF_CHECK(p.failed());
    auto good = frame(1, "after");
    CAF_CHECK(p.feed(good.data(), good.size(), r) == ws_parser::status::failed);
    CAF_CHECK(r.messages.empty());
  }
}

CAF_TEST(client frames are masked with key zero) {
  char out[200];
  auto n = ws_write_client_frame(out, ws_parser::op_close, "\x03\xE8", 2);
  CAF_REQUIRE_EQUAL(n, 8u);
  CAF_CHECK_EQUAL(static_cast<unsigned char>(out[0]), 0x88u);
  CAF_CHECK_EQUAL(static_cast<unsigned char>(out[1]), 0x82u);
  ws_parser p;
  recorder r;
  p.feed(out, n, r);
  CAF_REQUIRE_EQUAL(r.controls.size(), 1u);
  CAF_CHECK_EQUAL(r.controls[0], std::string{"8:\x03\xE8"});
}

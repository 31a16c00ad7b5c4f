// The diagnostics echo endpoint ([diagnostics] echo_path) in the real
// binary: every message comes back as it was sent, the Origin check still
// applies, nothing published reaches it, and the path is nothing when the
// endpoint is off.
#define CAF_SUITE integration_echo
#include <caf/test/unit_test.hpp>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

herald_options echo_at(const std::string& path) {
  herald_options opts;
  opts.extra_toml = "[diagnostics]\necho_path = \"" + path + "\"\n";
  return opts;
}

constexpr uint8_t op_cont = 0x0, op_text = 0x1, op_binary = 0x2, op_ping = 0x9;

} // namespace

CAF_TEST(the echo path returns each message unchanged) {
  herald_process server{echo_at("/echo")};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/echo").upgraded);

  CAF_REQUIRE(ws.send_text("h\xC3\xA9llo"));
  auto ev = ws.read();
  CAF_CHECK_EQUAL(to_string(ev), "text h\xC3\xA9llo");

  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes += static_cast<char>(i);
  CAF_REQUIRE(ws.send_raw(ws_client::make_frame(op_binary, bytes)));
  ev = ws.read();
  CAF_CHECK(ev.kind == ws_event::binary);
  CAF_CHECK(ev.data == bytes);

  // Fragments with a ping between them come back as one message.
  CAF_REQUIRE(ws.send_raw(ws_client::make_frame(op_text, "frag", false)
                          + ws_client::make_frame(op_ping, "p")
                          + ws_client::make_frame(op_cont, "mented", true)));
  ev = ws.read();
  CAF_CHECK_EQUAL(to_string(ev), "text fragmented");

  // The largest message the default max_message_size allows.
  std::string big(64 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 97)
    big[i] = static_cast<char>(i);
  CAF_REQUIRE(ws.send_raw(ws_client::make_frame(op_binary, big)));
  ev = ws.read();
  CAF_CHECK(ev.kind == ws_event::binary);
  CAF_CHECK_EQUAL(ev.data.size(), big.size());
  CAF_CHECK(ev.data == big);
  ws.close();
  CAF_CHECK(server.running());
}

CAF_TEST(the echo path needs an upgrade and an allowed Origin) {
  herald_process server{echo_at("/echo")};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  auto plain = http.request("GET", "/echo");
  std::string why;
  CAF_CHECK(is_json_error(plain, 400, &why));
  CAF_CHECK_EQUAL(why, "");
  ws_client ws{server.port()};
  ws_connect_options opts;
  opts.origin = "https://elsewhere.example";
  auto hs = ws.connect("/echo", opts);
  CAF_CHECK(!hs.upgraded);
  CAF_CHECK_EQUAL(hs.status, 403);
}

CAF_TEST(an echo path under socket takes the upgrades of that channel and gets no messages) {
  herald_process server{echo_at("/socket/echo")};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/echo?since=0").upgraded);
  http_client http{server.port()};
  auto published = publish(http, "echo", "for subscribers");
  CAF_REQUIRE_EQUAL(published.status, 200);
  // Nothing published arrives; what it sends does.
  CAF_REQUIRE(ws.send_text("mine"));
  CAF_CHECK_EQUAL(to_string(ws.read()), "text mine");
  CAF_CHECK_EQUAL(to_string(ws.read(300ms)), "timeout");
}

CAF_TEST(without echo_path the path is not found) {
  herald_process server;
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  auto hs = ws.connect("/echo");
  CAF_CHECK(!hs.upgraded);
  CAF_CHECK_EQUAL(hs.status, 404);
  http_client http{server.port()};
  CAF_CHECK(is_json_error(http.request("GET", "/echo"), 404));
  // A subscriber's messages are still not echoed.
  ws_client sub{server.port()};
  CAF_REQUIRE(sub.connect("/socket/system/message").upgraded);
  CAF_REQUIRE(sub.send_text("ignored"));
  CAF_CHECK_EQUAL(to_string(sub.read(300ms)), "timeout");
}

// Frame-level behaviour of herald's WebSocket connections, checked against
// the production stream configuration over real loopback sockets: the
// handshake answer, and the close codes Beast sends for bad client input.

#define CAF_SUITE net_ws_frames
#include <caf/test/unit_test.hpp>

#include <string>

#include "net/ws_options.hpp"
#include "ws_loopback.hpp"

using namespace herald;
using namespace herald::test;

namespace {

// Reads on the client until the server's close frame ends the read; the
// code that frame carried. The read may end with a socket error rather than
// `closed`: after its close frame Beast's server teardown closes the socket
// without waiting for the client's answer, which can reset the client's own
// teardown. The close frame was received all the same (reason() is set).
uint16_t close_code_seen(ws_loopback& t) {
  auto r = t.read();
  if (!r.ec) {
    CAF_FAIL("expected a close frame, got a message");
    return 0;
  }
  if (t.client.reason().code == 0)
    CAF_FAIL("no close frame before " << r.ec.message());
  return t.client.reason().code;
}

} // namespace

CAF_TEST(configure applies the config to the stream) {
  net::io_context ioc;
  config cfg;
  cfg.handshake_timeout = std::chrono::milliseconds(1234);
  cfg.max_message_size = 777;
  cfg.write_buffer_size = 2048;
  ws_stream ws{ioc};
  configure_ws_stream(ws, cfg, "");
  websocket::stream_base::timeout opt;
  ws.get_option(opt);
  CAF_CHECK(opt.handshake_timeout == std::chrono::milliseconds(1234));
  CAF_CHECK(opt.idle_timeout == websocket::stream_base::none());
  CAF_CHECK(!opt.keep_alive_pings);
  CAF_CHECK_EQUAL(ws.read_message_max(), 777u);
  CAF_CHECK_EQUAL(ws.write_buffer_bytes(), 2048u);
  CAF_CHECK(!ws.auto_fragment());
  websocket::permessage_deflate pmd;
  ws.get_option(pmd);
  CAF_CHECK(!pmd.server_enable); // frames are shared by all subscribers: never compressed
}

CAF_TEST(subprotocol choice follows the client order among supported ones) {
  std::vector<std::string> supported{"herald", "chat"};
  CAF_CHECK_EQUAL(choose_subprotocol("foo, chat, herald", supported), "chat");
  CAF_CHECK_EQUAL(choose_subprotocol("herald", supported), "herald");
  CAF_CHECK_EQUAL(choose_subprotocol(" ,,  chat ,", supported), "chat");
  CAF_CHECK_EQUAL(choose_subprotocol("Chat, foo", supported), "");
  CAF_CHECK_EQUAL(choose_subprotocol("", supported), "");
  CAF_CHECK_EQUAL(choose_subprotocol("chat", {}), "");
}

CAF_TEST(close reasons are cut to 123 bytes on a UTF-8 boundary) {
  CAF_CHECK_EQUAL(fit_close_reason("bye"), "bye");
  CAF_CHECK_EQUAL(fit_close_reason(std::string(200, 'a')).size(), 123u);
  // 61 two-byte characters are 122 bytes; the 62nd would end at 124.
  std::string umlauts;
  for (int i = 0; i < 70; ++i)
    umlauts += "\xc3\xa4";
  CAF_CHECK_EQUAL(fit_close_reason(umlauts).size(), 122u);
  CAF_CHECK(is_sendable_close_code(1000));
  CAF_CHECK(is_sendable_close_code(1008));
  CAF_CHECK(is_sendable_close_code(4999));
  CAF_CHECK(!is_sendable_close_code(0));
  CAF_CHECK(!is_sendable_close_code(1005));
  CAF_CHECK(!is_sendable_close_code(1006));
  CAF_CHECK(!is_sendable_close_code(1015));
  CAF_CHECK(!is_sendable_close_code(5000));
  CAF_CHECK_EQUAL(slow_consumer_reason(42), "slow consumer; resume with since=42");
  CAF_CHECK_EQUAL(log_excerpt("a\nb\x01"), "a?b?");
  CAF_CHECK_EQUAL(log_excerpt("abcdef", 3), "abc...");
}

CAF_TEST_FIXTURE_SCOPE(ws_frames_tests, ws_loopback)

CAF_TEST(handshake answers Server and the chosen subprotocol) {
  cfg.subprotocols = {"herald", "chat"};
  CAF_REQUIRE_EQUAL(open("foo, chat, herald").message(), error_code{}.message());
  CAF_CHECK_EQUAL(handshake_response.result_int(), 101);
  CAF_CHECK_EQUAL(handshake_response[http::field::server], "herald");
  CAF_CHECK_EQUAL(handshake_response[http::field::sec_websocket_protocol], "chat");
  CAF_CHECK_EQUAL(opened, 1);
}

CAF_TEST(handshake without a matching subprotocol has no protocol header) {
  cfg.subprotocols = {"herald"};
  CAF_REQUIRE(!open("foo, bar"));
  CAF_CHECK_EQUAL(handshake_response.count(http::field::sec_websocket_protocol), 0u);
  CAF_CHECK_EQUAL(handshake_response[http::field::server], "herald");
}

CAF_TEST(handshake without an offer has no protocol header) {
  cfg.subprotocols = {"herald"};
  CAF_REQUIRE(!open());
  CAF_CHECK_EQUAL(handshake_response.count(http::field::sec_websocket_protocol), 0u);
}

CAF_TEST(a message over max_message_size gets 1009) {
  cfg.max_message_size = 1024;
  CAF_REQUIRE(!open());
  CAF_REQUIRE(!write(std::string(2000, 'x')));
  CAF_CHECK_EQUAL(close_code_seen(*this), 1009);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a message far over max_message_size gets 1009) {
  cfg.max_message_size = 1024;
  CAF_REQUIRE(!open());
  auto r = std::make_shared<ws_loopback::op_result>();
  client.text(true);
  std::string big(200000, 'x');
  client.async_write(net::buffer(big), [r](error_code ec, std::size_t) {
    r->done = true;
    r->ec = ec;
  });
  CAF_CHECK_EQUAL(close_code_seen(*this), 1009);
  CAF_CHECK(pump_until([&] { return ended == 1 && r->done; }));
}

CAF_TEST(a message at max_message_size is accepted) {
  cfg.max_message_size = 1024;
  CAF_REQUIRE(!open());
  CAF_REQUIRE(!write(std::string(1024, 'x')));
  // Still open: a frame sent afterwards arrives.
  sink->send(make_frame(1, 0, "{\"id\":1}"));
  auto r = read();
  CAF_REQUIRE(!r.ec);
  CAF_CHECK_EQUAL(r.text, "{\"id\":1}");
  CAF_CHECK_EQUAL(ended, 0);
}

CAF_TEST(a compressed frame gets 1002 since no extension is negotiated) {
  CAF_REQUIRE(!open());
  // FIN + RSV1 + text, masked, empty payload.
  CAF_REQUIRE(!write_raw(std::string("\xc1\x80\x01\x02\x03\x04", 6)));
  CAF_CHECK_EQUAL(close_code_seen(*this), 1002);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(invalid UTF-8 in a text message gets 1007) {
  CAF_REQUIRE(!open());
  CAF_REQUIRE(!write("ok \xff\xfe"));
  CAF_CHECK_EQUAL(close_code_seen(*this), 1007);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(an unmasked client frame gets 1002) {
  CAF_REQUIRE(!open());
  // FIN + text, no mask bit, 2 bytes of payload: clients must mask.
  CAF_REQUIRE(!write_raw(std::string("\x81\x02hi", 4)));
  CAF_CHECK_EQUAL(close_code_seen(*this), 1002);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a reserved opcode gets 1002) {
  CAF_REQUIRE(!open());
  // FIN + opcode 0x3 (reserved), masked, empty payload.
  CAF_REQUIRE(!write_raw(std::string("\x83\x80\x01\x02\x03\x04", 6)));
  CAF_CHECK_EQUAL(close_code_seen(*this), 1002);
  CAF_CHECK(pump_until([&] { return ended == 1; }));
}

CAF_TEST(a bad upgrade request gets no session) {
  // Missing Sec-WebSocket-Key: Beast answers 400 and the hooks never run.
  auto accepted = std::make_shared<std::optional<tcp::socket>>();
  acceptor.async_accept(net::make_strand(ioc), [accepted](error_code ec, tcp::socket s) {
    if (!ec)
      accepted->emplace(std::move(s));
  });
  tcp::socket raw{ioc};
  raw.connect(acceptor.local_endpoint());
  CAF_REQUIRE(pump_until([&] { return accepted->has_value(); }));
  std::string request = "GET /socket/test HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
  net::write(raw, net::buffer(request));
  beast::tcp_stream server{std::move(**accepted)};
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(server, buffer, req);
  ws_hooks hooks;
  hooks.opened = [this](sink_ptr s) {
    ++opened;
    s->subscribed();
  };
  hooks.ended = [this] { ++ended; };
  start_ws_session(std::move(server), std::move(buffer), std::move(req),
                   ws_params{"test", {}, 2, nullptr, nullptr},
                   cfg, std::move(hooks));
  beast::flat_buffer rbuf;
  http::response<http::string_body> res;
  auto got = std::make_shared<bool>(false);
  beast::tcp_stream raw_stream{std::move(raw)};
  http::async_read(raw_stream, rbuf, res, [got](error_code, std::size_t) { *got = true; });
  CAF_REQUIRE(pump_until([&] { return *got; }));
  CAF_CHECK_EQUAL(res.result_int(), 400);
  // The session was opened before the handshake and ends with it.
  CAF_CHECK_EQUAL(opened, 1);
  CAF_REQUIRE(pump_until([&] { return ended > 0; }));
  CAF_CHECK_EQUAL(ended, 1);
}

CAF_TEST_FIXTURE_SCOPE_END()

// Untrusted input: malformed HTTP, oversized headers and bodies, invalid
// publishes, unknown paths, bad channel names and parameters, WebSocket
// protocol violations, stalled handshakes. Each answered as the contract
// says, and the server keeps serving everyone else.
#define CAF_SUITE integration_bad_input
#include <caf/test/unit_test.hpp>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

herald_options strict_options() {
  herald_options opts;
  opts.websocket_toml = "max_message_size = 1024\nhandshake_timeout = \"300ms\"\n";
  return opts;
}

#define CHECK_JSON_ERROR(res, status)                                                         \
  do {                                                                                        \
    std::string why_;                                                                         \
    CAF_CHECK(is_json_error(res, status, &why_));                                             \
    CAF_CHECK_EQUAL(why_, "");                                                                \
  } while (false)

// After the abuse: health, a publish, and a fresh subscriber that gets it.
void check_still_serving(herald_process& server) {
  CAF_CHECK(server.running());
  http_client http{server.port()};
  CAF_CHECK_EQUAL(http.request("GET", "/healthz").status, 200);
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/still/ok?since=0").upgraded);
  auto r = publish(http, "still/ok", "fine");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
}

http_response raw_exchange(uint16_t port, const std::string& bytes) {
  http_client raw{port};
  CAF_REQUIRE(raw.connect());
  CAF_REQUIRE(raw.send_raw(bytes));
  return raw.read_response();
}

ws_event violate(uint16_t port, const std::string& frame) {
  ws_client ws{port};
  CAF_REQUIRE(ws.connect("/socket/system/message").upgraded);
  CAF_REQUIRE(ws.send_raw(frame));
  return ws.read(5s);
}

} // namespace

CAF_TEST(malformed requests get 400 and the connection is closed) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  for (std::string bytes : {std::string{"THIS IS NOT HTTP\r\n\r\n"},
                            std::string{"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"},
                            std::string{"GET / HTTP/9.Z\r\nHost: x\r\n\r\n"},
                            std::string{"POST /api/tool/send_message HTTP/1.1\r\nHost: x\r\n"
                                        "Content-Length: nope\r\n\r\n"}}) {
    CAF_MESSAGE("request " << bytes.substr(0, 20));
    http_client raw{server.port()};
    CAF_REQUIRE(raw.connect());
    CAF_REQUIRE(raw.send_raw(bytes));
    auto res = raw.read_response();
    CHECK_JSON_ERROR(res, 400);
    CAF_CHECK(raw.wait_closed(3s));
  }
  check_still_serving(server);
}

CAF_TEST(request headers over 16 KiB get 431) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  auto request = [](std::size_t filler) {
    return "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(filler, 'a')
           + "\r\n\r\n";
  };
  CHECK_JSON_ERROR(raw_exchange(server.port(), request(20 * 1024)), 431);
  CHECK_JSON_ERROR(raw_exchange(server.port(), request(64 * 1024)), 431);
  // Just under the limit is an ordinary request.
  CAF_CHECK_EQUAL(raw_exchange(server.port(), request(15 * 1024)).status, 200);
  check_still_serving(server);
}

CAF_TEST(bodies over max_message_size get 413 and store nothing) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  CHECK_JSON_ERROR(publish(http, "", std::string(2000, 'x')).response, 413);
  http_client http2{server.port()};
  CHECK_JSON_ERROR(publish(http2, "big/x", std::string(5000, 'y'), body_format::json).response,
                   413);
  http_client http3{server.port()};
  CAF_CHECK_EQUAL(history(http3, "system/message").messages.size(), 0u);
  CAF_CHECK_EQUAL(history(http3, "big/x").messages.size(), 0u);
  // Within the limit is fine.
  CAF_CHECK_EQUAL(publish(http3, "", std::string(900, 'z')).status, 200);
  check_still_serving(server);
}

CAF_TEST(invalid publish bodies get 400 and store nothing) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  const std::string form = "application/x-www-form-urlencoded";
  const std::string json = "application/json";
  struct bad_body {
    std::string content_type;
    std::string body;
  };
  for (auto& b : {bad_body{form, "message=%zz"}, bad_body{form, "text=hello"},
                  bad_body{form, "message="}, bad_body{form, ""},
                  bad_body{form, "message=%FF%FE"}, bad_body{json, "{\"message\":"},
                  bad_body{json, "{\"msg\":\"x\"}"}, bad_body{json, "{\"message\":5}"},
                  bad_body{json, "{\"message\":\"\"}"}, bad_body{json, "[1,2]"},
                  bad_body{json, "{\"message\":null}"}, bad_body{json, "not json"},
                  bad_body{json, "{\"message\":\"\xff\xfe\"}"}, bad_body{json, ""}}) {
    CAF_MESSAGE(b.content_type << " body " << b.body);
    http_client http{server.port()};
    auto res = http.request("POST", "/api/tool/send_message", b.body,
                            {{"Content-Type", b.content_type},
                             {"Authorization", std::string{"Bearer "} + default_token}});
    CHECK_JSON_ERROR(res, 400);
  }
  http_client http{server.port()};
  CAF_CHECK_EQUAL(history(http, "system/message").messages.size(), 0u);
  check_still_serving(server);
}

CAF_TEST(unknown paths get 404 and wrong methods 405 with Allow) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  http_client http{server.port()};
  for (auto target : {"/nope", "/api/nope", "/api/tool/other", "/no-such-file.js"})
    CHECK_JSON_ERROR(http.request("GET", target), 404);
  struct wrong {
    const char* method;
    const char* target;
    const char* allowed;
  };
  for (auto& w : {wrong{"GET", "/api/tool/send_message", "POST"},
                  wrong{"DELETE", "/api/tool/send_message", "POST"},
                  wrong{"POST", "/healthz", "GET"}, wrong{"PUT", "/api/channels", "GET"},
                  wrong{"DELETE", "/api/channels/x/messages", "GET"}}) {
    CAF_MESSAGE(w.method << " " << w.target);
    auto res = http.request(w.method, w.target);
    CHECK_JSON_ERROR(res, 405);
    CAF_CHECK_NOT_EQUAL(res.header("allow").find(w.allowed), std::string::npos);
  }
  check_still_serving(server);
}

CAF_TEST(invalid channel names get 400 before any upgrade) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  const std::string long_name(129, 'c');
  for (auto channel : {std::string{"a//b"}, std::string{"/lead"}, std::string{"trail/"},
                       std::string{""}, std::string{"bad%20name"}, std::string{"bad!name"},
                       std::string{"a%2F%2Fb"}, std::string{"%2Flead"}, std::string{"sp ace"},
                       std::string{"\xc3\xa9t\xc3\xa9"}, long_name}) {
    CAF_MESSAGE("channel '" << channel << "'");
    ws_client ws{server.port()};
    auto hs = ws.connect("/socket/" + channel);
    CAF_CHECK(!hs.upgraded);
    CAF_CHECK_EQUAL(hs.status, 400);
    http_client http{server.port()};
    CHECK_JSON_ERROR(publish_at(http, messages_path(channel), "x").response, 400);
    CHECK_JSON_ERROR(http.request("GET", messages_path(channel)), 400);
  }
  // The longest valid name works.
  ws_client ws{server.port()};
  CAF_CHECK(ws.connect("/socket/" + std::string(128, 'c')).upgraded);
  check_still_serving(server);
}

CAF_TEST(bad since and limit get 400) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  for (auto since : {"abc", "-1", "1.5", "99999999999999999999999", "0x10"}) {
    CAF_MESSAGE("since=" << since);
    ws_client ws{server.port()};
    auto hs = ws.connect(std::string{"/socket/q/x?since="} + since);
    CAF_CHECK(!hs.upgraded);
    CAF_CHECK_EQUAL(hs.status, 400);
    http_client http{server.port()};
    CHECK_JSON_ERROR(http.request("GET", messages_path("q/x") + "?since=" + since), 400);
  }
  http_client http{server.port()};
  for (auto limit : {"abc", "-5", "2.5"})
    CHECK_JSON_ERROR(http.request("GET", messages_path("q/x") + "?limit=" + limit), 400);
  check_still_serving(server);
}

CAF_TEST(websocket protocol violations close with the contract codes) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  auto expect_close = [&](const std::string& what, const std::string& frame, int code) {
    CAF_MESSAGE(what);
    auto ev = violate(server.port(), frame);
    CAF_CHECK_EQUAL(to_string(ev).substr(0, 11), "closed " + std::to_string(code));
  };
  expect_close("reserved opcode", ws_client::make_frame(0x3, ""), 1002);
  expect_close("unmasked frame", ws_client::make_frame(0x1, "hi", true, false), 1002);
  expect_close("reserved bit", ws_client::make_frame(0x1, "hi", true, true, 0x4), 1002);
  expect_close("fragmented ping", ws_client::make_frame(0x9, "", false), 1002);
  expect_close("invalid utf-8", ws_client::make_frame(0x1, "ok \xff\xfe\xfd"), 1007);
  expect_close("overlong utf-8", ws_client::make_frame(0x1, "\xc0\xaf"), 1007);
  expect_close("too big", ws_client::make_frame(0x1, std::string(2000, 'x')), 1009);
  expect_close("too big binary", ws_client::make_frame(0x2, std::string(4000, 'x')), 1009);
  check_still_serving(server);
}

CAF_TEST(client text frames are ignored and the connection stays) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/system/message?since=0").upgraded);
  for (int i = 0; i < 5; ++i)
    CAF_REQUIRE(ws.send_text("hello server " + std::to_string(i)));
  CAF_REQUIRE(ws.send_text("{\"message\":\"not a publish\"}"));
  http_client http{server.port()};
  auto r = publish(http, "", "real");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
  // Client frames never became messages.
  CAF_CHECK_EQUAL(history(http, "system/message").messages.size(), 1u);
  auto again = publish(http, "", "still there");
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{again.id});
}

CAF_TEST(stalled handshakes are cut off after handshake_timeout) {
  herald_process server{strict_options()};
  CAF_REQUIRE(server.start());
  for (std::string partial : {std::string{}, std::string{"GET /socket/system/message HTTP/1.1\r\n"
                                                         "Host: 127.0.0.1\r\n"}}) {
    CAF_MESSAGE("sending " << partial.size() << " bytes then nothing");
    http_client raw{server.port()};
    CAF_REQUIRE(raw.connect());
    auto start = std::chrono::steady_clock::now();
    if (!partial.empty())
      CAF_REQUIRE(raw.send_raw(partial));
    CAF_CHECK(raw.wait_closed(5s));
    auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    // Not before the configured 300 ms, and not much after.
    CAF_CHECK_GREATER_OR_EQUAL(elapsed_ms, 250);
    CAF_CHECK_LESS(elapsed_ms, 3000);
  }
  check_still_serving(server);
}

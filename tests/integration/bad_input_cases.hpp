#pragma once

// The untrusted-input cases of integration_bad_input, each against a running
// herald reached in plain text or over TLS: integration_bad_input runs them
// plain, integration_tls runs every one of them again through TLS.

#include <caf/test/unit_test.hpp>

#include <optional>

#include "support/api.hpp"
#include "support/tls_options.hpp"

namespace herald::bad_input_cases {

using namespace herald::test_support;
using namespace std::chrono_literals;

/// How the cases reach the server: with these TLS settings, or (nullopt)
/// in plain text.
using tls_or_plain = std::optional<tls_options>;

inline herald_options strict_options() {
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
inline void check_still_serving(herald_process& server, const tls_or_plain& tls) {
  CAF_CHECK(server.running());
  http_client http{server.port(), tls};
  CAF_CHECK_EQUAL(http.request("GET", "/healthz").status, 200);
  ws_client ws{server.port(), tls};
  CAF_REQUIRE(ws.connect("/socket/still/ok?since=0").upgraded);
  auto r = publish(http, "still/ok", "fine");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
}

inline http_response raw_exchange(uint16_t port, const tls_or_plain& tls,
                                  const std::string& bytes) {
  http_client raw{port, tls};
  CAF_REQUIRE(raw.connect());
  CAF_REQUIRE(raw.send_raw(bytes));
  return raw.read_response();
}

inline ws_event violate(uint16_t port, const tls_or_plain& tls, const std::string& frame) {
  ws_client ws{port, tls};
  CAF_REQUIRE(ws.connect("/socket/system/message").upgraded);
  CAF_REQUIRE(ws.send_raw(frame));
  return ws.read(5s);
}

inline void malformed_requests(herald_process& server, const tls_or_plain& tls = std::nullopt) {
  for (std::string bytes : {std::string{"THIS IS NOT HTTP\r\n\r\n"},
                            std::string{"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"},
                            std::string{"GET / HTTP/9.Z\r\nHost: x\r\n\r\n"},
                            std::string{"POST /api/tool/send_message HTTP/1.1\r\nHost: x\r\n"
                                        "Content-Length: nope\r\n\r\n"}}) {
    CAF_MESSAGE("request " << bytes.substr(0, 20));
    http_client raw{server.port(), tls};
    CAF_REQUIRE(raw.connect());
    CAF_REQUIRE(raw.send_raw(bytes));
    auto res = raw.read_response();
    CHECK_JSON_ERROR(res, 400);
    CAF_CHECK(raw.wait_closed(3s));
  }
  check_still_serving(server, tls);
}

inline void oversized_headers(herald_process& server, const tls_or_plain& tls = std::nullopt) {
  auto request = [](std::size_t filler) {
    return "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + std::string(filler, 'a')
           + "\r\n\r\n";
  };
  CHECK_JSON_ERROR(raw_exchange(server.port(), tls, request(20 * 1024)), 431);
  CHECK_JSON_ERROR(raw_exchange(server.port(), tls, request(64 * 1024)), 431);
  // Just under the limit is an ordinary request.
  CAF_CHECK_EQUAL(raw_exchange(server.port(), tls, request(15 * 1024)).status, 200);
  check_still_serving(server, tls);
}

inline void oversized_bodies(herald_process& server, const tls_or_plain& tls = std::nullopt) {
  http_client http{server.port(), tls};
  CHECK_JSON_ERROR(publish(http, "", std::string(2000, 'x')).response, 413);
  http_client http2{server.port(), tls};
  CHECK_JSON_ERROR(publish(http2, "big/x", std::string(5000, 'y'), body_format::json).response,
                   413);
  http_client http3{server.port(), tls};
  CAF_CHECK_EQUAL(history(http3, "system/message").messages.size(), 0u);
  CAF_CHECK_EQUAL(history(http3, "big/x").messages.size(), 0u);
  // Within the limit is fine.
  CAF_CHECK_EQUAL(publish(http3, "", std::string(900, 'z')).status, 200);
  check_still_serving(server, tls);
}

inline void invalid_publish_bodies(herald_process& server, const tls_or_plain& tls = std::nullopt) {
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
    http_client http{server.port(), tls};
    auto res = http.request("POST", "/api/tool/send_message", b.body,
                            {{"Content-Type", b.content_type},
                             {"Authorization", std::string{"Bearer "} + default_token}});
    CHECK_JSON_ERROR(res, 400);
  }
  http_client http{server.port(), tls};
  CAF_CHECK_EQUAL(history(http, "system/message").messages.size(), 0u);
  check_still_serving(server, tls);
}

inline void unknown_paths_and_wrong_methods(herald_process& server,
                                            const tls_or_plain& tls = std::nullopt) {
  http_client http{server.port(), tls};
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
  check_still_serving(server, tls);
}

inline void invalid_channel_names(herald_process& server, const tls_or_plain& tls = std::nullopt) {
  const std::string long_name(129, 'c');
  for (auto channel : {std::string{"a//b"}, std::string{"/lead"}, std::string{"trail/"},
                       std::string{""}, std::string{"bad%20name"}, std::string{"bad!name"},
                       std::string{"a%2F%2Fb"}, std::string{"%2Flead"}, std::string{"sp ace"},
                       std::string{"\xc3\xa9t\xc3\xa9"}, long_name}) {
    CAF_MESSAGE("channel '" << channel << "'");
    ws_client ws{server.port(), tls};
    auto hs = ws.connect("/socket/" + channel);
    CAF_CHECK(!hs.upgraded);
    CAF_CHECK_EQUAL(hs.status, 400);
    http_client http{server.port(), tls};
    CHECK_JSON_ERROR(publish_at(http, messages_path(channel), "x").response, 400);
    CHECK_JSON_ERROR(http.request("GET", messages_path(channel)), 400);
  }
  // The longest valid name works.
  ws_client ws{server.port(), tls};
  CAF_CHECK(ws.connect("/socket/" + std::string(128, 'c')).upgraded);
  check_still_serving(server, tls);
}

inline void bad_since_and_limit(herald_process& server, const tls_or_plain& tls = std::nullopt) {
  for (auto since : {"abc", "-1", "1.5", "99999999999999999999999", "0x10"}) {
    CAF_MESSAGE("since=" << since);
    ws_client ws{server.port(), tls};
    auto hs = ws.connect(std::string{"/socket/q/x?since="} + since);
    CAF_CHECK(!hs.upgraded);
    CAF_CHECK_EQUAL(hs.status, 400);
    http_client http{server.port(), tls};
    CHECK_JSON_ERROR(http.request("GET", messages_path("q/x") + "?since=" + since), 400);
  }
  http_client http{server.port(), tls};
  for (auto limit : {"abc", "-5", "2.5"})
    CHECK_JSON_ERROR(http.request("GET", messages_path("q/x") + "?limit=" + limit), 400);
  check_still_serving(server, tls);
}

inline void websocket_protocol_violations(herald_process& server,
                                          const tls_or_plain& tls = std::nullopt) {
  auto expect_close = [&](const std::string& what, const std::string& frame, int code) {
    CAF_MESSAGE(what);
    auto ev = violate(server.port(), tls, frame);
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
  check_still_serving(server, tls);
}

inline void client_text_frames_ignored(herald_process& server,
                                       const tls_or_plain& tls = std::nullopt) {
  ws_client ws{server.port(), tls};
  CAF_REQUIRE(ws.connect("/socket/system/message?since=0").upgraded);
  for (int i = 0; i < 5; ++i)
    CAF_REQUIRE(ws.send_text("hello server " + std::to_string(i)));
  CAF_REQUIRE(ws.send_text("{\"message\":\"not a publish\"}"));
  http_client http{server.port(), tls};
  auto r = publish(http, "", "real");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
  // Client frames never became messages.
  CAF_CHECK_EQUAL(history(http, "system/message").messages.size(), 1u);
  auto again = publish(http, "", "still there");
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{again.id});
}

// Over TLS the clock starts once the TLS handshake is done: this is the
// stalled HTTP request inside a working TLS connection.
inline void stalled_handshakes(herald_process& server, const tls_or_plain& tls = std::nullopt) {
  for (std::string partial : {std::string{}, std::string{"GET /socket/system/message HTTP/1.1\r\n"
                                                         "Host: 127.0.0.1\r\n"}}) {
    CAF_MESSAGE("sending " << partial.size() << " bytes then nothing");
    http_client raw{server.port(), tls};
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
  check_still_serving(server, tls);
}

} // namespace herald::bad_input_cases

// Publishing needs a configured token; WebSocket upgrades check Origin and
// negotiate a configured subprotocol.
#define CAF_SUITE integration_auth_origin
#include <caf/test/unit_test.hpp>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

// An upgrade the server must refuse with 403 and a JSON error.
void check_refused(ws_handshake hs, const std::string& origin) {
  CAF_MESSAGE("origin " << origin);
  CAF_CHECK(!hs.upgraded);
  CAF_CHECK_EQUAL(hs.status, 403);
  http_response as_http;
  as_http.status = hs.status;
  as_http.headers["content-type"] = hs.content_type;
  as_http.body = hs.body;
  std::string why;
  CAF_CHECK(is_json_error(as_http, 403, &why));
  CAF_CHECK_EQUAL(why, "");
}

ws_handshake connect_with_origin(uint16_t port, const std::string& origin) {
  ws_client ws{port};
  ws_connect_options opts;
  opts.origin = origin;
  return ws.connect("/socket/system/message", opts);
}

} // namespace

CAF_TEST(publishing without a known token is refused and stores nothing) {
  herald_process server;
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/socket/auth/x?since=0").upgraded);
  http_client http{server.port()};
  struct attempt {
    std::string token;
    token_header how;
    body_format format;
  };
  for (auto& a : {attempt{"", token_header::none, body_format::form},
                  attempt{"", token_header::none, body_format::json},
                  attempt{"wrong-token", token_header::bearer, body_format::form},
                  attempt{"wrong-token", token_header::token, body_format::json},
                  attempt{"", token_header::bearer, body_format::form},
                  attempt{std::string{default_token} + "x", token_header::bearer,
                          body_format::form}}) {
    for (auto channel : {"auth/x", ""}) {
      auto r = publish(http, channel, "should not be stored", a.format, a.token, a.how);
      std::string why;
      CAF_CHECK(is_json_error(r.response, 401, &why));
      CAF_CHECK_EQUAL(why, "");
    }
  }
  // A scheme other than Bearer is no token either.
  auto basic = http.request("POST", messages_path("auth/x"), "message=x",
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"Authorization", std::string{"Basic "} + default_token}});
  CAF_CHECK(is_json_error(basic, 401));
  CAF_CHECK_EQUAL(history(http, "auth/x").messages.size(), 0u);
  CAF_CHECK_EQUAL(history(http, "system/message").messages.size(), 0u);
  CAF_CHECK(!channel_stats(http, "system/message").has_value());
  // The subscriber's first frame is the first accepted message.
  auto ok = publish(http, "auth/x", "accepted");
  CAF_REQUIRE_EQUAL(ok.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{ok.id});
  CAF_CHECK_EQUAL(history(http, "auth/x").messages.size(), 1u);
}

CAF_TEST(without allowed_origins only the own host and no origin may upgrade) {
  herald_process server;
  CAF_REQUIRE(server.start());
  auto own = "http://" + server.host();
  auto hs = connect_with_origin(server.port(), own);
  CAF_CHECK(hs.upgraded);
  CAF_CHECK_EQUAL(hs.status, 101);
  CAF_CHECK(connect_with_origin(server.port(), "").upgraded);
  for (auto origin : {std::string{"http://evil.example"},
                      std::string{"http://127.0.0.1:1"},
                      "http://" + server.host() + ".evil.example",
                      std::string{"null"}})
    check_refused(connect_with_origin(server.port(), origin), origin);
}

CAF_TEST(configured allowed_origins decide) {
  herald_options opts;
  opts.websocket_toml = "allowed_origins = [\"https://app.example.com\", \"http://localhost:8080\"]\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  CAF_CHECK(connect_with_origin(server.port(), "https://app.example.com").upgraded);
  CAF_CHECK(connect_with_origin(server.port(), "http://localhost:8080").upgraded);
  CAF_CHECK(connect_with_origin(server.port(), "").upgraded);
  for (auto origin : {"https://evil.example.com", "http://localhost:8081",
                      "https://app.example.com.evil.example"})
    check_refused(connect_with_origin(server.port(), origin), origin);
}

CAF_TEST(a refused origin gets no subscription) {
  herald_process server;
  CAF_REQUIRE(server.start());
  check_refused(connect_with_origin(server.port(), "http://evil.example"), "evil");
  http_client http{server.port()};
  CAF_CHECK(!channel_stats(http, "system/message").has_value());
}

CAF_TEST(subprotocol negotiation echoes a configured protocol) {
  herald_options opts;
  opts.websocket_toml = "subprotocols = [\"herald.v1\", \"chat.v2\"]\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  auto offer = [&](const std::string& protocols, ws_client& ws) {
    ws_connect_options o;
    o.subprotocols = protocols;
    return ws.connect("/socket/proto/x?since=0", o);
  };
  ws_client a{server.port()}, b{server.port()}, c{server.port()}, d{server.port()};
  auto ha = offer("unknown.x, chat.v2", a);
  CAF_CHECK(ha.upgraded);
  CAF_CHECK_EQUAL(ha.subprotocol, "chat.v2");
  auto hb = offer("herald.v1", b);
  CAF_CHECK(hb.upgraded);
  CAF_CHECK_EQUAL(hb.subprotocol, "herald.v1");
  auto hc = offer("", c);
  CAF_CHECK(hc.upgraded);
  CAF_CHECK_EQUAL(hc.subprotocol, "");
  // Nothing the client offered may be echoed when nothing matches.
  auto hd = offer("other.v9", d);
  CAF_CHECK_EQUAL(hd.subprotocol, "");
  // A negotiated connection is an ordinary subscriber.
  http_client http{server.port()};
  auto r = publish(http, "proto/x", "hi");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(a, 1), std::vector<uint64_t>{r.id});
  CAF_CHECK_EQUAL(read_ids(b, 1), std::vector<uint64_t>{r.id});
  CAF_CHECK_EQUAL(read_ids(c, 1), std::vector<uint64_t>{r.id});
}


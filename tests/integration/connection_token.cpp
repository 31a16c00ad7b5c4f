// Connection tokens in the real binary ([auth] require_connection_token):
// a token in the URL or in the subprotocol offer lets a subscriber in, a
// missing, expired or forged one is 401, a channel outside its list 403,
// nothing is asked when tokens are not required, and no token reaches the
// log even at debug level.
#define CAF_SUITE integration_connection_token
#include <caf/test/unit_test.hpp>

#include <csignal>

#include "support/api.hpp"
#include "support/jwt_signer.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

constexpr const char* secret = "integration-secret-0123456789abcdef-xyz";

herald_options requiring_tokens(const std::string& log_level = "info") {
  herald_options opts;
  opts.log_level = log_level;
  opts.extra_toml = std::string{"[auth]\nrequire_connection_token = true\n"}
                    + "connection_token_secret = \"" + secret + "\"\n";
  return opts;
}

std::string token_for(const std::string& sub, std::string_view extra = {},
                      int64_t lifetime = 600) {
  return sign_hs256(claims_json(sub, unix_now() + lifetime, extra), secret);
}

ws_handshake connect_offering(ws_client& ws, const std::string& target,
                              const std::string& protocols) {
  ws_connect_options o;
  o.subprotocols = protocols;
  return ws.connect(target, o);
}

// A refused upgrade: no 101, the contract's JSON error with this message.
void check_refused(const ws_handshake& hs, int status, const std::string& message) {
  CAF_CHECK(!hs.upgraded);
  http_response as_http;
  as_http.status = hs.status;
  as_http.headers["content-type"] = hs.content_type;
  as_http.body = hs.body;
  std::string why;
  CAF_CHECK(is_json_error(as_http, status, &why));
  CAF_CHECK_EQUAL(why, "");
  auto obj = parse_object(hs.body);
  CAF_REQUIRE(obj.has_value());
  const auto* text = obj->if_contains("message");
  CAF_REQUIRE(text != nullptr && text->is_string());
  CAF_CHECK_EQUAL(std::string(text->get_string()), message);
}

// Publishes one message to `channel` and checks that `ws` receives it.
void check_receives(ws_client& ws, const std::string& channel, uint16_t port) {
  http_client http{port};
  auto r = publish(http, channel, "hello subscriber");
  CAF_REQUIRE_EQUAL(r.status, 200);
  CAF_CHECK_EQUAL(read_ids(ws, 1), std::vector<uint64_t>{r.id});
}

} // namespace

CAF_TEST(a token in the query string opens a subscription) {
  herald_process server{requiring_tokens()};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  auto hs = ws.connect("/socket/news/x?since=0&token=" + token_for("alice"));
  CAF_REQUIRE(hs.upgraded);
  CAF_CHECK_EQUAL(hs.status, 101);
  CAF_CHECK_EQUAL(hs.subprotocol, "");
  check_receives(ws, "news/x", server.port());
}

CAF_TEST(a bearer subprotocol entry opens a subscription answered with herald) {
  herald_process server{requiring_tokens()};
  CAF_REQUIRE(server.start());
  // What a browser sends for new WebSocket(url, ["herald", "bearer." + jwt]).
  ws_client ws{server.port()};
  auto hs = connect_offering(ws, "/socket/news/x", "herald, bearer." + token_for("alice"));
  CAF_REQUIRE(hs.upgraded);
  CAF_CHECK_EQUAL(hs.subprotocol, "herald");
  check_receives(ws, "news/x", server.port());
  // Without a protocol herald could answer, a browser would drop the
  // connection after the 101: herald says why instead.
  ws_client alone{server.port()};
  check_refused(connect_offering(alone, "/socket/news/x", "bearer." + token_for("alice")), 400,
                "a bearer.<token> subprotocol must be offered with \"herald\" or a configured "
                "subprotocol");
}

CAF_TEST(a bearer entry next to a configured subprotocol gets that one) {
  auto opts = requiring_tokens();
  opts.websocket_toml = "subprotocols = [\"chat.v2\"]\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  ws_client ws{server.port()};
  auto hs = connect_offering(ws, "/socket/news/x", "bearer." + token_for("alice") + ", chat.v2");
  CAF_REQUIRE(hs.upgraded);
  CAF_CHECK_EQUAL(hs.subprotocol, "chat.v2");
}

CAF_TEST(missing expired and forged tokens are 401) {
  herald_process server{requiring_tokens()};
  CAF_REQUIRE(server.start());
  {
    ws_client ws{server.port()};
    check_refused(ws.connect("/socket/news/x"), 401, "connection token required");
  }
  {
    ws_client ws{server.port()};
    check_refused(ws.connect("/socket/news/x?token="), 401, "connection token required");
  }
  {
    // Past the 30 s the clock skew allows.
    ws_client ws{server.port()};
    check_refused(ws.connect("/socket/news/x?token=" + token_for("alice", {}, -120)), 401,
                  "connection token expired");
  }
  {
    ws_client ws{server.port()};
    auto forged = sign_hs256(claims_json("alice", unix_now() + 600),
                             "not-the-secret-0123456789abcdef-xyz");
    check_refused(ws.connect("/socket/news/x?token=" + forged), 401,
                  "invalid connection token: bad signature");
  }
  {
    ws_client ws{server.port()};
    auto unsigned_token = base64url(R"({"alg":"none"})") + "."
                          + base64url(claims_json("alice", unix_now() + 600)) + ".";
    check_refused(connect_offering(ws, "/socket/news/x", "herald, bearer." + unsigned_token),
                  401, "invalid connection token: unsupported alg");
  }
  // None of them became a subscriber.
  http_client http{server.port()};
  CAF_CHECK(!channel_stats(http, "news/x").has_value());
}

CAF_TEST(a channel outside the token list is 403) {
  herald_process server{requiring_tokens()};
  CAF_REQUIRE(server.start());
  auto token = token_for("alice", R"(,"channels":["news/*"])");
  ws_client refused{server.port()};
  check_refused(refused.connect("/socket/private/x?token=" + token), 403,
                "token does not allow channel private/x");
  ws_client allowed{server.port()};
  CAF_REQUIRE(allowed.connect("/socket/news/sport?token=" + token).upgraded);
  check_receives(allowed, "news/sport", server.port());
}

CAF_TEST(the echo path needs a token but no channel in it) {
  auto opts = requiring_tokens();
  opts.extra_toml += "[diagnostics]\necho_path = \"/echo\"\n";
  herald_process server{opts};
  CAF_REQUIRE(server.start());
  ws_client none{server.port()};
  check_refused(none.connect("/echo"), 401, "connection token required");
  ws_client ws{server.port()};
  CAF_REQUIRE(ws.connect("/echo?token=" + token_for("alice", R"(,"channels":[])")).upgraded);
  CAF_REQUIRE(ws.send_text("ping"));
  CAF_CHECK_EQUAL(to_string(ws.read()), "text ping");
}

CAF_TEST(without the requirement no token is needed and one sent is ignored) {
  herald_process server;
  CAF_REQUIRE(server.start());
  ws_client plain{server.port()};
  CAF_REQUIRE(plain.connect("/socket/open/x").upgraded);
  ws_client garbage{server.port()};
  CAF_REQUIRE(garbage.connect("/socket/open/x?token=not-a-jwt").upgraded);
  ws_client offered{server.port()};
  auto hs = connect_offering(offered, "/socket/open/x", "herald, bearer.not-a-jwt");
  CAF_REQUIRE(hs.upgraded);
  // The answer browsers need stays the same either way.
  CAF_CHECK_EQUAL(hs.subprotocol, "herald");
  http_client http{server.port()};
  auto r = publish(http, "open/x", "for everyone");
  CAF_REQUIRE_EQUAL(r.status, 200);
  for (auto* ws : {&plain, &garbage, &offered})
    CAF_CHECK_EQUAL(read_ids(*ws, 1), std::vector<uint64_t>{r.id});
}

CAF_TEST(tokens never reach the log even at debug level) {
  herald_process server{requiring_tokens("debug")};
  CAF_REQUIRE(server.start());
  auto in_query = token_for("alice");
  auto in_offer = token_for("carol");
  auto forged = sign_hs256(claims_json("mallory", unix_now() + 600), "wrong-secret-0123456789abcdef-xyz");
  auto expired = token_for("dave", {}, -120);
  {
    ws_client ws{server.port()};
    CAF_REQUIRE(ws.connect("/socket/news/x?token=" + in_query).upgraded);
    ws_client offered{server.port()};
    CAF_REQUIRE(connect_offering(offered, "/socket/news/x", "herald, bearer." + in_offer).upgraded);
    ws_client bad{server.port()};
    CAF_CHECK_EQUAL(bad.connect("/socket/news/x?since=0&%74oken=" + forged).status, 401);
    ws_client late{server.port()};
    CAF_CHECK_EQUAL(late.connect("/socket/news/x?token=" + expired).status, 401);
    ws.close();
    offered.close();
  }
  // Stopped first, so every line is written out.
  CAF_REQUIRE(server.kill(SIGTERM));
  CAF_CHECK(server.wait_exit(10s).kind != exit_status::running);
  auto log = server.log_text();
  // The debug lines are there, with the token's place marked.
  CAF_CHECK_NOT_EQUAL(log.find("token=REDACTED"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(log.find("%74oken=REDACTED"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(log.find("connection token expired"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(log.find(" as alice"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(log.find("invalid connection token: bad signature"), std::string::npos);
  for (const auto& token : {in_query, in_offer, forged, expired}) {
    // Neither half: together they are a credential anyone could replay.
    auto signature = token.substr(token.rfind('.') + 1);
    auto claims = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
    CAF_CHECK_EQUAL(log.find(signature), std::string::npos);
    CAF_CHECK_EQUAL(log.find(claims), std::string::npos);
  }
  CAF_CHECK_EQUAL(log.find(secret), std::string::npos);
}

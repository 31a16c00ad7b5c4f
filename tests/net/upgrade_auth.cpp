// The connection token of a WebSocket upgrade (net/upgrade_auth): where it
// may come from, the answers for missing, bad, expired and too narrow
// tokens, and the subprotocol herald answers next to a bearer entry.
#define CAF_SUITE net_upgrade_auth
#include <caf/test/unit_test.hpp>

#include <optional>
#include <string>

#include "config/config.hpp"
#include "net/upgrade_auth.hpp"
#include "support/jwt_signer.hpp"

using namespace herald;
using herald::test_support::claims_json;
using herald::test_support::sign_hs256;

namespace {

constexpr std::string_view secret = "herald-test-secret-0123456789abcdef";
constexpr int64_t now = 1700000000;
const std::optional<std::string> no_query;

config requiring_tokens() {
  config cfg;
  cfg.require_connection_token = true;
  cfg.connection_token_secret = std::string{secret};
  return cfg;
}

std::string good_token(std::string_view extra = {}) {
  return sign_hs256(claims_json("alice", now + 600, extra), secret);
}

upgrade_auth with_query(const std::string& token, const config& cfg = requiring_tokens(),
                        std::string_view channel = "news/x") {
  return authorize_upgrade(token, "", channel, cfg, now);
}

upgrade_auth with_offer(const std::string& offer, const config& cfg = requiring_tokens()) {
  return authorize_upgrade(no_query, offer, "news/x", cfg, now);
}

} // namespace

CAF_TEST(a valid token in the query lets the client in as its sub) {
  auto a = with_query(good_token());
  CAF_CHECK_EQUAL(a.status, 200);
  CAF_CHECK_EQUAL(a.error, "");
  CAF_CHECK_EQUAL(a.username, "alice");
}

CAF_TEST(a valid bearer entry next to herald lets the client in) {
  auto offer = "herald, bearer." + good_token();
  auto a = with_offer(offer);
  CAF_CHECK_EQUAL(a.status, 200);
  CAF_CHECK_EQUAL(a.username, "alice");
  CAF_CHECK_EQUAL(answer_subprotocol(offer, {}), "herald");
  // In either order, and split over header lines (joined by commas).
  CAF_CHECK_EQUAL(with_offer("bearer." + good_token() + " ,herald").status, 200);
  CAF_CHECK_EQUAL(with_offer("bearer." + good_token() + ",,herald,").status, 200);
}

CAF_TEST(a bearer entry needs a protocol herald can answer) {
  auto a = with_offer("bearer." + good_token());
  CAF_CHECK_EQUAL(a.status, 400);
  CAF_CHECK_EQUAL(a.error, "a bearer.<token> subprotocol must be offered with \"herald\" or a "
                           "configured subprotocol");
  CAF_CHECK_EQUAL(with_offer("chat.v1, bearer." + good_token()).status, 400);
  // A configured subprotocol offered with it is answered instead of herald.
  auto cfg = requiring_tokens();
  cfg.subprotocols = {"chat.v1"};
  auto offer = "bearer." + good_token() + ", chat.v1";
  CAF_CHECK_EQUAL(with_offer(offer, cfg).status, 200);
  CAF_CHECK_EQUAL(answer_subprotocol(offer, cfg.subprotocols), "chat.v1");
  CAF_CHECK_EQUAL(answer_subprotocol("herald, chat.v1, bearer.x", cfg.subprotocols), "chat.v1");
  // herald stays the fallback when the configured ones are not offered.
  CAF_CHECK_EQUAL(answer_subprotocol("herald, bearer.x", cfg.subprotocols), "herald");
  CAF_CHECK_EQUAL(with_offer("herald, bearer." + good_token(), cfg).status, 200);
}

CAF_TEST(herald is answered only next to a bearer entry and the token never) {
  CAF_CHECK_EQUAL(answer_subprotocol("herald", {}), "");
  CAF_CHECK_EQUAL(answer_subprotocol("herald, other", {}), "");
  CAF_CHECK_EQUAL(answer_subprotocol("bearer.abc", {}), "");
  CAF_CHECK_EQUAL(answer_subprotocol("Herald, bearer.abc", {}), "");
  CAF_CHECK_EQUAL(answer_subprotocol("herald, Bearer.abc", {}), "");
  CAF_CHECK_EQUAL(answer_subprotocol("", {}), "");
  CAF_CHECK_EQUAL(answer_subprotocol("herald", {"herald"}), "herald");
}

CAF_TEST(no token is 401 when tokens are required) {
  for (auto a : {authorize_upgrade(no_query, "", "news/x", requiring_tokens(), now),
                 with_query(""), with_offer("herald"), with_offer("herald, bearerx.abc")}) {
    CAF_CHECK_EQUAL(a.status, 401);
    CAF_CHECK_EQUAL(a.error, "connection token required");
    CAF_CHECK_EQUAL(a.username, "");
  }
}

CAF_TEST(two tokens are 400) {
  auto token = good_token();
  auto a = authorize_upgrade(token, "herald, bearer." + token, "news/x", requiring_tokens(), now);
  CAF_CHECK_EQUAL(a.status, 400);
  CAF_CHECK_EQUAL(a.error, "more than one connection token");
  CAF_CHECK_EQUAL(with_offer("herald, bearer." + token + ", bearer." + token).status, 400);
}

CAF_TEST(bad and expired tokens are 401 with the reason) {
  auto expired = sign_hs256(claims_json("alice", now - 3600), secret);
  auto a = with_query(expired);
  CAF_CHECK_EQUAL(a.status, 401);
  CAF_CHECK_EQUAL(a.error, "connection token expired");
  auto forged = sign_hs256(claims_json("alice", now + 600), "not-the-secret-0123456789abcdefgh");
  a = with_query(forged);
  CAF_CHECK_EQUAL(a.status, 401);
  CAF_CHECK_EQUAL(a.error, "invalid connection token: bad signature");
  a = with_offer("herald, bearer." + forged);
  CAF_CHECK_EQUAL(a.status, 401);
  CAF_CHECK_EQUAL(a.error, "invalid connection token: bad signature");
  a = with_query("garbage");
  CAF_CHECK_EQUAL(a.status, 401);
  CAF_CHECK_EQUAL(a.error, "invalid connection token: malformed token: expected three "
                           "dot-separated parts");
  CAF_CHECK_EQUAL(a.username, "");
  // The answer never repeats the token.
  CAF_CHECK_EQUAL(with_query(forged).error.find(forged), std::string::npos);
}

CAF_TEST(a channel outside the channel list of the token is 403) {
  auto token = good_token(",\"channels\":[\"news/*\",\"system/message\"]");
  CAF_CHECK_EQUAL(with_query(token, requiring_tokens(), "news/x").status, 200);
  CAF_CHECK_EQUAL(with_query(token, requiring_tokens(), "system/message").status, 200);
  auto a = with_query(token, requiring_tokens(), "private/x");
  CAF_CHECK_EQUAL(a.status, 403);
  CAF_CHECK_EQUAL(a.error, "token does not allow channel private/x");
  CAF_CHECK_EQUAL(a.username, "alice");
  // An upgrade without a channel (the echo path) needs a valid token only.
  auto none = good_token(",\"channels\":[]");
  CAF_CHECK_EQUAL(with_query(none, requiring_tokens(), "").status, 200);
  CAF_CHECK_EQUAL(with_query(none, requiring_tokens(), "news/x").status, 403);
}

CAF_TEST(without the requirement tokens are ignored) {
  config open;
  open.connection_token_secret = std::string{secret};
  auto expired = sign_hs256(claims_json("alice", now - 3600), secret);
  for (auto a : {authorize_upgrade(no_query, "", "news/x", open, now),
                 with_query("garbage", open), with_query(expired, open),
                 with_query(good_token(",\"channels\":[]"), open),
                 with_offer("bearer.garbage", open),
                 authorize_upgrade(good_token(), "herald, bearer.x, bearer.y", "news/x", open, now)}) {
    CAF_CHECK_EQUAL(a.status, 200);
    CAF_CHECK_EQUAL(a.error, "");
    CAF_CHECK_EQUAL(a.username, "");
  }
}

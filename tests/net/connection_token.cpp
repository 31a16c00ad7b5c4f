// Connection tokens (net/connection_token): HS256 JWTs checked against
// tokens made with the openssl command line, forgeries, every header and
// claim rule, the size bound, channel lists and the clock skew at its edges.
#define CAF_SUITE net_connection_token
#include <caf/test/unit_test.hpp>

#include "common/must.hpp"

#include <string>
#include <vector>

#include "net/connection_token.hpp"
#include "support/jwt_signer.hpp"

using namespace herald;
using herald::test::must;
using herald::test_support::base64url;
using herald::test_support::claims_json;
using herald::test_support::sign_hs256;
using herald::test_support::sign_jwt;

namespace {

constexpr std::string_view secret = "herald-test-secret-0123456789abcdef";

// Made while writing this suite, independently of any code here:
//   b64() { basenc --base64url | tr -d '=\n'; }
//   h=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64)
//   p=$(printf '%s' "$payload" | b64)
//   s=$(printf '%s' "$h.$p" | openssl dgst -sha256 -hmac "$secret" -binary | b64)
//   echo "$h.$p.$s"
// with $secret as above and these payloads (exp 2100-01-01 and 2001-09-09).
constexpr std::string_view far_future_payload =
  R"({"sub":"alice","exp":4102444800,"channels":["news/*","system/message"]})";
constexpr std::string_view far_future_token =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
  "eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMCwiY2hhbm5lbHMiOlsibmV3cy8qIiwic3lzdGVtL21lc3NhZ2UiXX0."
  "3GAEUaE5vqGunlrVKmJ753n5t08U5smsYvZnJ8xsGOc";
constexpr std::string_view past_payload = R"({"sub":"alice","exp":1000000000})";
constexpr std::string_view past_token =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
  "eyJzdWIiOiJhbGljZSIsImV4cCI6MTAwMDAwMDAwMH0."
  "OxYVX0JhFhhiyxj_k-iTRw4red_6ulLOeuYWiKKttQw";

// 2023-11-14, well before every far-future exp below.
constexpr int64_t now = 1700000000;

token_check verify(std::string_view token, int64_t at = now) {
  return verify_connection_token(token, secret, at);
}

token_fault fault_of(std::string_view token, int64_t at = now) {
  return verify(token, at).fault;
}

std::string signed_claims(std::string_view payload) {
  return sign_hs256(payload, secret);
}

connection_claims with_channels(std::vector<std::string> channels) {
  connection_claims c;
  c.sub = "alice";
  c.channels = std::move(channels);
  return c;
}

} // namespace

CAF_TEST(the test signer reproduces the openssl command line) {
  CAF_CHECK_EQUAL(sign_hs256(far_future_payload, secret), far_future_token);
  CAF_CHECK_EQUAL(sign_hs256(past_payload, secret), past_token);
}

CAF_TEST(a token made with the openssl command line verifies with its claims) {
  auto c = verify(far_future_token);
  CAF_REQUIRE(c.ok());
  CAF_CHECK_EQUAL(c.reason, "");
  CAF_CHECK_EQUAL(c.claims.sub, "alice");
  CAF_CHECK_EQUAL(c.claims.exp, 4102444800);
  auto channels = must(c.claims.channels);
  CAF_CHECK_EQUAL(channels, (std::vector<std::string>{"news/*", "system/message"}));
}

CAF_TEST(a token past its exp is expired) {
  auto c = verify(past_token);
  CAF_CHECK(c.fault == token_fault::expired);
  CAF_CHECK_EQUAL(c.reason, "token expired");
  // The same token was good while it lasted.
  CAF_CHECK(verify(past_token, 999999999).ok());
}

CAF_TEST(forged signatures are refused) {
  std::string flipped{far_future_token};
  auto& middle = flipped[flipped.size() - 20];
  middle = middle == 'A' ? 'B' : 'A';
  CAF_CHECK(fault_of(flipped) == token_fault::bad_signature);
  CAF_CHECK_EQUAL(verify(flipped).reason, "bad signature");
  // The genuine signature spelled differently (its last character carries
  // two unused bits) is no signature either.
  std::string respelled{far_future_token};
  CAF_REQUIRE_EQUAL(respelled.back(), 'c');
  respelled.back() = 'd';
  CAF_CHECK(fault_of(respelled) == token_fault::malformed);
  // Signed with another secret.
  auto other = sign_hs256(far_future_payload, "another-secret-0123456789abcdef-xyz");
  CAF_CHECK(fault_of(other) == token_fault::bad_signature);
  // Claims changed under a genuine signature: the payload part is swapped.
  std::string token{far_future_token};
  auto first_dot = token.find('.');
  auto second_dot = token.find('.', first_dot + 1);
  auto forged = token.substr(0, first_dot + 1)
                + base64url(R"({"sub":"mallory","exp":4102444800})") + token.substr(second_dot);
  CAF_CHECK(fault_of(forged) == token_fault::bad_signature);
  // No signature, or a truncated one.
  CAF_CHECK(fault_of(token.substr(0, second_dot + 1)) == token_fault::bad_signature);
  CAF_CHECK(fault_of(token.substr(0, token.size() - 3)) == token_fault::bad_signature);
  // A forged token says nothing about its claims, expiry included.
  auto expired_forgery = sign_hs256(past_payload, "another-secret-0123456789abcdef-xyz");
  CAF_CHECK(fault_of(expired_forgery) == token_fault::bad_signature);
}

CAF_TEST(only alg HS256 is accepted) {
  auto payload = claims_json("alice", 4102444800);
  // "none" with no signature, and even with a correct HMAC.
  auto none_header = base64url(R"({"alg":"none","typ":"JWT"})");
  auto unsigned_token = none_header + "." + base64url(payload) + ".";
  auto c = verify(unsigned_token);
  CAF_CHECK(c.fault == token_fault::unsupported_header);
  CAF_CHECK_EQUAL(c.reason, "unsupported alg");
  CAF_CHECK(fault_of(sign_jwt(R"({"alg":"none"})", payload, secret))
            == token_fault::unsupported_header);
  for (auto header : {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"HS384"})",
                      R"({"alg":"RS256"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})",
                      R"({"alg":256})", R"({"alg":null})", R"({"alg":["HS256"]})"}) {
    CAF_MESSAGE(header);
    CAF_CHECK(fault_of(sign_jwt(header, payload, secret)) == token_fault::unsupported_header);
  }
  CAF_CHECK(fault_of(sign_jwt(R"({"typ":"JWT"})", payload, secret)) == token_fault::malformed);
  CAF_CHECK(verify(sign_jwt(R"({"alg":"HS256"})", payload, secret)).ok());
  CAF_CHECK(verify(sign_jwt(R"({"alg":"HS256","kid":"k1"})", payload, secret)).ok());
}

CAF_TEST(typ if present is JWT and crit is refused) {
  auto payload = claims_json("alice", 4102444800);
  CAF_CHECK(verify(sign_jwt(R"({"alg":"HS256","typ":"jwt"})", payload, secret)).ok());
  for (auto header : {R"({"alg":"HS256","typ":"JWS"})", R"({"alg":"HS256","typ":"at+jwt"})",
                      R"({"alg":"HS256","typ":""})", R"({"alg":"HS256","typ":1})"}) {
    CAF_MESSAGE(header);
    auto c = verify(sign_jwt(header, payload, secret));
    CAF_CHECK(c.fault == token_fault::unsupported_header);
    CAF_CHECK_EQUAL(c.reason, "unsupported typ");
  }
  auto c = verify(sign_jwt(R"({"alg":"HS256","crit":["exp"]})", payload, secret));
  CAF_CHECK(c.fault == token_fault::unsupported_header);
  CAF_CHECK_EQUAL(c.reason, "unsupported crit");
}

CAF_TEST(only three strict base64url parts are a token) {
  std::string token{far_future_token};
  auto second_dot = token.find('.', token.find('.') + 1);
  for (std::string bad : {std::string{}, std::string{"."}, std::string{".."},
                          std::string{"abc"}, token.substr(0, second_dot),
                          token + ".", token + ".e30", "." + token,
                          // padding, as plain base64 would add it
                          token + "=", token.substr(0, 36) + "=" + token.substr(36),
                          // the other base64 alphabet, a space, a non-ASCII byte
                          token.substr(0, 10) + "+" + token.substr(11),
                          token.substr(0, 10) + "/" + token.substr(11),
                          token.substr(0, 10) + " " + token.substr(11),
                          token.substr(0, 10) + "\xc3\xa9" + token.substr(12),
                          // 4n+1 characters cannot be base64
                          "A" + token}) {
    CAF_MESSAGE(bad);
    auto c = verify(bad);
    CAF_CHECK(c.fault == token_fault::malformed);
    CAF_CHECK_EQUAL(c.reason.rfind("malformed token", 0), 0u);
  }
  // A header that is no JSON object.
  for (auto header : {"not json", "[\"alg\",\"HS256\"]", "\"HS256\"", ""})
    CAF_CHECK(fault_of(sign_jwt(header, claims_json("alice", 4102444800), secret))
              == token_fault::malformed);
}

CAF_TEST(base64url decoding is strict) {
  CAF_CHECK_EQUAL(must(decode_base64url("")), "");
  CAF_CHECK_EQUAL(must(decode_base64url("Zg")), "f");
  CAF_CHECK_EQUAL(must(decode_base64url("Zm8")), "fo");
  CAF_CHECK_EQUAL(must(decode_base64url("Zm9v")), "foo");
  CAF_CHECK_EQUAL(must(decode_base64url("-_-_")), "\xfb\xff\xbf");
  CAF_CHECK(!decode_base64url("Zg=="));
  CAF_CHECK(!decode_base64url("Zm8="));
  CAF_CHECK(!decode_base64url("Z"));
  CAF_CHECK(!decode_base64url("Zm9vY"));
  CAF_CHECK(!decode_base64url("+/+/"));
  // "Zh" and "Zm9" carry bits an encoder leaves zero: a second spelling of "f" and "fo".
  CAF_CHECK(!decode_base64url("Zh"));
  CAF_CHECK(!decode_base64url("Zm9"));
}

CAF_TEST(sub and exp are required and typed) {
  struct bad_claims {
    const char* payload;
    const char* reason;
  };
  for (auto [payload, reason] :
       {bad_claims{R"({"exp":4102444800})", "malformed token: missing sub"},
        bad_claims{R"({"sub":"","exp":4102444800})", "malformed token: sub must be a non-empty string"},
        bad_claims{R"({"sub":7,"exp":4102444800})", "malformed token: sub must be a non-empty string"},
        bad_claims{R"({"sub":null,"exp":4102444800})", "malformed token: sub must be a non-empty string"},
        bad_claims{R"({"sub":"alice"})", "malformed token: missing exp"},
        bad_claims{R"({"sub":"alice","exp":"4102444800"})", "malformed token: exp must be an integer"},
        bad_claims{R"({"sub":"alice","exp":4102444800.5})", "malformed token: exp must be an integer"},
        bad_claims{R"({"sub":"alice","exp":4.1e9})", "malformed token: exp must be an integer"},
        bad_claims{R"({"sub":"alice","exp":null})", "malformed token: exp must be an integer"},
        bad_claims{R"({"sub":"alice","exp":4102444800,"nbf":"0"})", "malformed token: nbf must be an integer"},
        bad_claims{R"({"sub":"alice","exp":4102444800,"channels":"news"})",
                   "malformed token: channels must be an array of strings"},
        bad_claims{R"({"sub":"alice","exp":4102444800,"channels":["a",1]})",
                   "malformed token: channels must be an array of strings"},
        bad_claims{R"({"sub":"alice","exp":4102444800,"channels":[""]})",
                   "malformed token: channels entries are channel names or prefixes ending in '*'"},
        bad_claims{R"({"sub":"alice","exp":4102444800,"channels":["a*b"]})",
                   "malformed token: channels entries are channel names or prefixes ending in '*'"},
        bad_claims{R"({"sub":"alice","exp":4102444800,"channels":["a**"]})",
                   "malformed token: channels entries are channel names or prefixes ending in '*'"},
        bad_claims{R"(["alice",4102444800])", "malformed token: payload is not a JSON object"},
        bad_claims{R"({"sub":"alice","exp":4102444800)", "malformed token: payload is not a JSON object"},
        bad_claims{"{\"sub\":\"\xff\",\"exp\":4102444800}", "malformed token: payload is not a JSON object"}}) {
    CAF_MESSAGE(payload);
    auto c = verify(signed_claims(payload));
    CAF_CHECK(c.fault == token_fault::malformed);
    CAF_CHECK_EQUAL(c.reason, reason);
  }
}

CAF_TEST(exp past int64 never expires and a negative exp has) {
  auto c = verify(signed_claims(R"({"sub":"alice","exp":18446744073709551615})"));
  CAF_REQUIRE(c.ok());
  CAF_CHECK(c.claims.exp > 0);
  CAF_CHECK(fault_of(signed_claims(R"({"sub":"alice","exp":-1})")) == token_fault::expired);
}

CAF_TEST(of a claim given twice the last counts) {
  auto c = verify(signed_claims(R"({"sub":"mallory","exp":4102444800,"sub":"alice"})"));
  CAF_REQUIRE(c.ok());
  CAF_CHECK_EQUAL(c.claims.sub, "alice");
  CAF_CHECK(fault_of(signed_claims(R"({"sub":"alice","exp":4102444800,"exp":1})"))
            == token_fault::expired);
}

CAF_TEST(unknown claims are ignored) {
  auto c = verify(signed_claims(
    R"({"sub":"alice","exp":4102444800,"iat":1,"iss":"backend","aud":["x"],"role":{"a":1}})"));
  CAF_REQUIRE(c.ok());
  CAF_CHECK(!c.claims.channels);
}

CAF_TEST(tokens over the size bound are refused before decoding) {
  // Validly signed either way; only the length differs.
  auto sized = [](std::size_t sub_length) {
    return signed_claims(claims_json(std::string(sub_length, 'a'), 4102444800));
  };
  std::size_t n = 2000;
  while (sized(n + 1).size() <= max_connection_token_size)
    ++n;
  auto largest = sized(n);
  CAF_CHECK(largest.size() <= max_connection_token_size);
  CAF_CHECK(verify(largest).ok());
  auto over = sized(n + 1);
  CAF_CHECK(over.size() > max_connection_token_size);
  auto c = verify(over);
  CAF_CHECK(c.fault == token_fault::too_large);
  CAF_CHECK_EQUAL(c.reason, "token too large");
  CAF_CHECK(fault_of(std::string(1 << 20, '.')) == token_fault::too_large);
}

CAF_TEST(exp allows the clock skew and no more) {
  constexpr int64_t exp = 1700000000;
  auto token = signed_claims(claims_json("alice", exp));
  CAF_CHECK(verify(token, exp - 1).ok());
  CAF_CHECK(verify(token, exp).ok());
  CAF_CHECK(verify(token, exp + connection_token_clock_skew - 1).ok());
  CAF_CHECK(fault_of(token, exp + connection_token_clock_skew) == token_fault::expired);
  CAF_CHECK(fault_of(token, exp + 3600) == token_fault::expired);
}

CAF_TEST(nbf allows the clock skew and no more) {
  constexpr int64_t nbf = 1700000000;
  auto token = signed_claims(claims_json("alice", 4102444800, ",\"nbf\":1700000000"));
  CAF_CHECK(verify(token, nbf).ok());
  CAF_CHECK(verify(token, nbf - connection_token_clock_skew).ok());
  auto c = verify(token, nbf - connection_token_clock_skew - 1);
  CAF_CHECK(c.fault == token_fault::not_yet_valid);
  CAF_CHECK_EQUAL(c.reason, "token not yet valid");
  // A token whose nbf is after its exp is never valid.
  auto never = signed_claims(claims_json("alice", 1700000000, ",\"nbf\":1800000000"));
  CAF_CHECK(!verify(never, 1700000000).ok());
  CAF_CHECK(!verify(never, 1800000000).ok());
}

CAF_TEST(without a channel list every channel is allowed) {
  connection_claims c;
  c.sub = "alice";
  CAF_CHECK(token_allows_channel(c, "system/message"));
  CAF_CHECK(token_allows_channel(c, "anything"));
}

CAF_TEST(channel entries match exactly or as prefixes) {
  auto c = with_channels({"news/*", "system/message"});
  CAF_CHECK(token_allows_channel(c, "system/message"));
  CAF_CHECK(!token_allows_channel(c, "system/message2"));
  CAF_CHECK(!token_allows_channel(c, "system"));
  CAF_CHECK(!token_allows_channel(c, "System/message"));
  CAF_CHECK(token_allows_channel(c, "news/sport"));
  CAF_CHECK(token_allows_channel(c, "news/sport/football"));
  CAF_CHECK(!token_allows_channel(c, "news"));
  CAF_CHECK(!token_allows_channel(c, "newsletter"));
  CAF_CHECK(!token_allows_channel(c, "other/news/x"));
  // A prefix need not end at a '/'.
  CAF_CHECK(token_allows_channel(with_channels({"new*"}), "newsletter"));
  CAF_CHECK(token_allows_channel(with_channels({"*"}), "anything"));
  CAF_CHECK(!token_allows_channel(with_channels({}), "system/message"));
}

CAF_TEST(channel lists come through verification) {
  auto c = verify(signed_claims(claims_json("alice", 4102444800, ",\"channels\":[]")));
  CAF_REQUIRE(c.ok());
  CAF_CHECK(!token_allows_channel(c.claims, "system/message"));
  c = verify(signed_claims(claims_json("alice", 4102444800, ",\"channels\":[\"a/*\",\"b\"]")));
  CAF_REQUIRE(c.ok());
  CAF_CHECK(token_allows_channel(c.claims, "a/x"));
  CAF_CHECK(token_allows_channel(c.claims, "b"));
  CAF_CHECK(!token_allows_channel(c.claims, "c"));
}

#define CAF_SUITE net_api_requests
#include <caf/test/unit_test.hpp>

#include "common/must.hpp"

#include <map>
#include <optional>
#include <string>

#include "net/api_requests.hpp"

using namespace herald;
using herald::test::must;

namespace {

const std::map<std::string, std::string> tokens{{"t0k", "alice"}};

constexpr std::string_view form = "application/x-www-form-urlencoded";
constexpr std::string_view json = "application/json";

int body_status(std::string_view type, std::string_view body) {
  return parse_message_body(type, body).status;
}

} // namespace

CAF_TEST(publish needs a known token before anything else) {
  auto p = parse_publish("", "", form, "message=hi", tokens);
  CAF_CHECK_EQUAL(p.status, 401);
  p = parse_publish("Bearer bad", "", form, "message=hi", tokens);
  CAF_CHECK_EQUAL(p.status, 401);
  // Even with a broken body, no token is 401.
  CAF_CHECK_EQUAL(parse_publish("", "", json, "{", tokens).status, 401);
  p = parse_publish("Bearer t0k", "", form, "message=hi+there", tokens);
  CAF_CHECK_EQUAL(p.status, 200);
  CAF_CHECK_EQUAL(p.username, "alice");
  CAF_CHECK_EQUAL(p.token, "t0k");
  CAF_CHECK_EQUAL(p.text, "hi there");
  p = parse_publish("", "t0k", json, R"({"message":"x"})", tokens);
  CAF_CHECK_EQUAL(p.status, 200);
  CAF_CHECK_EQUAL(p.text, "x");
  CAF_CHECK_EQUAL(parse_publish("Bearer t0k", "", form, "", tokens).status, 400);
}

CAF_TEST(form bodies) {
  CAF_CHECK_EQUAL(parse_message_body(form, "message=caf%C3%A9").text, "caf\xc3\xa9");
  CAF_CHECK_EQUAL(parse_message_body("", "message=a%26b").text, "a&b");
  CAF_CHECK_EQUAL(parse_message_body("text/plain", "message=x").text, "x");
  CAF_CHECK_EQUAL(body_status(form, ""), 400);
  CAF_CHECK_EQUAL(body_status(form, "msg=x"), 400);
  CAF_CHECK_EQUAL(body_status(form, "message="), 400);
  CAF_CHECK_EQUAL(body_status(form, "message"), 400);
  CAF_CHECK_EQUAL(body_status(form, "message=%zz"), 400);
  CAF_CHECK_EQUAL(body_status(form, "message=ok&x=%"), 400);
  CAF_CHECK_EQUAL(body_status(form, "message=%FF"), 400);          // not UTF-8
  CAF_CHECK_EQUAL(body_status(form, "message=%C0%80"), 400);       // overlong
  CAF_CHECK_EQUAL(body_status(form, "message=%ED%A0%80"), 400);    // surrogate
  CAF_CHECK_EQUAL(body_status(form, "message=\xff"), 400);
  CAF_CHECK_EQUAL(body_status(form, "message=%00"), 200);          // NUL is valid UTF-8
}

CAF_TEST(json bodies) {
  CAF_CHECK_EQUAL(parse_message_body(json, R"({"message":"hello"})").text, "hello");
  CAF_CHECK_EQUAL(parse_message_body("Application/JSON; charset=utf-8",
                                     R"({"message":"\u00e9\ud83d\ude00"})")
                    .text,
                  "\xc3\xa9\xf0\x9f\x98\x80");
  CAF_CHECK_EQUAL(parse_message_body(json, R"({"message":"a","other":1})").text, "a");
  CAF_CHECK_EQUAL(body_status(json, ""), 400);
  CAF_CHECK_EQUAL(body_status(json, "{"), 400);
  CAF_CHECK_EQUAL(body_status(json, "message=hi"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"(["message"])"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"("message")"), 400);
  CAF_CHECK_EQUAL(body_status(json, "{}"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"message":""})"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"message":1})"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"message":null})"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"message":["x"]})"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"message":{"x":1}})"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"Message":"x"})"), 400);
  CAF_CHECK_EQUAL(body_status(json, "{\"message\":\"\xff\"}"), 400);
  CAF_CHECK_EQUAL(body_status(json, "{\"message\":\"\xc0\xaf\"}"), 400);
  CAF_CHECK_EQUAL(body_status(json, R"({"message":"\ud800"})"), 400); // lone surrogate
  CAF_CHECK_EQUAL(body_status(json, R"({"message":"x"} trailing)"), 400);
  CAF_CHECK_EQUAL(body_status(json, std::string(10000, '[') + std::string(10000, ']')), 400);
}

CAF_TEST(history parameters) {
  auto h = parse_history_query("");
  CAF_CHECK_EQUAL(h.status, 200);
  CAF_CHECK_EQUAL(h.since, 0u);
  CAF_CHECK_EQUAL(h.limit, 100u);
  h = parse_history_query("since=42&limit=7");
  CAF_CHECK_EQUAL(h.since, 42u);
  CAF_CHECK_EQUAL(h.limit, 7u);
  CAF_CHECK_EQUAL(parse_history_query("limit=1000").limit, 1000u);
  CAF_CHECK_EQUAL(parse_history_query("limit=1001").limit, 1000u);
  CAF_CHECK_EQUAL(parse_history_query("limit=99999999999999999999").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("limit=4294967297").limit, 1000u);
  CAF_CHECK_EQUAL(parse_history_query("since=18446744073709551615").since, UINT64_MAX);
  CAF_CHECK_EQUAL(parse_history_query("since=18446744073709551616").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since=-1").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since=abc").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since=").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since=1.5").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("limit=-5").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("limit=0").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("limit=ten").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since=%zz").status, 400);
  CAF_CHECK_EQUAL(parse_history_query("since=%31%32").since, 12u);
  CAF_CHECK_EQUAL(parse_history_query("other=1").status, 200);
}

CAF_TEST(socket parameters) {
  CAF_CHECK(!parse_socket_query("").since);
  CAF_CHECK_EQUAL(parse_socket_query("").status, 200);
  CAF_CHECK_EQUAL(must(parse_socket_query("since=0").since), 0u);
  CAF_CHECK_EQUAL(must(parse_socket_query("since=123").since), 123u);
  CAF_CHECK_EQUAL(parse_socket_query("since=-1").status, 400);
  CAF_CHECK_EQUAL(parse_socket_query("since=x").status, 400);
  CAF_CHECK_EQUAL(parse_socket_query("since=").status, 400);
  CAF_CHECK_EQUAL(parse_socket_query("since=99999999999999999999").status, 400);
  CAF_CHECK_EQUAL(parse_socket_query("since=%").status, 400);
}

CAF_TEST(socket parameters carry a connection token) {
  CAF_CHECK(!parse_socket_query("").token);
  CAF_CHECK(!parse_socket_query("since=1").token);
  CAF_CHECK_EQUAL(must(parse_socket_query("token=a.b.c").token), "a.b.c");
  auto both = parse_socket_query("since=5&token=a%2Eb.c");
  CAF_CHECK_EQUAL(must(both.since), 5u);
  CAF_CHECK_EQUAL(must(both.token), "a.b.c");
  CAF_CHECK_EQUAL(must(parse_socket_query("token=").token), "");
  CAF_CHECK_EQUAL(must(parse_socket_query("token=first&token=second").token), "first");
  CAF_CHECK_EQUAL(parse_socket_query("token=%zz").status, 400);
}

#define CAF_SUITE net_api_responses
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>

#include "net/api_responses.hpp"
#include "net/http_error.hpp"

using namespace herald;

namespace {

frame make_frame(uint64_t id, std::string json) {
  auto f = std::make_shared<frame_data>();
  f->id = id;
  f->channel = "c";
  f->json = std::move(json);
  return f;
}

} // namespace

CAF_TEST(publish and status bodies) {
  CAF_CHECK_EQUAL(publish_ok_json(42), R"({"status":"OK","id":42})");
  CAF_CHECK_EQUAL(publish_ok_json(UINT64_MAX), R"({"status":"OK","id":18446744073709551615})");
  CAF_CHECK_EQUAL(status_ok_json(), R"({"status":"OK"})");
}

CAF_TEST(history concatenates the frames as they are) {
  frame_list frames{make_frame(1, R"({"id":1})"), make_frame(2, R"({"id":2})")};
  CAF_CHECK_EQUAL(history_json("a/b", frames),
                  R"({"channel":"a/b","messages":[{"id":1},{"id":2}]})");
  CAF_CHECK_EQUAL(history_json("a", {}), R"({"channel":"a","messages":[]})");
  CAF_CHECK_EQUAL(history_json("q\"x", {}), R"({"channel":"q\"x","messages":[]})");
}

CAF_TEST(history says after the messages where retention left a gap) {
  frame_list frames{make_frame(16, R"({"id":16})")};
  CAF_CHECK_EQUAL(history_json("a", frames, 15),
                  R"({"channel":"a","messages":[{"id":16}],"gap":{"resume_from":15}})");
  CAF_CHECK_EQUAL(history_json("a", {}, 9),
                  R"({"channel":"a","messages":[],"gap":{"resume_from":9}})");
  CAF_CHECK_EQUAL(history_json("a", frames, std::nullopt),
                  R"({"channel":"a","messages":[{"id":16}]})");
}

CAF_TEST(channel list) {
  channel_infos infos{{"a", 1, 2, 3}, {"b/c", 0, 5, 9}};
  CAF_CHECK_EQUAL(channels_json(infos),
                  R"({"channels":[{"name":"a","subscribers":1,"stored":2,"last_id":3},)"
                  R"({"name":"b/c","subscribers":0,"stored":5,"last_id":9}]})");
  CAF_CHECK_EQUAL(channels_json({}), R"({"channels":[]})");
}

CAF_TEST(error bodies escape their message) {
  CAF_CHECK_EQUAL(error_body(404, "not found"), R"({"code":404,"message":"not found"})");
  CAF_CHECK_EQUAL(error_body(400, "bad \"x\"\n"), R"({"code":400,"message":"bad \"x\"\n"})");
  auto res = make_error(405, "method not allowed", 11, true);
  CAF_CHECK_EQUAL(res.result_int(), 405u);
  CAF_CHECK_EQUAL(res[boost::beast::http::field::content_type], "application/json");
  CAF_CHECK_EQUAL(res.body(), R"({"code":405,"message":"method not allowed"})");
  CAF_CHECK(res.keep_alive());
  CAF_CHECK_EQUAL(res[boost::beast::http::field::content_length],
                  std::to_string(res.body().size()));
  auto closing = make_error(413, "too large", 11, false);
  CAF_CHECK(!closing.keep_alive());
  auto old = make_error(400, "x", 10, false);
  CAF_CHECK_EQUAL(old.version(), 10u);
}

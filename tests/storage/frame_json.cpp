#define CAF_SUITE storage_frame_json

#include "storage/frame_json.hpp"

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <caf/test/unit_test.hpp>

using namespace herald;

namespace {

// The "message" field of a rendered frame, parsed back by a JSON parser.
std::string parsed_message(const std::string& json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  CAF_REQUIRE(!ec);
  CAF_REQUIRE(v.is_object());
  const auto& m = v.as_object().at("message");
  CAF_REQUIRE(m.is_string());
  return std::string(m.as_string().data(), m.as_string().size());
}

std::string render_text(std::string_view text) {
  return render_frame(7, "general", "alice", text, 0);
}

bool has_raw_control_byte(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20)
      return true;
  return false;
}

} // namespace

CAF_TEST(time is UTC with milliseconds) {
  CAF_CHECK_EQUAL(format_time_ms(1795630848123), "2026-11-25T18:20:48.123Z");
  CAF_CHECK_EQUAL(format_time_ms(0), "1970-01-01T00:00:00.000Z");
  CAF_CHECK_EQUAL(format_time_ms(5), "1970-01-01T00:00:00.005Z");
  CAF_CHECK_EQUAL(format_time_ms(-1), "1969-12-31T23:59:59.999Z");
  CAF_CHECK_EQUAL(format_time_ms(951782400000), "2000-02-29T00:00:00.000Z");
}

CAF_TEST(frame has exactly the five keys in order) {
  auto json = render_frame(42, "general", "alice", "hello", 1795630848123);
  CAF_CHECK_EQUAL(json, R"({"id":42,"channel":"general","username":"alice",)"
                        R"("message":"hello","time":"2026-11-25T18:20:48.123Z"})");
  auto big = render_frame(18446744073709551615ull, "c", "u", "m", 0);
  CAF_CHECK_EQUAL(big.rfind(R"({"id":18446744073709551615,)", 0), 0u);
}

CAF_TEST(quotes and backslashes are escaped) {
  auto json = render_text(R"(say "hi" \ bye)");
  CAF_CHECK_NOT_EQUAL(json.find(R"("message":"say \"hi\" \\ bye")"), std::string::npos);
  CAF_CHECK_EQUAL(parsed_message(json), R"(say "hi" \ bye)");
  // Quotes in the other string fields cannot break out of them either.
  auto other = render_frame(1, R"(c"h)", R"(u\"x)", "m", 0);
  boost::system::error_code ec;
  auto v = boost::json::parse(other, ec);
  CAF_REQUIRE(!ec);
  CAF_CHECK_EQUAL(v.as_object().at("channel").as_string(), R"(c"h)");
  CAF_CHECK_EQUAL(v.as_object().at("username").as_string(), R"(u\"x)");
  CAF_CHECK_EQUAL(v.as_object().size(), 5u);
}

CAF_TEST(control characters are escaped) {
  std::string text = "a\nb\tc\rd";
  text += '\x01';
  text += '\x1f';
  text += '\0';
  text += "end";
  auto json = render_text(text);
  CAF_CHECK(!has_raw_control_byte(json));
  CAF_CHECK_NOT_EQUAL(json.find(R"(a\nb\tc\rd)"), std::string::npos);
  CAF_CHECK_EQUAL(parsed_message(json), text);
}

CAF_TEST(markup is data) {
  const std::string text = "<img src=x onerror=alert(1)></script>";
  auto json = render_text(text);
  CAF_CHECK_EQUAL(parsed_message(json), text);
}

CAF_TEST(valid UTF-8 passes through unchanged) {
  const std::string text = "h\xC3\xA9llo \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89";
  auto json = render_text(text);
  CAF_CHECK_NOT_EQUAL(json.find(text), std::string::npos);
  CAF_CHECK_EQUAL(parsed_message(json), text);
}

CAF_TEST(invalid UTF-8 becomes replacement characters) {
  const std::string fffd = "\xEF\xBF\xBD";
  CAF_CHECK_EQUAL(parsed_message(render_text("a\xFF" "b")), "a" + fffd + "b");
  // A truncated three-byte sequence at the end: one replacement per byte.
  CAF_CHECK_EQUAL(parsed_message(render_text("x\xE6\x97")), "x" + fffd + fffd);
  // Overlong '/' and an encoded surrogate are not UTF-8 either.
  CAF_CHECK_EQUAL(parsed_message(render_text("\xC0\xAF")), fffd + fffd);
  CAF_CHECK_EQUAL(parsed_message(render_text("\xED\xA0\x80")), fffd + fffd + fffd);
  // Above U+10FFFF.
  CAF_CHECK_EQUAL(parsed_message(render_text("\xF4\x90\x80\x80")), fffd + fffd + fffd + fffd);
  // The other fields are repaired the same way.
  auto json = render_frame(1, "\xFF", "\xFE", "ok", 0);
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  CAF_REQUIRE(!ec);
  CAF_CHECK_EQUAL(v.as_object().at("channel").as_string(), fffd);
  CAF_CHECK_EQUAL(v.as_object().at("username").as_string(), fffd);
}

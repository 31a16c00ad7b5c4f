#define CAF_SUITE config_logging
#include <caf/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "config/conn_tag.hpp"
#include "config/logging.hpp"
#include "common/temp_dir.hpp"

using herald::config;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// One JSON log line as an object with the fields the format promises;
// nullopt (and why, in the test's output) when it is anything else.
std::optional<boost::json::object> json_line(const std::string& line) {
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) {
    CAF_MESSAGE("not a JSON object: " << line << " (" << ec.message() << ")");
    return std::nullopt;
  }
  auto& o = v.as_object();
  static const std::regex utc_time{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"};
  auto time = o.if_contains("time");
  bool ok = time && time->is_string()
            && std::regex_match(std::string{time->as_string().c_str()}, utc_time)
            && o.if_contains("level") && o.at("level").is_string() && o.if_contains("msg")
            && o.at("msg").is_string() && o.size() <= 4;
  if (auto conn = o.if_contains("conn"))
    ok = ok && (conn->is_int64() || conn->is_uint64());
  else
    ok = ok && o.size() == 3;
  if (!ok) {
    CAF_MESSAGE("unexpected fields: " << line);
    return std::nullopt;
  }
  return o;
}

std::string field(const boost::json::object& o, const char* name) {
  return std::string{o.at(name).as_string().c_str(), o.at(name).as_string().size()};
}

// Back to the console after each test, so later output is not lost in a
// removed temp file.
struct fixture {
  herald::test::temp_dir dir;
  ~fixture() {
    std::string ignored;
    herald::setup_logging(config{}, ignored);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(config_logging_tests, fixture)

CAF_TEST(a log file gets ISO time level and message at the configured level) {
  config c;
  c.log_file = (dir.path() / "logs" / "herald.log").string();
  c.log_level = "warn";
  std::string error;
  CAF_REQUIRE(herald::setup_logging(c, error));
  spdlog::info("hidden-line");
  spdlog::warn("shown-line {}", 42);
  spdlog::default_logger()->flush();
  auto text = read_all(c.log_file);
  CAF_CHECK_EQUAL(text.find("hidden-line"), std::string::npos);
  std::regex line{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[warning\] shown-line 42)"};
  CAF_CHECK(std::regex_search(text, line));
}

CAF_TEST(an unopenable log file fails with one line) {
  auto blocker = dir.write("not-a-dir", "x");
  config c;
  c.log_file = blocker + "/herald.log"; // parent is a regular file
  std::string error;
  CAF_CHECK(!herald::setup_logging(c, error));
  CAF_CHECK_NOT_EQUAL(error.find(c.log_file), std::string::npos);
  CAF_CHECK_EQUAL(error.find('\n'), std::string::npos);
}

CAF_TEST(an unknown level fails instead of silencing the log) {
  config c;
  c.log_level = "loud";
  std::string error;
  CAF_CHECK(!herald::setup_logging(c, error));
  CAF_CHECK_NOT_EQUAL(error.find("loud"), std::string::npos);
  c.log_level = "debug";
  CAF_REQUIRE(herald::setup_logging(c, error));
  CAF_CHECK(spdlog::default_logger()->level() == spdlog::level::debug);
}

CAF_TEST(json lines parse and escape whatever the message holds) {
  config c;
  c.log_file = (dir.path() / "herald.log").string();
  c.log_format = "json";
  std::string error;
  CAF_REQUIRE(herald::setup_logging(c, error));
  const std::string tricky = "quote \" backslash \\ newline \n return \r tab \t bell \x07 "
                             "escape \x1b del \x7f nul-free end";
  spdlog::info("plain line");
  spdlog::warn("ws open {} peer=127.0.0.1:5", herald::conn_tag{42});
  spdlog::error("{}", tricky);
  spdlog::info("not utf-8 \xff\xc3 then \xc3\xa9 and \xf0\x9f\x98\x80");
  spdlog::default_logger()->flush();
  auto text = read_all(c.log_file);
  // Escaped, not raw: the newline in the message does not start a line.
  CAF_CHECK_EQUAL(text.find('\x07'), std::string::npos);
  CAF_CHECK_EQUAL(text.find('\x1b'), std::string::npos);
  auto lines = lines_of(text);
  CAF_REQUIRE_EQUAL(lines.size(), 4u);
  std::vector<boost::json::object> objects;
  for (auto& line : lines) {
    auto o = json_line(line);
    CAF_REQUIRE(o);
    objects.push_back(*o);
  }
  CAF_CHECK_EQUAL(field(objects[0], "level"), "info");
  CAF_CHECK_EQUAL(field(objects[0], "msg"), "plain line");
  CAF_CHECK(!objects[0].contains("conn"));
  CAF_CHECK_EQUAL(field(objects[1], "level"), "warning");
  CAF_CHECK_EQUAL(field(objects[1], "msg"), "ws open conn=42 peer=127.0.0.1:5");
  CAF_REQUIRE(objects[1].contains("conn"));
  CAF_CHECK_EQUAL(boost::json::value_to<uint64_t>(objects[1].at("conn")), 42u);
  CAF_CHECK_EQUAL(field(objects[2], "msg"), tricky); // exactly, once unescaped
  // Bytes that are not UTF-8 become U+FFFD; valid characters stay.
  CAF_CHECK_EQUAL(field(objects[3], "msg"),
                  "not utf-8 \xef\xbf\xbd\xef\xbf\xbd then \xc3\xa9 and \xf0\x9f\x98\x80");
}

CAF_TEST(json lines rotate by size like text lines) {
  config c;
  c.log_file = (dir.path() / "herald.log").string();
  c.log_format = "json";
  c.log_max_size = 4096;
  c.log_max_files = 2;
  std::string error;
  CAF_REQUIRE(herald::setup_logging(c, error));
  const std::string padding(100, 'x');
  for (int i = 0; i < 200; ++i)
    spdlog::info("line {} {} {}", i, herald::conn_tag{static_cast<uint64_t>(i)}, padding);
  spdlog::default_logger()->flush();
  std::size_t total = 0;
  for (auto name : {"herald.log", "herald.1.log", "herald.2.log"}) {
    auto path = dir.file(name);
    CAF_REQUIRE(std::filesystem::exists(path));
    CAF_CHECK_LESS_OR_EQUAL(std::filesystem::file_size(path), c.log_max_size);
    for (auto& line : lines_of(read_all(path))) {
      auto o = json_line(line);
      CAF_CHECK(o);
      total += o ? 1 : 0;
    }
  }
  CAF_CHECK(!std::filesystem::exists(dir.file("herald.3.log"))); // max_files old ones kept
  CAF_CHECK_GREATER(total, 40u);
  // The newest line is in the current file, whole.
  auto current = lines_of(read_all(c.log_file));
  CAF_REQUIRE(!current.empty());
  auto last = json_line(current.back());
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(field(*last, "msg"), "line 199 conn=199 " + padding);
}

CAF_TEST(a reload switches level and format of the running logger) {
  config c;
  c.log_file = (dir.path() / "herald.log").string();
  std::string error;
  CAF_REQUIRE(herald::setup_logging(c, error));
  spdlog::debug("debug-before");
  spdlog::info("text-line");
  c.log_level = "debug";
  c.log_format = "json";
  herald::update_logging(c);
  spdlog::debug("debug-after");
  spdlog::default_logger()->flush();
  auto lines = lines_of(read_all(c.log_file));
  CAF_REQUIRE_EQUAL(lines.size(), 2u);
  CAF_CHECK_NOT_EQUAL(lines[0].find("[info] text-line"), std::string::npos);
  auto o = json_line(lines[1]);
  CAF_REQUIRE(o);
  CAF_CHECK_EQUAL(field(*o, "msg"), "debug-after");
  CAF_CHECK_EQUAL(field(*o, "level"), "debug");
}

CAF_TEST(an unknown format fails like an unknown level) {
  config c;
  c.log_format = "xml";
  std::string error;
  CAF_CHECK(!herald::setup_logging(c, error));
  CAF_CHECK_NOT_EQUAL(error.find("xml"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(a connection is named conn=N and found again in a message) {
  using herald::conn_tag;
  // -1: no tag found.
  auto found = [](std::string_view text) -> int64_t {
    auto id = herald::find_conn_tag(text);
    return id ? static_cast<int64_t>(*id) : -1;
  };
  CAF_CHECK_EQUAL(fmt::format("ws open {} peer=x", conn_tag{7}), "ws open conn=7 peer=x");
  CAF_CHECK_EQUAL(found("ws open conn=42 peer=1.2.3.4:5"), 42);
  CAF_CHECK_EQUAL(found("conn=7 closed: read timed out"), 7);
  CAF_CHECK_EQUAL(found("ws conn=9: no answer"), 9);
  CAF_CHECK_EQUAL(found("reconn=5 xconn=6 conn= conn=x then conn=8"), 8);
  CAF_CHECK_EQUAL(found("no connection here"), -1);
  CAF_CHECK_EQUAL(found("reconn=5"), -1);
  CAF_CHECK_EQUAL(found("conn="), -1);
  CAF_CHECK_EQUAL(found("conn=99999999999999999999999"), -1); // past uint64_t
}

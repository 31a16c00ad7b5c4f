#define CAF_SUITE config_logging
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <spdlog/spdlog.h>

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

CAF_TEST_FIXTURE_SCOPE_END()

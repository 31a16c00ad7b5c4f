// `herald --check-config FILE` as an operator runs it: exit 0 and the
// effective config (secrets masked) for a valid file, exit 2 and one error
// line for an invalid one, other flags applied, nothing started.
#define CAF_SUITE integration_check_config
#include <caf/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "support/herald_process.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

bool has_line(const std::string& text, const std::string& line) {
  return contains("\n" + text, "\n" + line + "\n");
}

} // namespace

CAF_TEST(a valid file prints the effective config with secrets masked and exits 0) {
  temp_dir dir;
  auto db = dir.file("never-created.db");
  auto file = dir.write("herald.toml",
                        "[server]\nlisten = \"127.0.0.1:0\"\n"
                        "[storage]\npath = \"" + db + "\"\n"
                        "[auth]\nrequire_connection_token = true\n"
                        "connection_token_secret = \"0123456789-jwt-secret-0123456789\"\n"
                        "[auth.tokens]\n\"publisher-token-value\" = \"alice\"\n"
                        "[log]\nformat = \"json\"\n");
  auto r = run_herald({"--check-config", file, "--listen", "127.0.0.1:4321"});
  CAF_CHECK_EQUAL(to_string(r.status), "exit 0");
  CAF_CHECK(has_line(r.output, "server.listen = \"127.0.0.1:4321\"")); // the flag wins
  CAF_CHECK(has_line(r.output, "storage.path = \"" + db + "\""));
  CAF_CHECK(has_line(r.output, "log.format = \"json\""));
  CAF_CHECK(has_line(r.output, "auth.require_connection_token = true"));
  for (auto secret : {"publisher-token", "jwt-secret", "0123456789"})
    CAF_CHECK(!contains(r.output, secret));
  // Checked, not started: no database, no log lines.
  CAF_CHECK(!std::filesystem::exists(db));
  CAF_CHECK(!contains(r.output, "listening on"));
  CAF_CHECK(!contains(r.output, "[info]"));
}

CAF_TEST(an invalid file prints one error line and exits 2) {
  temp_dir dir;
  struct bad_case {
    std::string toml;
    std::string named;
  };
  const bad_case cases[] = {
    {"[limits]\nmax_connections = 0\n", "limits.max_connections"},
    {"[websocket]\nallowed_origin = [\"https://example.com\"]\n", "allowed_origin"},
    {"[tls]\ncert = \"cert.pem\"\n", "tls.key"},
    {"[log]\nformat = \"xml\"\n", "log.format"},
    {"[server\n", "herald.toml"},
  };
  for (auto& bad : cases) {
    auto file = dir.write("herald.toml", bad.toml);
    auto r = run_herald({"--check-config", file});
    CAF_CHECK_EQUAL(to_string(r.status), "exit 2");
    CAF_CHECK_EQUAL(r.output.rfind("herald: config error: ", 0), 0u);
    CAF_CHECK(contains(r.output, bad.named));
    CAF_CHECK_EQUAL(r.output.find('\n'), r.output.size() - 1); // one line
  }
  auto r = run_herald({"--check-config", dir.file("absent.toml")});
  CAF_CHECK_EQUAL(to_string(r.status), "exit 2");
  CAF_CHECK(contains(r.output, "absent.toml"));
}

#define CAF_SUITE config_cli
#include <caf/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "config/cli.hpp"
#include "common/temp_dir.hpp"

using herald::cli_result;
using herald::config;
using action = herald::cli_result::action;

namespace {

cli_result run(std::vector<std::string> args, config& cfg) {
  args.insert(args.begin(), "herald");
  std::vector<const char*> argv;
  for (auto& a : args)
    argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return herald::parse_command_line(static_cast<int>(args.size()), argv.data(), cfg);
}

struct fixture {
  herald::test::temp_dir dir;
  std::string file = dir.write("herald.toml", "[server]\nlisten = \"127.0.0.2:7000\"\n"
                                              "[storage]\npath = \"file.db\"\n"
                                              "[log]\nlevel = \"warn\"\n");
  config cfg;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(config_cli_tests, fixture)

CAF_TEST(the config file applies on top of the defaults) {
  auto r = run({"--config", file}, cfg);
  CAF_REQUIRE(r.what == action::run);
  CAF_CHECK_EQUAL(r.config_path, file);
  CAF_CHECK_EQUAL(cfg.listen_address, "127.0.0.2");
  CAF_CHECK_EQUAL(cfg.port, 7000u);
  CAF_CHECK_EQUAL(cfg.db_path, "file.db");
  CAF_CHECK_EQUAL(cfg.log_level, "warn");
  CAF_CHECK_EQUAL(cfg.io_threads, 1u); // not in the file: default
}

CAF_TEST(flags override the file in both spellings) {
  auto r = run({"--listen", "[::1]:0", "--config=" + file, "--db=flag.db", "--log-level",
                "debug"},
               cfg);
  CAF_REQUIRE(r.what == action::run);
  CAF_CHECK_EQUAL(cfg.listen_address, "::1");
  CAF_CHECK_EQUAL(cfg.port, 0u);
  CAF_CHECK_EQUAL(cfg.db_path, "flag.db");
  CAF_CHECK_EQUAL(cfg.log_level, "debug");
}

CAF_TEST(without flags the defaults stay) {
  // The tests run in the build tree, where no config/herald.toml exists.
  CAF_REQUIRE(!std::filesystem::exists(herald::default_config_path));
  auto r = run({}, cfg);
  CAF_REQUIRE(r.what == action::run);
  CAF_CHECK_EQUAL(r.config_path, "");
  CAF_CHECK_EQUAL(cfg.port, 9999u);
}

CAF_TEST(config/herald.toml in the working directory is the default file) {
  dir.write("config/herald.toml", "[storage]\npath = \"cwd.db\"\n");
  auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  auto r = run({}, cfg);
  std::filesystem::current_path(previous);
  CAF_REQUIRE(r.what == action::run);
  CAF_CHECK_EQUAL(r.config_path, "config/herald.toml");
  CAF_CHECK_EQUAL(cfg.db_path, "cwd.db");
}

CAF_TEST(bad flags fail naming the flag and change nothing) {
  struct bad_case {
    std::vector<std::string> args;
    std::string named;
  };
  const bad_case cases[] = {
    {{"--frobnicate"}, "--frobnicate"},
    {{"--listen"}, "--listen"},
    {{"--config", "--db", "x.db"}, "--config"},
    {{"--db="}, "--db"},
    {{"--help=yes"}, "--help"},
    {{"stray"}, "stray"},
    {{"--listen", "localhost:80"}, "--listen"},
    {{"--listen=1.2.3.4:99999"}, "--listen"},
    {{"--log-level", "loud"}, "--log-level"},
    {{"--redis", "127.0.0.1:6379"}, "--redis"},
    {{"--redis="}, "--redis"},
  };
  for (auto& bad : cases) {
    config c;
    auto r = run(bad.args, c);
    CAF_CHECK(r.what == action::fail);
    CAF_CHECK_NOT_EQUAL(r.text.find(bad.named), std::string::npos);
    CAF_CHECK_EQUAL(r.text.find('\n'), std::string::npos); // one line
    CAF_CHECK_EQUAL(c.port, 9999u);
    CAF_CHECK_EQUAL(c.log_level, "info");
    CAF_CHECK(!c.redis.has_value());
  }
}

CAF_TEST(redis on the command line turns on cluster mode over the file) {
  auto clustered = dir.write("cluster.toml", "[cluster]\nredis = \"redis://10.0.0.1:6379\"\n"
                                             "key_prefix = \"from-file\"\n");
  auto r = run({"--config", clustered, "--redis", "redis://:pw-from-flag@10.0.0.2:7000/1"}, cfg);
  CAF_REQUIRE(r.what == action::run);
  CAF_REQUIRE(cfg.redis.has_value());
  CAF_CHECK_EQUAL(cfg.redis->host, "10.0.0.2");
  CAF_CHECK_EQUAL(cfg.redis->port, 7000u);
  CAF_CHECK_EQUAL(cfg.redis->password, "pw-from-flag");
  CAF_CHECK_EQUAL(cfg.key_prefix, "from-file");
  // A bad URL on the command line names the flag and not the password.
  config other;
  r = run({"--redis", "redis://:pw-from-flag@host:0"}, other);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_EQUAL(r.text.rfind("--redis: ", 0), 0u);
  CAF_CHECK_EQUAL(r.text.find("pw-from-flag"), std::string::npos);
  CAF_CHECK(!other.redis.has_value());
}

CAF_TEST(a bad or missing config file fails naming it) {
  auto r = run({"--config", (dir.path() / "absent.toml").string()}, cfg);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_NOT_EQUAL(r.text.find("absent.toml"), std::string::npos);
  auto bad = dir.write("bad.toml", "[websocket]\ncompression = 1\n");
  r = run({"--config", bad, "--db", "x.db"}, cfg);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_NOT_EQUAL(r.text.find("websocket.compression"), std::string::npos);
  CAF_CHECK_EQUAL(cfg.db_path, "herald.db");
}

CAF_TEST(check-config reads the file with the flags on top and describes the result) {
  auto r = run({"--check-config", file, "--db", "flag.db"}, cfg);
  CAF_REQUIRE(r.what == action::check);
  CAF_CHECK_EQUAL(r.config_path, file);
  CAF_CHECK_EQUAL(cfg.db_path, "flag.db");
  CAF_CHECK_EQUAL(cfg.port, 7000u);
  auto text = "\n" + r.text;
  CAF_CHECK_NOT_EQUAL(text.find("\nserver.listen = \"127.0.0.2:7000\"\n"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("\nstorage.path = \"flag.db\"\n"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(text.find("\nlog.level = \"warn\"\n"), std::string::npos);
  CAF_CHECK_EQUAL(r.text.back(), '\n');
  // The spelling with '=' works too.
  config other;
  CAF_CHECK(run({"--check-config=" + file}, other).what == action::check);
}

CAF_TEST(check-config masks tokens secrets and redis passwords) {
  auto secrets = dir.write("secrets.toml",
                           "[auth]\nrequire_connection_token = true\n"
                           "connection_token_secret = \"0123456789-jwt-secret-0123456789\"\n"
                           "[auth.tokens]\n\"publisher-token-value\" = \"alice\"\n"
                           "[cluster]\nredis = \"redis://:hunter2-password@10.0.0.1:6379\"\n");
  auto r = run({"--check-config", secrets}, cfg);
  CAF_REQUIRE(r.what == action::check);
  for (auto secret : {"publisher-token", "token-value", "jwt-secret", "0123456789", "hunter2"})
    CAF_CHECK_EQUAL(r.text.find(secret), std::string::npos);
  CAF_CHECK_NOT_EQUAL(r.text.find("\"alice\""), std::string::npos);
  CAF_CHECK_NOT_EQUAL(r.text.find("10.0.0.1:6379"), std::string::npos);
}

CAF_TEST(check-config fails on what would stop a start with one line) {
  auto bad = dir.write("bad.toml", "[limits]\nmax_connections = 0\n");
  auto r = run({"--check-config", bad}, cfg);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_NOT_EQUAL(r.text.find("limits.max_connections"), std::string::npos);
  CAF_CHECK_EQUAL(r.text.find('\n'), std::string::npos);
  // Settings that only fail together fail here too.
  auto half_tls = dir.write("half-tls.toml", "[tls]\ncert = \"cert.pem\"\n");
  r = run({"--check-config", half_tls}, cfg);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_NOT_EQUAL(r.text.find("tls.key"), std::string::npos);
  r = run({"--check-config", (dir.path() / "absent.toml").string()}, cfg);
  CAF_CHECK(r.what == action::fail);
  // A flag is checked as at start.
  r = run({"--check-config", file, "--listen", "localhost:80"}, cfg);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_NOT_EQUAL(r.text.find("--listen"), std::string::npos);
  // Which file: one name for it, not two.
  r = run({"--check-config", file, "--config", file}, cfg);
  CAF_REQUIRE(r.what == action::fail);
  CAF_CHECK_NOT_EQUAL(r.text.find("--check-config"), std::string::npos);
  CAF_CHECK_EQUAL(cfg.port, 9999u); // nothing applied
}

CAF_TEST(a command line kept as strings parses as at start) {
  std::vector<std::string> args{"herald", "--config", file, "--db", "kept.db"};
  auto r = herald::parse_command_line(args, cfg);
  CAF_REQUIRE(r.what == action::run);
  CAF_CHECK_EQUAL(cfg.db_path, "kept.db");
  CAF_CHECK_EQUAL(cfg.port, 7000u);
}

CAF_TEST(help lists every flag and version prints one line) {
  auto r = run({"--listen", "1.2.3.4:5", "--help"}, cfg);
  CAF_REQUIRE(r.what == action::help);
  for (auto flag :
       {"--config", "--check-config", "--listen", "--db", "--log-level", "--redis", "--help",
        "--version"})
    CAF_CHECK_NOT_EQUAL(r.text.find(flag), std::string::npos);
  CAF_CHECK_EQUAL(r.text.back(), '\n');
  CAF_CHECK_EQUAL(cfg.port, 9999u); // help applies nothing
  // --help reads no file, so a broken config cannot hide it.
  r = run({"--config", (dir.path() / "absent.toml").string(), "--help"}, cfg);
  CAF_CHECK(r.what == action::help);
  r = run({"--version"}, cfg);
  CAF_REQUIRE(r.what == action::version);
  CAF_CHECK_EQUAL(r.text.rfind("herald ", 0), 0u);
  CAF_CHECK_EQUAL(r.text.find('\n'), r.text.size() - 1);
  CAF_CHECK_EQUAL(r.text, herald::version_text());
}

CAF_TEST_FIXTURE_SCOPE_END()

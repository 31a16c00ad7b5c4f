#include "config/cli.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

#include "config/describe.hpp"
#include "config/load.hpp"
#include "config/values.hpp"

#ifndef HERALD_VERSION
#define HERALD_VERSION "0.0.0"
#endif

namespace herald {

namespace {

struct flag_spec {
  std::string_view name;
  const char* arg; // nullptr: the flag takes no value
  const char* help;
};

constexpr flag_spec flags[] = {
  {"--config", "FILE",
   "config file (default: config/herald.toml if present, else built-in defaults)"},
  {"--check-config", "FILE",
   "check FILE (with the other flags) as a start would, print the effective config "
   "(secrets masked) and exit: 0 valid, 2 invalid"},
  {"--listen", "ADDR:PORT", "listen here, over server.listen (e.g. 0.0.0.0:9999, [::1]:0)"},
  {"--db", "PATH", "SQLite database file, over storage.path"},
  {"--log-level", "LEVEL", "trace|debug|info|warn|error|critical|off, over log.level"},
  {"--redis", "URL", "cluster mode on this Redis (redis://host:port), over cluster.redis"},
  {"--help", nullptr, "print this help and exit"},
  {"--version", nullptr, "print the version and exit"},
};

const flag_spec* find_flag(std::string_view name) {
  for (auto& f : flags)
    if (f.name == name)
      return &f;
  return nullptr;
}

cli_result fail(std::string text) {
  return cli_result{cli_result::action::fail, std::move(text), {}};
}

std::string flag_error(std::string_view flag, const std::string& why) {
  return std::string{flag} + ": " + why;
}

// The values given on the command line, before anything is applied.
struct flag_values {
  bool help = false;
  bool version = false;
  std::optional<std::string> config_path;
  std::optional<std::string> check_path;
  std::optional<std::string> listen;
  std::optional<std::string> db;
  std::optional<std::string> log_level;
  std::optional<std::string> redis;
};

// Syntax only: which flags, which values. Returns an error line or nothing.
std::optional<std::string> scan(int argc, const char* const* argv, flag_values& out) {
  for (int i = 1; i < argc && argv != nullptr; ++i) {
    if (argv[i] == nullptr)
      break;
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--")
      return "unexpected argument " + in_quotes(arg) + " (see --help)";
    auto eq = arg.find('=');
    auto name = arg.substr(0, eq);
    auto spec = find_flag(name);
    if (spec == nullptr)
      return "unknown flag " + in_quotes(name) + " (see --help)";
    std::optional<std::string> value;
    if (eq != std::string_view::npos)
      value = std::string{arg.substr(eq + 1)};
    if (spec->arg == nullptr) {
      if (value)
        return flag_error(name, "takes no value");
      (name == "--help" ? out.help : out.version) = true;
      continue;
    }
    if (!value) {
      // A following flag is not a value: "--config --listen x" lacks FILE.
      if (i + 1 >= argc || argv[i + 1] == nullptr
          || std::string_view{argv[i + 1]}.substr(0, 2) == "--")
        return flag_error(name, std::string{"missing value "} + spec->arg);
      value = std::string{argv[++i]};
    }
    if (value->empty())
      return flag_error(name, std::string{"empty value; expected "} + spec->arg);
    if (name == "--config")
      out.config_path = std::move(value);
    else if (name == "--check-config")
      out.check_path = std::move(value);
    else if (name == "--listen")
      out.listen = std::move(value);
    else if (name == "--db")
      out.db = std::move(value);
    else if (name == "--redis")
      out.redis = std::move(value);
    else
      out.log_level = std::move(value);
  }
  return std::nullopt;
}

} // namespace

std::string help_text() {
  std::string text = "usage: herald [flags]\n\n"
                     "A real-time message push server. Flags override the config file.\n\n";
  for (auto& f : flags) {
    std::string left = "  " + std::string{f.name};
    if (f.arg != nullptr)
      left += std::string{" "} + f.arg;
    if (left.size() < 24)
      left.resize(24, ' ');
    else
      left += "  ";
    text += left + f.help + "\n";
  }
  return text;
}

std::string version_text() {
  return std::string{"herald "} + HERALD_VERSION + "\n";
}

cli_result parse_command_line(int argc, const char* const* argv, config& cfg) {
  flag_values given;
  if (auto why = scan(argc, argv, given))
    return fail(*why);
  if (given.help)
    return cli_result{cli_result::action::help, help_text(), {}};
  if (given.version)
    return cli_result{cli_result::action::version, version_text(), {}};

  // Which file a start would read is the one being checked; two names
  // for it would leave unclear which one was meant.
  if (given.check_path && given.config_path)
    return fail("--check-config: names the config file itself; drop --config");

  config result = cfg;
  std::string path;
  if (given.check_path) {
    path = *given.check_path;
  } else if (given.config_path) {
    path = *given.config_path;
  } else {
    std::error_code ec;
    if (std::filesystem::exists(default_config_path, ec))
      path = default_config_path;
  }
  if (!path.empty())
    if (auto e = load_config_file(path, result))
      return fail(e->what());

  if (given.listen)
    if (auto why = parse_listen(*given.listen, result.listen_address, result.port))
      return fail(flag_error("--listen", *why));
  if (given.db)
    result.db_path = *given.db;
  if (given.log_level) {
    if (!is_log_level(*given.log_level))
      return fail(flag_error("--log-level", std::string{"expected one of "} + log_levels_text
                                              + ", got " + in_quotes(*given.log_level)));
    result.log_level = *given.log_level;
  }
  if (given.redis)
    if (auto why = parse_redis_setting(*given.redis, result.redis))
      return fail(flag_error("--redis", *why));
  cfg = std::move(result);
  if (given.check_path)
    return cli_result{cli_result::action::check, describe_config(cfg) + "\n", std::move(path)};
  return cli_result{cli_result::action::run, {}, std::move(path)};
}

cli_result parse_command_line(const std::vector<std::string>& args, config& cfg) {
  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& a : args)
    argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return parse_command_line(static_cast<int>(args.size()), argv.data(), cfg);
}

} // namespace herald

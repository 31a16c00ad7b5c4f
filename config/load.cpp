#include "config/load.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/toml_fields.hpp"
#include "config/values.hpp"

namespace herald {

using namespace std::chrono_literals;
using namespace toml_fields;

std::string config_error::what() const {
  return key.empty() ? "config error: " + message : "config error: " + key + ": " + message;
}

namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t mib = 1024 * kib;
constexpr std::size_t gib = 1024 * mib;

std::optional<std::string> check_subprotocol(const std::string& s) {
  // RFC 6455 4.1: each subprotocol is an HTTP token.
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  bool ok = !s.empty();
  for (char c : s)
    ok = ok
         && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
             || extra.find(c) != std::string_view::npos);
  if (!ok)
    return "a subprotocol must be a non-empty HTTP token (letters, digits, !#$%&'*+-.^_`|~), got "
           + in_quotes(s);
  return std::nullopt;
}

std::optional<std::string> check_origin(const std::string& s) {
  // Browsers send the serialized origin: lowercase scheme and host, an
  // optional port, no path. Anything else would never match, silently.
  auto why = "an origin looks like \"https://example.com\", \"http://localhost:8080\" or "
             "\"https://*.example.com\" (lowercase, no path, no trailing slash; \"*\" alone is "
             "not accepted), got "
             + in_quotes(s);
  std::string_view rest = s;
  if (rest.substr(0, 7) == "http://")
    rest.remove_prefix(7);
  else if (rest.substr(0, 8) == "https://")
    rest.remove_prefix(8);
  else
    return why;
  // A pattern: "*." then a domain with at least one dot ("*.com" would let
  // anyone with any .com domain in).
  if (rest.substr(0, 2) == "*.") {
    rest.remove_prefix(2);
    auto host = rest.substr(0, rest.find(':'));
    if (host.find('.') == std::string_view::npos || host.front() == '.' || host.back() == '.')
      return why;
  }
  if (rest.empty() || rest.front() == ':')
    return why;
  for (char c : rest)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':'
          || c == '[' || c == ']'))
      return why;
  return std::nullopt;
}

std::optional<std::string> one_of(const std::string& s, std::initializer_list<const char*> values,
                                  const char* shown) {
  for (auto v : values)
    if (s == v)
      return std::nullopt;
  return std::string{"expected one of "} + shown + ", got " + in_quotes(s);
}

std::optional<std::string> check_echo_path(const std::string& s) {
  if (s.empty())
    return std::nullopt;
  bool ok = s.size() > 1 && s.front() == '/';
  for (char c : s)
    ok = ok && c > 0x20 && c < 0x7F && c != '?' && c != '#' && c != '%';
  if (!ok)
    return "expected \"\" (off) or a path such as \"/socket/echo\" (no query, no escapes), got "
           + in_quotes(s);
  // The server's own endpoints keep their paths (net/routes.hpp): an echo
  // at /socket/system/message would take the tool channel from its
  // subscribers, and one under /api/ would give an API path two meanings.
  const bool api = s == "/api" || s.compare(0, 5, "/api/") == 0;
  if (api || s == "/healthz" || s == "/readyz" || s == "/metrics" || s == "/socket/system/message")
    return in_quotes(s) + " is already a path of the server; choose another, such as "
                          "\"/socket/echo\"";
  return std::nullopt;
}

// A node id or key prefix goes into Redis key names: printable, no spaces,
// nothing a log line or redis-cli would have to quote.
std::optional<std::string> check_key_part(const std::string& s, std::size_t max_length,
                                          bool may_be_empty, const char* example) {
  if (s.empty() && may_be_empty)
    return std::nullopt;
  bool ok = !s.empty() && s.size() <= max_length;
  for (char c : s)
    ok = ok
         && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
             || c == '_' || c == '-' || c == '.' || c == ':' || c == '[' || c == ']');
  if (!ok)
    return std::string{may_be_empty ? "expected \"\" or " : "expected "} + "1-"
           + std::to_string(max_length) + " characters of A-Z a-z 0-9 _ - . : [ ] (such as "
           + example + "), got " + in_quotes(s);
  return std::nullopt;
}

// What single keys cannot say: settings that only make sense together.
error check_combinations(const config& c) {
  if (c.tls_cert.empty() != c.tls_key.empty())
    return config_error{c.tls_cert.empty() ? "tls.cert" : "tls.key",
                        "tls.cert and tls.key go together: set both or neither"};
  if (!c.tls_ca.empty() && c.tls_cert.empty())
    return config_error{"tls.ca", "client certificates need TLS: set tls.cert and tls.key too"};
  if (!c.plain_listen_address.empty() && c.tls_cert.empty())
    return config_error{"tls.plain_listen", "only with TLS (tls.cert and tls.key): without TLS, "
                                            "server.listen is plain already"};
  if (c.require_connection_token && c.connection_token_secret.empty())
    return config_error{"auth.connection_token_secret",
                        "required when auth.require_connection_token = true"};
  return std::nullopt;
}

// [auth.tokens]: token = "username". The whole table replaces the previous
// one, so a config that lists its own tokens never inherits a demo token.
error apply_tokens(const toml::node& n, const std::string& key, config& cfg) {
  auto table = n.as_table();
  if (!table)
    return config_error{key, "expected a table of token = \"username\", got " + describe_node(n)};
  std::map<std::string, std::string> tokens;
  for (auto&& [k, v] : *table) {
    std::string token{k.str()};
    bool visible = !token.empty();
    for (char c : token)
      visible = visible && c > 0x20 && c < 0x7f;
    // The error must not echo a credential: show only where it is.
    auto where = key + " (line " + std::to_string(v.source().begin.line) + ")";
    if (!visible)
      return config_error{where, "a token must be non-empty visible ASCII without spaces "
                                 "(it travels in an Authorization header)"};
    auto user = v.as_string();
    if (!user || user->get().empty())
      return config_error{where, "expected the username as a non-empty string, got "
                                   + describe_node(v)};
    for (char c : user->get())
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return config_error{where, "a username must not contain control characters, got "
                                     + in_quotes(user->get())};
    tokens.emplace(std::move(token), user->get());
  }
  cfg.tokens = std::move(tokens);
  return std::nullopt;
}

error apply_root(const toml::table& root, config& c) {
  auto listen = [&c](const toml::node& n, const std::string& key) -> error {
    auto s = n.as_string();
    if (!s)
      return config_error{key, "expected a string \"ADDR:PORT\", got " + describe_node(n)};
    if (auto why = parse_listen(s->get(), c.listen_address, c.port))
      return config_error{key, *why};
    return std::nullopt;
  };
  auto auth_tokens = [&c](const toml::node& n, const std::string& key) {
    return apply_tokens(n, key, c);
  };
  std::vector<field> server{
    {"listen", listen},
    integer_field("io_threads", c.io_threads, 1, 64),
    integer_field("actor_threads", c.actor_threads, 1, 64),
    duration_field("shutdown_timeout", c.shutdown_timeout, 0ms, 10min),
  };
  std::vector<field> websocket{
    duration_field("handshake_timeout", c.handshake_timeout, 1ms, 10min),
    size_field("read_buffer_size", c.read_buffer_size, 1, 16 * mib),
    size_field("write_buffer_size", c.write_buffer_size, 1, 16 * mib),
    string_list_field("subprotocols", c.subprotocols, check_subprotocol),
    string_list_field("allowed_origins", c.allowed_origins, check_origin),
    {"compression",
     [](const toml::node& n, const std::string& key) -> error {
       auto b = n.as_boolean();
       if (!b)
         return config_error{key, "expected true or false, got " + describe_node(n)};
       // Each message is framed once and the same bytes go to every
       // subscriber; per-connection compression would undo that.
       if (b->get())
         return config_error{key, "permessage-deflate is not supported; set it to false"};
       return std::nullopt;
     }},
    size_field("max_message_size", c.max_message_size, 1, 64 * mib),
    size_field("write_queue_limit", c.write_queue_limit, 1, gib),
    duration_field("ping_interval", c.ping_interval, 0ms, 1h),
    duration_field("pong_timeout", c.pong_timeout, 1ms, 10min),
  };
  std::vector<field> limits{
    integer_field("max_connections", c.max_connections, 1, 10'000'000),
    integer_field("max_connections_per_ip", c.max_connections_per_ip, 0, 10'000'000),
    integer_field("publish_rate", c.publish_rate, 0, 10'000'000),
    integer_field("publish_burst", c.publish_burst, 1, 10'000'000),
    integer_field("max_channels", c.max_channels, 0, 1'000'000'000),
    size_field("max_header_size", c.max_header_size, kib, mib),
    duration_field("idle_timeout", c.idle_timeout, 1ms, 24h),
  };
  auto plain_listen = [&c](const toml::node& n, const std::string& key) -> error {
    auto s = n.as_string();
    if (!s)
      return config_error{key, "expected \"\" or a string \"ADDR:PORT\", got " + describe_node(n)};
    if (s->get().empty()) {
      c.plain_listen_address.clear();
      c.plain_port = 0;
      return std::nullopt;
    }
    std::string address;
    uint16_t port = 0;
    if (auto why = parse_listen(s->get(), address, port))
      return config_error{key, *why};
    // Plain text is for the machine itself (a local proxy, health checks).
    if (address.rfind("127.", 0) != 0 && address != "::1")
      return config_error{key, "a plain listener next to TLS must be on a loopback address "
                               "(127.0.0.0/8 or ::1), got "
                                 + in_quotes(s->get())};
    c.plain_listen_address = address;
    c.plain_port = port;
    return std::nullopt;
  };
  std::vector<field> tls{
    string_field("cert", c.tls_cert, nullptr),
    string_field("key", c.tls_key, nullptr),
    string_field("ca", c.tls_ca, nullptr),
    {"plain_listen", plain_listen},
  };
  std::vector<field> diagnostics{
    string_field("echo_path", c.echo_path, check_echo_path),
  };
  std::vector<field> storage{
    string_field("path", c.db_path,
                 [](const std::string& s) -> std::optional<std::string> {
                   if (s.empty())
                     return "expected a non-empty file path";
                   return std::nullopt;
                 }),
    integer_field("cache_per_channel", c.cache_per_channel, 1, 1'000'000),
    string_field("synchronous", c.synchronous,
                 [](const std::string& s) { return one_of(s, {"full", "normal"}, "full, normal"); }),
    duration_or_off_field("retention", c.retention, 1s, 24h * 3650),
    integer_field("max_messages_per_channel", c.max_messages_per_channel, 0, 1'000'000'000),
  };
  auto redis = [&c](const toml::node& n, const std::string& key) -> error {
    auto s = n.as_string();
    if (!s)
      return config_error{key, "expected \"\" or a string \"redis://host:port\", got "
                                 + describe_node(n)};
    if (auto why = parse_redis_setting(s->get(), c.redis))
      return config_error{key, *why};
    return std::nullopt;
  };
  std::vector<field> cluster{
    {"redis", redis},
    string_field("node_id", c.node_id,
                 [](const std::string& s) {
                   return check_key_part(s, 128, true, "\"web-1:9999\"");
                 }),
    string_field("key_prefix", c.key_prefix,
                 [](const std::string& s) {
                   return check_key_part(s, 64, false, "\"herald\" or \"chat-prod\"");
                 }),
    integer_field("log_length", c.log_length, 100, 1'000'000'000),
    duration_field("report_interval", c.report_interval, 10ms, 10min),
  };
  std::vector<field> auth{
    bool_field("require_connection_token", c.require_connection_token),
    string_field("connection_token_secret", c.connection_token_secret,
                 [](const std::string& s) -> std::optional<std::string> {
                   // HS256 is only as strong as its key: RFC 7518 3.2 asks for
                   // at least 256 bits.
                   if (!s.empty() && s.size() < 32)
                     return "expected \"\" or at least 32 characters (256 bits), got "
                            + std::to_string(s.size());
                   return std::nullopt;
                 }),
    {"tokens", auth_tokens},
  };
  auto check_policy = [](const std::string& s) {
    return one_of(s, {"disconnect", "drop_oldest", "drop_newest"},
                  "disconnect, drop_oldest, drop_newest");
  };
  auto policy_channels = [&c, check_policy](const toml::node& n, const std::string& key) -> error {
    auto table = n.as_table();
    if (!table)
      return config_error{key, "expected a table of \"channel pattern\" = \"policy\", got "
                                 + describe_node(n)};
    std::map<std::string, std::string> out;
    for (auto&& [k, v] : *table) {
      std::string pattern{k.str()};
      auto where = key + "." + in_quotes(pattern);
      auto star = pattern.find('*');
      if (pattern.empty() || (star != std::string::npos && star + 1 != pattern.size()))
        return config_error{where, "a pattern is a channel name or a prefix ending in '*'"};
      auto s = v.as_string();
      if (!s)
        return config_error{where, "expected a policy string, got " + describe_node(v)};
      if (auto why = check_policy(s->get()))
        return config_error{where, *why};
      out.emplace(std::move(pattern), s->get());
    }
    c.slow_consumer_channels = std::move(out);
    return std::nullopt;
  };
  std::vector<field> slow_consumer{
    string_field("policy", c.slow_consumer_policy, check_policy),
    {"channels", policy_channels},
  };
  std::vector<field> log{
    string_field("level", c.log_level,
                 [](const std::string& s) -> std::optional<std::string> {
                   if (is_log_level(s))
                     return std::nullopt;
                   return std::string{"expected one of "} + log_levels_text + ", got " + in_quotes(s);
                 }),
    string_field("file", c.log_file, nullptr),
    string_field("format", c.log_format,
                 [](const std::string& s) { return one_of(s, {"text", "json"}, "text, json"); }),
    size_field("max_size", c.log_max_size, 1, gib),
    integer_field("max_files", c.log_max_files, 1, 1000),
  };
  struct section {
    std::string_view name;
    const std::vector<field>* fields;
  };
  const section sections[] = {{"server", &server},   {"websocket", &websocket},
                              {"limits", &limits},   {"slow_consumer", &slow_consumer},
                              {"storage", &storage}, {"cluster", &cluster},
                              {"tls", &tls},         {"auth", &auth},
                              {"diagnostics", &diagnostics}, {"log", &log}};
  std::vector<field> root_fields;
  for (auto& s : sections) {
    root_fields.push_back({s.name, [s](const toml::node& n, const std::string& key) -> error {
                             auto t = n.as_table();
                             if (!t)
                               return config_error{key, "expected a section [" + key + "], got "
                                                          + describe_node(n)};
                             return apply_table(*t, key, *s.fields);
                           }});
  }
  return apply_table(root, "", root_fields);
}

error load_text(std::string_view text, std::string source, config& out) {
  toml::table root;
  try {
    root = toml::parse(text, std::move(source));
  } catch (const toml::parse_error& e) {
    auto& where = e.source();
    std::string path = where.path ? *where.path : std::string{"config"};
    return config_error{"", path + ":" + std::to_string(where.begin.line) + ":"
                              + std::to_string(where.begin.column) + ": "
                              + std::string{e.description()}};
  }
  // Apply onto a copy so that a half-applied file never leaks out.
  config copy = out;
  if (auto e = apply_root(root, copy))
    return e;
  if (auto e = check_combinations(copy))
    return e;
  out = std::move(copy);
  return std::nullopt;
}

} // namespace

std::optional<config_error> load_config_file(const std::string& path, config& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return config_error{"", "cannot read config file " + in_quotes(path) + ": it is a directory"};
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return config_error{"", "cannot open config file " + in_quotes(path) + ": "
                              + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return config_error{"", "cannot read config file " + in_quotes(path)};
  return load_text(text.str(), path, out);
}

std::optional<config_error> load_config_string(std::string_view toml, config& out) {
  return load_text(toml, "config", out);
}

} // namespace herald

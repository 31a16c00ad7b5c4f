#include "config/reload.hpp"

#include <algorithm>
#include <map>

#include "config/describe.hpp"

namespace herald {

namespace {

// One setting of herald.toml: how to compare it, and, if it applies at once,
// how to take it over from the new config. Some settings are two members
// (listen: address and port).
struct setting {
  const char* name;
  bool (*same)(const config& a, const config& b);
  void (*take)(config& to, const config& from); // null: needs a restart
};

template <auto Member>
bool same(const config& a, const config& b) {
  return a.*Member == b.*Member;
}

template <auto Member>
void take(config& to, const config& from) {
  to.*Member = from.*Member;
}

template <auto Member>
constexpr setting applies_now(const char* name) {
  return {name, &same<Member>, &take<Member>};
}

template <auto Member>
constexpr setting needs_restart(const char* name) {
  return {name, &same<Member>, nullptr};
}

bool same_listen(const config& a, const config& b) {
  return a.listen_address == b.listen_address && a.port == b.port;
}

bool same_plain_listen(const config& a, const config& b) {
  return a.plain_listen_address == b.plain_listen_address && a.plain_port == b.plain_port;
}

// Compared in full, password included: describe_config masks it, so a
// changed password would not show there.
bool same_redis(const config& a, const config& b) {
  if (a.redis.has_value() != b.redis.has_value())
    return false;
  if (!a.redis)
    return true;
  const auto& x = *a.redis;
  const auto& y = *b.redis;
  return x.host == y.host && x.port == y.port && x.username == y.username
         && x.password == y.password && x.db == y.db;
}

// Every setting, in the order of herald.toml. What applies at once is read
// per request or per new connection (net/server_state.hpp's snapshot), by
// the storage actor (max_channels), or by the logger (level, format).
const setting settings[] = {
  {"server.listen", &same_listen, nullptr},
  needs_restart<&config::io_threads>("server.io_threads"),
  needs_restart<&config::actor_threads>("server.actor_threads"),
  applies_now<&config::shutdown_timeout>("server.shutdown_timeout"),
  applies_now<&config::handshake_timeout>("websocket.handshake_timeout"),
  applies_now<&config::read_buffer_size>("websocket.read_buffer_size"),
  applies_now<&config::write_buffer_size>("websocket.write_buffer_size"),
  applies_now<&config::subprotocols>("websocket.subprotocols"),
  applies_now<&config::allowed_origins>("websocket.allowed_origins"),
  // Always false (the loader refuses anything else): never changes.
  {"websocket.compression", [](const config&, const config&) { return true; }, nullptr},
  applies_now<&config::max_message_size>("websocket.max_message_size"),
  applies_now<&config::write_queue_limit>("websocket.write_queue_limit"),
  applies_now<&config::ping_interval>("websocket.ping_interval"),
  applies_now<&config::pong_timeout>("websocket.pong_timeout"),
  applies_now<&config::slow_consumer_policy>("slow_consumer.policy"),
  applies_now<&config::slow_consumer_channels>("slow_consumer.channels"),
  applies_now<&config::max_connections>("limits.max_connections"),
  applies_now<&config::max_connections_per_ip>("limits.max_connections_per_ip"),
  applies_now<&config::publish_rate>("limits.publish_rate"),
  applies_now<&config::publish_burst>("limits.publish_burst"),
  applies_now<&config::max_channels>("limits.max_channels"),
  applies_now<&config::max_header_size>("limits.max_header_size"),
  applies_now<&config::idle_timeout>("limits.idle_timeout"),
  needs_restart<&config::tls_cert>("tls.cert"),
  needs_restart<&config::tls_key>("tls.key"),
  needs_restart<&config::tls_ca>("tls.ca"),
  {"tls.plain_listen", &same_plain_listen, nullptr},
  needs_restart<&config::db_path>("storage.path"),
  needs_restart<&config::cache_per_channel>("storage.cache_per_channel"),
  needs_restart<&config::synchronous>("storage.synchronous"),
  needs_restart<&config::retention>("storage.retention"),
  needs_restart<&config::max_messages_per_channel>("storage.max_messages_per_channel"),
  {"cluster.redis", &same_redis, nullptr},
  needs_restart<&config::node_id>("cluster.node_id"),
  needs_restart<&config::key_prefix>("cluster.key_prefix"),
  needs_restart<&config::log_length>("cluster.log_length"),
  needs_restart<&config::report_interval>("cluster.report_interval"),
  applies_now<&config::require_connection_token>("auth.require_connection_token"),
  applies_now<&config::connection_token_secret>("auth.connection_token_secret"),
  applies_now<&config::tokens>("auth.tokens"),
  applies_now<&config::echo_path>("diagnostics.echo_path"),
  applies_now<&config::log_level>("log.level"),
  needs_restart<&config::log_file>("log.file"),
  applies_now<&config::log_format>("log.format"),
  needs_restart<&config::log_max_size>("log.max_size"),
  needs_restart<&config::log_max_files>("log.max_files"),
};

const setting* find_setting(std::string_view name) {
  for (const auto& s : settings)
    if (name == s.name)
      return &s;
  return nullptr;
}

// The describe_config lines of each setting, keyed by setting name.
std::map<std::string, std::string> described(const config& c) {
  std::map<std::string, std::string> out;
  auto text = describe_config(c);
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = std::min(text.find('\n', start), text.size());
    std::string_view line{text.data() + start, end - start};
    start = end + 1;
    auto eq = line.find(" = ");
    if (eq == std::string_view::npos)
      continue;
    auto& lines = out[setting_of(line.substr(0, eq))];
    lines.append(line.data(), line.size()).push_back('\n');
  }
  return out;
}

} // namespace

std::string setting_of(std::string_view described_key) {
  auto first = described_key.find('.');
  if (first == std::string_view::npos)
    return std::string{described_key};
  return std::string{described_key.substr(0, described_key.find('.', first + 1))};
}

setting_reload reload_kind(std::string_view name) {
  auto s = find_setting(name);
  if (!s)
    return setting_reload::unknown;
  return s->take ? setting_reload::now : setting_reload::after_restart;
}

reload_plan plan_reload(const config& running, const config& loaded) {
  reload_plan plan;
  plan.next = running;
  for (const auto& s : settings) {
    if (s.same(running, loaded))
      continue;
    if (s.take) {
      s.take(plan.next, loaded);
      plan.applied.emplace_back(s.name);
    } else {
      plan.restart.emplace_back(s.name);
    }
  }
  // A setting added to the config but not to the list above keeps its
  // running value (plan.next started as a copy): say so rather than let
  // its change pass unnoticed.
  auto before = described(running);
  auto after = described(loaded);
  for (const auto& [name, lines] : after) {
    auto old = before.find(name);
    if (!find_setting(name) && (old == before.end() || old->second != lines))
      plan.restart.push_back(name);
  }
  return plan;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

} // namespace herald

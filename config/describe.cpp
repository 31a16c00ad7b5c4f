#include "config/describe.hpp"

#include "config/values.hpp"

namespace herald {

namespace {

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : ", ") + in_quotes(items[i]);
  return out + "]";
}

// Length in bytes of the UTF-8 sequence that starts with `lead`, so masking
// never cuts a character in half.
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xf0)
    return 4;
  if (lead >= 0xe0)
    return 3;
  if (lead >= 0xc0)
    return 2;
  return 1;
}

} // namespace

std::string mask_token(const std::string& token) {
  constexpr std::size_t min_shown_length = 8;
  std::size_t end = 0;
  if (token.size() >= min_shown_length)
    for (int chars = 0; chars < 2 && end < token.size(); ++chars)
      end += utf8_length(static_cast<unsigned char>(token[end]));
  if (end > token.size())
    end = token.size();
  return token.substr(0, end) + "\xe2\x80\xa6"; // U+2026 HORIZONTAL ELLIPSIS
}

std::string describe_config(const config& c) {
  std::string out;
  auto line = [&out](const char* key, const std::string& value) {
    if (!out.empty())
      out += '\n';
    out += key;
    out += " = ";
    out += value;
  };
  auto num = [](auto n) { return std::to_string(n); };
  line("server.listen", in_quotes(format_listen(c.listen_address, c.port)));
  line("server.io_threads", num(c.io_threads));
  line("server.actor_threads", num(c.actor_threads));
  line("server.shutdown_timeout", in_quotes(format_duration(c.shutdown_timeout)));
  line("websocket.handshake_timeout", in_quotes(format_duration(c.handshake_timeout)));
  line("websocket.read_buffer_size", in_quotes(format_size(c.read_buffer_size)));
  line("websocket.write_buffer_size", in_quotes(format_size(c.write_buffer_size)));
  line("websocket.subprotocols", list(c.subprotocols));
  line("websocket.allowed_origins", c.allowed_origins.empty()
                                      ? "[] (only the server's own host)"
                                      : list(c.allowed_origins));
  line("websocket.compression", "false");
  line("websocket.max_message_size", in_quotes(format_size(c.max_message_size)));
  line("websocket.write_queue_limit", in_quotes(format_size(c.write_queue_limit)));
  line("websocket.ping_interval", in_quotes(format_duration(c.ping_interval)));
  line("websocket.pong_timeout", in_quotes(format_duration(c.pong_timeout)));
  line("slow_consumer.policy", in_quotes(c.slow_consumer_policy));
  for (auto& [pattern, policy] : c.slow_consumer_channels) {
    auto key = "slow_consumer.channels." + in_quotes(pattern);
    line(key.c_str(), in_quotes(policy));
  }
  line("limits.max_connections", num(c.max_connections));
  line("limits.max_connections_per_ip", num(c.max_connections_per_ip));
  line("limits.publish_rate", num(c.publish_rate));
  line("limits.publish_burst", num(c.publish_burst));
  line("limits.max_channels", num(c.max_channels));
  line("limits.max_header_size", in_quotes(format_size(c.max_header_size)));
  line("limits.idle_timeout", in_quotes(format_duration(c.idle_timeout)));
  line("tls.cert", in_quotes(c.tls_cert));
  line("tls.key", in_quotes(c.tls_key));
  line("tls.ca", in_quotes(c.tls_ca));
  line("tls.plain_listen", c.plain_listen_address.empty()
                             ? "\"\""
                             : in_quotes(format_listen(c.plain_listen_address, c.plain_port)));
  line("storage.path", in_quotes(c.db_path));
  line("storage.cache_per_channel", num(c.cache_per_channel));
  line("storage.synchronous", in_quotes(c.synchronous));
  line("storage.retention", c.retention.count() == 0
                              ? "\"0\" (keep forever)"
                              : in_quotes(format_duration(c.retention)));
  line("storage.max_messages_per_channel", c.max_messages_per_channel == 0
                                             ? "0 (no limit)"
                                             : num(c.max_messages_per_channel));
  // The password never reaches the log: to_display_string masks it.
  line("cluster.redis", c.redis ? in_quotes(to_display_string(*c.redis))
                                : "\"\" (single node, SQLite)");
  line("cluster.node_id", c.node_id.empty() ? "\"\" (listen host:port)" : in_quotes(c.node_id));
  line("cluster.key_prefix", in_quotes(c.key_prefix));
  line("cluster.log_length", num(c.log_length));
  line("cluster.report_interval", in_quotes(format_duration(c.report_interval)));
  line("auth.require_connection_token", c.require_connection_token ? "true" : "false");
  line("auth.connection_token_secret", c.connection_token_secret.empty()
                                         ? "\"\""
                                         : in_quotes(mask_token(c.connection_token_secret)));
  if (c.tokens.empty())
    line("auth.tokens", "{} (no tokens configured)");
  for (auto& [token, user] : c.tokens) {
    auto key = "auth.tokens." + in_quotes(mask_token(token));
    line(key.c_str(), in_quotes(user));
  }
  line("diagnostics.echo_path", c.echo_path.empty() ? "\"\" (off)" : in_quotes(c.echo_path));
  line("log.level", in_quotes(c.log_level));
  line("log.file", c.log_file.empty() ? "\"\" (console)" : in_quotes(c.log_file));
  line("log.format", in_quotes(c.log_format));
  line("log.max_size", in_quotes(format_size(c.log_max_size)));
  line("log.max_files", num(c.log_max_files));
  return out;
}

} // namespace herald

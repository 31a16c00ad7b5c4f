#pragma once

// herald's effective configuration: config/herald.toml, then command-line
// flags on top. A plain struct, so every component takes only what it needs.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster/redis_url.hpp"

namespace herald {

struct config {
  // [server]
  std::string listen_address = "127.0.0.1";
  uint16_t port = 9999;
  unsigned io_threads = 1;
  unsigned actor_threads = 1;
  std::chrono::milliseconds shutdown_timeout{5000};

  // [websocket]
  std::chrono::milliseconds handshake_timeout{10000};
  std::size_t read_buffer_size = 64 * 1024;  // per I/O thread, shared by its connections
  std::size_t write_buffer_size = 64 * 1024; // most bytes handed to one gather write
  std::vector<std::string> subprotocols;
  std::vector<std::string> allowed_origins; // empty: only the server's own host
  std::size_t max_message_size = 64 * 1024;  // WebSocket frames in and publish bodies
  std::size_t write_queue_limit = 4 * 1024 * 1024; // bytes queued per connection
  std::chrono::milliseconds ping_interval{30000}; // 0: the server never pings
  std::chrono::milliseconds pong_timeout{10000};

  // [slow_consumer]: what happens when a subscriber's queue is full.
  // "disconnect" (1008 with the id to resume from), "drop_oldest" or
  // "drop_newest" (a {"type":"lagged"} frame tells the client the gap).
  std::string slow_consumer_policy = "disconnect";
  // Channel pattern -> policy; a pattern is a channel name, or a prefix
  // ending in '*' ("metrics/*"). The longest matching pattern wins.
  std::map<std::string, std::string> slow_consumer_channels;

  // [limits]
  std::size_t max_connections = 50000;       // HTTP and WebSocket, all clients
  std::size_t max_connections_per_ip = 1000; // 0: no per-address limit
  std::size_t publish_rate = 0;              // publishes per second per token; 0: no limit
  std::size_t publish_burst = 100;           // token bucket size when publish_rate > 0
  std::size_t max_channels = 100000;         // distinct channels stored; 0: no limit
  std::size_t max_header_size = 16 * 1024;   // request line + headers; past it, 431
  std::chrono::milliseconds idle_timeout{60000}; // keep-alive HTTP connection with no request

  // [tls]: https:// and wss:// on `listen` when cert and key are set.
  std::string tls_cert; // PEM certificate chain
  std::string tls_key;  // PEM private key
  std::string tls_ca;   // PEM CA bundle; set: clients must present a certificate it signed
  // A second, plain listener ("127.0.0.1:9080") for loopback-only use next
  // to TLS; empty: none. Only loopback addresses are accepted.
  std::string plain_listen_address;
  uint16_t plain_port = 0;

  // [storage]
  std::string db_path = "herald.db";
  std::size_t cache_per_channel = 1000;
  std::string synchronous = "full"; // SQLite PRAGMA synchronous: "full" or "normal"
  // Retention (SQLite only; cluster mode keeps everything): messages older
  // than this are removed, 0 keeps them forever; and at most this many per
  // channel are kept, the oldest removed first, 0 for no limit.
  std::chrono::milliseconds retention{0};
  std::size_t max_messages_per_channel = 0;

  // [cluster]: several nodes sharing one Redis act as one service.
  // Unset redis: a single node on SQLite. Set: cluster mode; Redis holds
  // the messages and carries them to every node, and SQLite is not opened.
  std::optional<redis_url> redis;
  std::string node_id; // empty: "<listen host>:<port>" (see cluster/node_id.hpp)
  std::string key_prefix = "herald";          // every Redis key starts with "<prefix>:"
  std::size_t log_length = 1000000;           // entries the shared log is trimmed to
  std::chrono::milliseconds report_interval{1000}; // subscriber counts to Redis; TTL 3x

  // [auth]
  std::map<std::string, std::string> tokens; // token -> username
  // WebSocket upgrades must carry a JWT (HS256) signed with this secret.
  bool require_connection_token = false;
  std::string connection_token_secret;

  // [diagnostics]
  std::string echo_path; // a WebSocket path that reflects each message; empty: off

  // [log]
  std::string log_level = "info";
  std::string log_file; // empty: console
  std::string log_format = "text"; // "text" or "json" (one object per line)
  std::size_t log_max_size = 10 * 1024 * 1024;
  std::size_t log_max_files = 5;
};

} // namespace herald

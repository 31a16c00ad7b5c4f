#pragma once

// One synchronous connection to Redis (hiredis' blocking API): connects
// lazily, authenticates and selects the database, and drops itself after any
// I/O error so that the next call connects again. Every argument is sent
// binary-safe. Errors come back as errc::storage_failure with a text such as
// "redis 127.0.0.1:6379: Connection refused".
//
// Not thread-safe: one owner, like the redis_store that holds it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "cluster/redis_url.hpp"

struct redisContext;
struct redisReply;

namespace herald {

struct redis_reply_deleter {
  void operator()(redisReply* r) const;
};
/// A reply owned by the caller. Error replies ("-ERR ...") are replies too:
/// the connection is fine after them and the caller decides what they mean.
using redis_reply = std::unique_ptr<redisReply, redis_reply_deleter>;

/// The words of one command; views into strings the caller keeps alive.
using redis_args = std::vector<std::string_view>;

class redis_connection {
public:
  redis_connection(redis_url url, std::chrono::milliseconds timeout);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  /// Sends one command and waits for its reply, connecting first when
  /// needed. `extra_wait` lengthens the socket timeout for this call only,
  /// for commands that block on the server (XREAD BLOCK).
  caf::expected<redis_reply> command(const redis_args& args,
                                     std::chrono::milliseconds extra_wait = {});

  /// Sends all commands in one write and reads their replies, in order: one
  /// round trip. Fails as a whole on an I/O error.
  caf::expected<std::vector<redis_reply>> pipeline(const std::vector<redis_args>& commands);

  /// Counts successful connects: a value that changes whenever the server
  /// side of the connection may have lost per-connection state (loaded
  /// scripts after a restart, for one).
  uint64_t generation() const { return generation_; }

  bool connected() const { return ctx_ != nullptr; }

  /// Closes the connection; the next call connects again.
  void disconnect();

  /// storage_failure with "redis host:port: <reason>".
  caf::error failure(std::string_view reason) const;

  /// The text of an error reply as a failure (see above).
  caf::error failure(const redisReply& error_reply) const;

private:
  caf::error connect();
  caf::error ensure_connected();
  caf::error io_failure(std::string_view what);
  bool set_timeout(std::chrono::milliseconds timeout);

  redis_url url_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds current_timeout_; // timeout_, longer during a blocking command
  std::string where_; // "redis 127.0.0.1:6379"
  redisContext* ctx_ = nullptr;
  uint64_t generation_ = 0;
};

/// Helpers for reading replies.
bool is_error(const redisReply& r);
bool is_nil(const redisReply& r);
/// The bytes of a string, status or error reply; empty for other kinds.
std::string_view reply_text(const redisReply& r);

} // namespace herald

#pragma once

// A fresh redis-server per test, and what the cluster suites build on it.

#include <chrono>
#include <string>

#include <caf/test/unit_test.hpp>

#include "cluster/redis_connection.hpp"
#include "cluster/redis_store.hpp"
#include "support/redis_process.hpp"

namespace herald::test {

using namespace std::chrono_literals;

struct redis_fixture {
  test_support::redis_process redis;

  redis_fixture() {
    if (!redis.start())
      CAF_FAIL("redis-server did not start");
  }

  redis_url url() const {
    redis_url u;
    u.port = redis.port();
    return u;
  }

  redis_store_options options(std::string prefix = "herald") const {
    redis_store_options opts;
    opts.url = url();
    opts.key_prefix = std::move(prefix);
    opts.timeout = 1000ms;
    opts.log_length = 1000;
    return opts;
  }

  /// "redis 127.0.0.1:<port>: ", how every failure text begins.
  std::string where() const {
    return "redis 127.0.0.1:" + std::to_string(redis.port()) + ": ";
  }
};

/// A draft as ingest would make it.
inline draft make_draft(std::string channel, std::string text, std::string user = "alice",
                        int64_t time_ms = 1764094848123) {
  return draft{std::move(channel), std::move(user), std::move(text), time_ms};
}

/// The error's text, as the publisher or the log would see it.
inline std::string error_text(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

/// A string reply's bytes, "(nil)", or "(other)".
inline std::string text_of(const caf::expected<redis_reply>& r) {
  if (!r)
    return "(failed: " + error_text(r.error()) + ")";
  if (is_nil(**r))
    return "(nil)";
  auto t = reply_text(**r);
  return t.data() != nullptr ? std::string{t} : "(other)";
}

} // namespace herald::test

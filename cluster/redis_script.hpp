#pragma once

// A Lua script run by its SHA1 (EVALSHA), so the text travels once per
// connection rather than with every call.

#include <cstdint>
#include <string>

#include <caf/expected.hpp>

#include "cluster/redis_connection.hpp"

namespace herald {

class redis_script {
public:
  explicit redis_script(const char* source) : source_(source) {
    // nop
  }

  /// EVALSHA with `keys` and `args`. Loads the script (SCRIPT LOAD) first on
  /// every new connection, and again when the server answers NOSCRIPT (it
  /// restarted, or someone ran SCRIPT FLUSH): NOSCRIPT means the script did
  /// not run, so running it again cannot apply it twice.
  caf::expected<redis_reply> run(redis_connection& conn, const redis_args& keys,
                                 const redis_args& args);

private:
  caf::error load(redis_connection& conn);
  caf::expected<redis_reply> evalsha(redis_connection& conn, const redis_args& keys,
                                     const redis_args& args);

  const char* source_;
  std::string sha_;
  uint64_t loaded_on_ = 0; // the connection generation that loaded it
};

} // namespace herald

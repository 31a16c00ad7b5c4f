#include "cluster/redis_script.hpp"

namespace herald {

caf::error redis_script::load(redis_connection& conn) {
  auto r = conn.command({"SCRIPT", "LOAD", source_});
  if (!r)
    return std::move(r.error());
  if (is_error(**r) || reply_text(**r).empty())
    return conn.failure("SCRIPT LOAD failed: " + std::string{reply_text(**r)});
  sha_ = std::string{reply_text(**r)};
  loaded_on_ = conn.generation();
  return {};
}

caf::expected<redis_reply> redis_script::evalsha(redis_connection& conn, const redis_args& keys,
                                                 const redis_args& args) {
  auto numkeys = std::to_string(keys.size());
  redis_args cmd;
  cmd.reserve(3 + keys.size() + args.size());
  cmd.emplace_back("EVALSHA");
  cmd.emplace_back(sha_);
  cmd.emplace_back(numkeys);
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  return conn.command(cmd);
}

caf::expected<redis_reply> redis_script::run(redis_connection& conn, const redis_args& keys,
                                             const redis_args& args) {
  if (sha_.empty() || !conn.connected() || loaded_on_ != conn.generation())
    if (auto err = load(conn))
      return err;
  auto r = evalsha(conn, keys, args);
  if (r && is_error(**r) && reply_text(**r).substr(0, 8) == "NOSCRIPT") {
    if (auto err = load(conn))
      return err;
    r = evalsha(conn, keys, args);
  }
  return r;
}

} // namespace herald

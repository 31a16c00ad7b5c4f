#include "cluster/redis_lua.hpp"

namespace herald::redis_lua {

// Ids are formatted with %d: Lua 5.1 numbers are doubles, and plain
// concatenation would write 1e+14 for large ones. The previous id comes from
// the channels hash, so the chain holds across batches and nodes. A channel
// created earlier in the same batch is in the hash already, so its later
// drafts are admitted, as in the SQLite store.
const char* const append = R"lua(
local next_key, log_key, channels_key, stored_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local max_channels = tonumber(ARGV[1])
local log_length = ARGV[2]
local channel_prefix = ARGV[3]
local out = {}
for i = 4, #ARGV, 4 do
  local channel, user, text, time = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local prev = redis.call('HGET', channels_key, channel)
  if not prev and max_channels > 0 and redis.call('HLEN', channels_key) >= max_channels then
    out[#out + 1] = 0
    out[#out + 1] = 0
  else
    prev = prev or '0'
    local id = string.format('%d', redis.call('INCR', next_key))
    local entry = '0-' .. id
    if log_length ~= '0' then
      redis.call('XADD', log_key, 'MAXLEN', '~', log_length, entry,
                 'c', channel, 'u', user, 'm', text, 't', time, 'p', prev)
    else
      redis.call('XADD', log_key, entry,
                 'c', channel, 'u', user, 'm', text, 't', time, 'p', prev)
    end
    redis.call('XADD', channel_prefix .. channel, entry, 'u', user, 'm', text, 't', time, 'p', prev)
    redis.call('HSET', channels_key, channel, id)
    redis.call('HINCRBY', stored_key, channel, 1)
    out[#out + 1] = tonumber(id)
    out[#out + 1] = tonumber(prev)
  end
end
return out
)lua";

// A node's report lives in a hash that expires with its TTL on the Redis
// server's clock, so a node that stopped reporting drops out without any
// comparison of clocks between nodes. A node whose hash is gone is removed
// from the node set here, in the same atomic step, so that a report arriving
// meanwhile cannot be lost.
const char* const channels = R"lua(
local channels_key, stored_key, nodes_key = KEYS[1], KEYS[2], KEYS[3]
local subs_prefix = ARGV[1]
local subscribers = {}
for _, node in ipairs(redis.call('ZRANGE', nodes_key, 0, -1)) do
  local counts = redis.call('HGETALL', subs_prefix .. node)
  if #counts == 0 then
    redis.call('ZREM', nodes_key, node)
  else
    for i = 1, #counts, 2 do
      subscribers[counts[i]] = (subscribers[counts[i]] or 0) + (tonumber(counts[i + 1]) or 0)
    end
  end
end
local stored = {}
local flat = redis.call('HGETALL', stored_key)
for i = 1, #flat, 2 do
  stored[flat[i]] = flat[i + 1]
end
local out = {}
flat = redis.call('HGETALL', channels_key)
for i = 1, #flat, 2 do
  local name = flat[i]
  out[#out + 1] = name
  out[#out + 1] = stored[name] or '0'
  out[#out + 1] = flat[i + 1]
  out[#out + 1] = string.format('%d', subscribers[name] or 0)
end
return out
)lua";

} // namespace herald::redis_lua

#include "cluster/redis_store.hpp"

#include <algorithm>
#include <limits>

#include <hiredis/hiredis.h>

#include "cluster/redis_connection.hpp"
#include "cluster/redis_lua.hpp"
#include "cluster/redis_script.hpp"
#include "cluster/redis_stream.hpp"
#include "storage/frame_json.hpp"

namespace herald {

namespace {

// The same words as the SQLite store's, so a publisher sees one message
// whichever store the server runs with.
caf::error channel_limit_error(std::size_t max_channels) {
  return caf::make_error(errc::channel_limit, "channel limit reached (max_channels = "
                                                + std::to_string(max_channels)
                                                + "): publish to an existing channel");
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool is_array(const redisReply& r) {
  return r.type == REDIS_REPLY_ARRAY;
}

// An integer reply, or a string reply holding one (Lua may give either).
std::optional<uint64_t> as_u64(const redisReply& r) {
  if (r.type == REDIS_REPLY_INTEGER)
    return r.integer >= 0 ? std::optional<uint64_t>{static_cast<uint64_t>(r.integer)}
                          : std::nullopt;
  if (r.type == REDIS_REPLY_STRING)
    return parse_u64(reply_text(r));
  return std::nullopt;
}

} // namespace

struct redis_store::impl {
  redis_store_options opts;
  redis_connection conn;
  redis_script append_script{redis_lua::append};
  redis_script channels_script{redis_lua::channels};
  // Keys, built once.
  std::string next_id_key;
  std::string log_key;
  std::string channels_key;
  std::string stored_key;
  std::string nodes_key;
  std::string channel_prefix; // + channel: its stream
  std::string subs_prefix;    // + node id: its subscriber counts

  explicit impl(redis_store_options o)
    : opts(std::move(o)),
      conn(opts.url, opts.timeout),
      next_id_key(opts.key_prefix + ":next_id"),
      log_key(opts.key_prefix + ":log"),
      channels_key(opts.key_prefix + ":channels"),
      stored_key(opts.key_prefix + ":stored"),
      nodes_key(opts.key_prefix + ":nodes"),
      channel_prefix(opts.key_prefix + ":ch:"),
      subs_prefix(opts.key_prefix + ":subs:") {
    // nop
  }

  caf::error malformed(std::string_view what) const {
    return conn.failure("unexpected reply to " + std::string{what});
  }

  // Whether ids after `after` were assigned but are no longer in the log.
  // Ids enter the log consecutively, so that is so when its first entry lies
  // past after + 1, or when it is empty while ids past `after` were given
  // out. One transaction, so that an append cannot fall between the two
  // reads and look like a gap.
  caf::expected<bool> log_trimmed_past(uint64_t after) {
    auto r = conn.pipeline(
      {{"MULTI"}, {"XRANGE", log_key, "-", "+", "COUNT", "1"}, {"GET", next_id_key}, {"EXEC"}});
    if (!r)
      return std::move(r.error());
    for (const auto& reply : *r)
      if (is_error(*reply))
        return conn.failure(*reply);
    const auto& exec = *r->back();
    if (!is_array(exec) || exec.elements != 2)
      return malformed("EXEC");
    const auto& range = *exec.element[0];
    if (!is_array(range))
      return malformed("XRANGE " + log_key);
    if (range.elements > 0) {
      const auto& entry = *range.element[0];
      auto first = is_array(entry) && entry.elements == 2
                     ? parse_stream_id(reply_text(*entry.element[0]))
                     : std::nullopt;
      if (!first)
        return malformed("XRANGE " + log_key);
      return *first > after + 1;
    }
    auto next = is_nil(*exec.element[1]) ? std::optional<uint64_t>{0} : as_u64(*exec.element[1]);
    if (!next)
      return malformed("GET " + next_id_key);
    return *next > after;
  }
};

redis_store::redis_store(redis_store_options opts)
  : impl_(std::make_unique<impl>(std::move(opts))) {
  // nop: connects on first use
}

redis_store::~redis_store() = default;

append_results redis_store::append(const draft_list& drafts, std::size_t max_channels) {
  append_results results;
  if (drafts.empty())
    return results;
  auto& d = *impl_;
  auto all_failed = [&](const caf::error& err) {
    results.assign(drafts.size(), append_result{err});
    return std::move(results);
  };
  auto max_text = std::to_string(max_channels);
  auto length_text = std::to_string(d.opts.log_length);
  // Reserved up front: the arguments are views into these strings.
  std::vector<std::string> times;
  times.reserve(drafts.size());
  redis_args args{max_text, length_text, d.channel_prefix};
  args.reserve(3 + 4 * drafts.size());
  for (const auto& dr : drafts) {
    times.push_back(std::to_string(dr.time_ms));
    args.insert(args.end(), {dr.channel, dr.username, dr.text, times.back()});
  }
  auto r = d.append_script.run(d.conn, {d.next_id_key, d.log_key, d.channels_key, d.stored_key},
                               args);
  if (!r)
    return all_failed(r.error());
  const auto& reply = **r;
  if (is_error(reply))
    return all_failed(d.conn.failure(reply));
  if (!is_array(reply) || reply.elements != 2 * drafts.size())
    return all_failed(d.malformed("the append script"));
  results.reserve(drafts.size());
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    auto id = as_u64(*reply.element[2 * i]);
    auto prev = as_u64(*reply.element[2 * i + 1]);
    if (!id || !prev)
      return all_failed(d.malformed("the append script"));
    if (*id == 0) {
      results.emplace_back(channel_limit_error(max_channels));
      continue;
    }
    const auto& dr = drafts[i];
    auto f = std::make_shared<frame_data>();
    f->id = *id;
    f->prev_id = *prev;
    f->channel = dr.channel;
    f->json = render_frame(*id, dr.channel, dr.username, dr.text, dr.time_ms);
    results.emplace_back(frame{std::move(f)});
  }
  return results;
}

caf::expected<frame_list> redis_store::history(const std::string& channel, uint64_t since,
                                               uint32_t limit) {
  // No id follows the largest one, and Redis refuses an exclusive start there.
  if (limit == 0 || since == std::numeric_limits<uint64_t>::max())
    return frame_list{};
  auto& d = *impl_;
  auto key = d.channel_prefix + channel;
  auto start = "(" + stream_id(since);
  auto count = std::to_string(limit);
  auto r = d.conn.command({"XRANGE", key, start, "+", "COUNT", count});
  if (!r)
    return std::move(r.error());
  if (is_error(**r))
    return d.conn.failure(**r);
  frame_list frames;
  std::string why;
  if (!decode_entries(**r, &channel, frames, why))
    return d.conn.failure(why);
  return frames;
}

caf::expected<channel_infos> redis_store::channels() {
  auto& d = *impl_;
  auto r = d.channels_script.run(d.conn, {d.channels_key, d.stored_key, d.nodes_key},
                                 {d.subs_prefix});
  if (!r)
    return std::move(r.error());
  const auto& reply = **r;
  if (is_error(reply))
    return d.conn.failure(reply);
  if (!is_array(reply) || reply.elements % 4 != 0)
    return d.malformed("the channels script");
  channel_infos infos;
  infos.reserve(reply.elements / 4);
  for (std::size_t i = 0; i < reply.elements; i += 4) {
    auto stored = as_u64(*reply.element[i + 1]);
    auto last = as_u64(*reply.element[i + 2]);
    auto subs = as_u64(*reply.element[i + 3]);
    if (reply.element[i]->type != REDIS_REPLY_STRING || !stored || !last || !subs)
      return d.malformed("the channels script");
    channel_info info;
    info.name = std::string{reply_text(*reply.element[i])};
    info.stored = *stored;
    info.last_id = *last;
    info.subscribers = *subs;
    infos.push_back(std::move(info));
  }
  // By name, like the SQLite store: a hash has no order of its own.
  std::sort(infos.begin(), infos.end(),
            [](const channel_info& a, const channel_info& b) { return a.name < b.name; });
  return infos;
}

caf::expected<void> redis_store::report_subscribers(const std::string& node_id,
                                                    const subscriber_counts& counts,
                                                    std::chrono::milliseconds ttl) {
  auto& d = *impl_;
  auto key = d.subs_prefix + node_id;
  // PEXPIRE 0 would delete the report at once.
  auto ttl_text = std::to_string(std::max<int64_t>(ttl.count(), 1));
  auto now = std::to_string(now_ms());
  std::vector<std::string> numbers; // reserved: hset holds views into it
  numbers.reserve(counts.size());
  redis_args hset{"HSET", key};
  for (const auto& [channel, n] : counts) {
    numbers.push_back(std::to_string(n));
    hset.insert(hset.end(), {channel, numbers.back()});
  }
  // One transaction: readers see the old report or the new one, never the
  // moment in between where the hash is deleted.
  std::vector<redis_args> cmds{{"MULTI"}, {"DEL", key}};
  if (!counts.empty())
    cmds.push_back(std::move(hset));
  cmds.push_back({"PEXPIRE", key, ttl_text});
  cmds.push_back({"ZADD", d.nodes_key, now, node_id});
  cmds.push_back({"EXEC"});
  auto r = d.conn.pipeline(cmds);
  if (!r)
    return std::move(r.error());
  for (const auto& reply : *r)
    if (is_error(*reply))
      return d.conn.failure(*reply);
  const auto& exec = *r->back();
  if (!is_array(exec) || exec.elements != cmds.size() - 2)
    return d.malformed("EXEC");
  for (std::size_t i = 0; i < exec.elements; ++i)
    if (is_error(*exec.element[i]))
      return d.conn.failure(*exec.element[i]);
  return caf::unit;
}

caf::expected<void> redis_store::ping() {
  auto& d = *impl_;
  auto r = d.conn.command({"PING"});
  if (!r)
    return std::move(r.error());
  // A server that is loading its data answers -LOADING: not ready either.
  if (is_error(**r))
    return d.conn.failure(**r);
  return caf::unit;
}

caf::expected<uint64_t> redis_store::last_id() {
  auto& d = *impl_;
  auto r = d.conn.command({"GET", d.next_id_key});
  if (!r)
    return std::move(r.error());
  if (is_error(**r))
    return d.conn.failure(**r);
  if (is_nil(**r))
    return uint64_t{0};
  auto id = as_u64(**r);
  if (!id)
    return d.malformed("GET " + d.next_id_key);
  return *id;
}

caf::expected<log_batch> redis_store::read_log(uint64_t after, std::chrono::milliseconds block,
                                               std::size_t max_count) {
  log_batch batch;
  if (max_count == 0)
    return batch;
  auto& d = *impl_;
  auto count = std::to_string(max_count);
  auto block_text = std::to_string(block.count());
  auto start = stream_id(after);
  // BLOCK 0 would wait forever: no block time means no BLOCK at all.
  redis_args cmd{"XREAD"};
  if (block.count() > 0)
    cmd.insert(cmd.end(), {"BLOCK", block_text});
  cmd.insert(cmd.end(), {"COUNT", count, "STREAMS", d.log_key, start});
  auto r = d.conn.command(cmd, block.count() > 0 ? block : std::chrono::milliseconds{0});
  if (!r)
    return std::move(r.error());
  const auto& reply = **r;
  if (is_error(reply))
    return d.conn.failure(reply);
  if (is_nil(reply)) {
    // Nothing came within the block time; the log may still have lost
    // entries after `after` if it was trimmed to nothing.
    if (after > 0) {
      auto trimmed = d.log_trimmed_past(after);
      if (!trimmed)
        return std::move(trimmed.error());
      batch.gap = *trimmed;
    }
    return batch;
  }
  // [[key, entries]]: one stream asked for, one answered.
  if (!is_array(reply) || reply.elements != 1 || !is_array(*reply.element[0])
      || reply.element[0]->elements != 2)
    return d.malformed("XREAD");
  std::string why;
  if (!decode_entries(*reply.element[0]->element[1], nullptr, batch.frames, why))
    return d.conn.failure(why);
  // Every id the append script assigns enters the log in the same atomic
  // step, so the log's ids are consecutive: a first entry past after + 1
  // means what lay between was trimmed before this reader got to it. A
  // reader at 0 has no subscribers expecting continuity, so that is no gap
  // (here and above).
  if (after > 0 && !batch.frames.empty() && batch.frames.front()->id != after + 1)
    batch.gap = true;
  return batch;
}

caf::expected<std::pair<std::string, std::string>> redis_store::persistence() {
  auto& d = *impl_;
  auto r = d.conn.pipeline({{"CONFIG", "GET", "appendonly"}, {"CONFIG", "GET", "appendfsync"}});
  if (!r)
    return std::move(r.error());
  // CONFIG may be renamed or refused (managed Redis services): then the
  // settings are unknown, which is no failure.
  auto value = [](const redisReply& reply) -> std::string {
    if (is_array(reply) && reply.elements == 2 && reply.element[1]->type == REDIS_REPLY_STRING)
      return std::string{reply_text(*reply.element[1])};
    return {};
  };
  return std::make_pair(value(*(*r)[0]), value(*(*r)[1]));
}

} // namespace herald

// The queries of sqlite_db: appending a batch, history, the channel list.
// Opening and schema migration live in sqlite_db.cpp, retention in
// sqlite_retention.cpp.

#include <algorithm>
#include <utility>

#include "storage/frame_json.hpp"
#include "storage/sqlite_db.hpp"
#include "storage/sqlite_stmt.hpp"

namespace herald {

using namespace sqlite_detail;

db_result<std::vector<appended>> sqlite_db::append(const std::vector<draft>& batch) {
  db_result<std::vector<appended>> result;
  if (batch.empty()) {
    result.ok = true;
    return result;
  }
  auto step_once = [this, &result](sqlite3_stmt* s) {
    reset_guard guard{s};
    if (sqlite3_step(s) == SQLITE_DONE)
      return true;
    result.error = errmsg();
    return false;
  };
  if (!step_once(begin_.get()))
    return result;
  // Positions this transaction has reached (last id, messages added); they
  // become real at commit.
  std::unordered_map<std::string, std::pair<uint64_t, uint64_t>> reached;
  result.value.reserve(batch.size());
  for (const auto& d : batch) {
    uint64_t prev = 0;
    if (auto i = reached.find(d.channel); i != reached.end())
      prev = i->second.first;
    else if (auto j = positions_.find(d.channel); j != positions_.end())
      prev = j->second.last_id;
    auto ins = insert_message_.get();
    bind_text(ins, 1, d.channel);
    bind_text(ins, 2, d.username);
    bind_text(ins, 3, d.text);
    sqlite3_bind_int64(ins, 4, d.time_ms);
    if (!step_once(ins)) {
      rollback();
      result.value.clear();
      return result;
    }
    const auto id = static_cast<uint64_t>(sqlite3_last_insert_rowid(db_));
    auto up = upsert_channel_.get();
    bind_text(up, 1, d.channel);
    sqlite3_bind_int64(up, 2, static_cast<int64_t>(id));
    if (!step_once(up)) {
      rollback();
      result.value.clear();
      return result;
    }
    auto& r = reached[d.channel];
    r.first = id;
    r.second += 1;
    result.value.push_back(appended{id, prev});
  }
  if (!step_once(commit_.get())) {
    rollback();
    result.value.clear();
    return result;
  }
  for (auto& [channel, r] : reached) {
    auto& pos = positions_[channel];
    pos.last_id = r.first;
    pos.stored += r.second;
    last_id_ = std::max(last_id_, r.first);
    if (keep_ > 0 && pos.stored > keep_)
      over_keep_.insert(channel);
  }
  result.ok = true;
  return result;
}

db_result<frame_list> sqlite_db::history(std::string_view channel, uint64_t since,
                                         uint32_t limit) {
  db_result<frame_list> result;
  auto known = positions_.find(std::string{channel});
  if (limit == 0 || known == positions_.end() || known->second.last_id <= since) {
    result.ok = true; // nothing newer than `since` was ever committed there
    return result;
  }
  auto s = history_.get();
  reset_guard guard{s};
  bind_text(s, 1, channel);
  sqlite3_bind_int64(s, 2, to_sql_id(since));
  sqlite3_bind_int64(s, 3, static_cast<int64_t>(limit));
  uint64_t prev = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    auto f = std::make_shared<frame_data>();
    f->id = column_id(s, 0);
    if (result.value.empty()) {
      // Rows of one channel are consecutive, so only the first needs a lookup.
      auto p = history_prev_.get();
      reset_guard prev_guard{p};
      bind_text(p, 1, channel);
      sqlite3_bind_int64(p, 2, static_cast<int64_t>(f->id));
      if (sqlite3_step(p) != SQLITE_ROW) {
        result.error = errmsg();
        result.value.clear();
        return result;
      }
      // Retention removes a channel's oldest messages, so when none older
      // is left, the previous one is the last it removed.
      prev = std::max(column_id(p, 0), known->second.removed_through);
    }
    f->prev_id = prev;
    f->channel = std::string{channel};
    f->json = render_frame(f->id, channel, column_text(s, 1), column_text(s, 2),
                           sqlite3_column_int64(s, 3));
    prev = f->id;
    result.value.push_back(std::move(f));
  }
  return std::move(result).finish(rc == SQLITE_DONE, rc == SQLITE_DONE ? "" : errmsg());
}

db_result<channel_infos> sqlite_db::channels() {
  db_result<channel_infos> result;
  auto s = channels_.get();
  reset_guard guard{s};
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    channel_info info;
    info.name = column_text(s, 0);
    info.stored = column_id(s, 1);
    info.last_id = column_id(s, 2);
    result.value.push_back(std::move(info));
  }
  return std::move(result).finish(rc == SQLITE_DONE, rc == SQLITE_DONE ? "" : errmsg());
}

} // namespace herald

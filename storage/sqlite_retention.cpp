// Retention in sqlite_db: removing excess and expired messages in bounded
// transactions, with each channel's stored count and removed_through changed
// in the same transaction, so GET /api/channels and history are right as
// soon as it commits. Opening is in sqlite_db.cpp, the other queries in
// sqlite_queries.cpp.

#include <algorithm>
#include <unordered_map>

#include "storage/sqlite_db.hpp"
#include "storage/sqlite_stmt.hpp"

namespace herald {

using namespace sqlite_detail;

uint64_t sqlite_db::stored(const std::string& channel) const {
  auto i = positions_.find(channel);
  return i != positions_.end() ? i->second.stored : 0;
}

uint64_t sqlite_db::removed_through(const std::string& channel) const {
  auto i = positions_.find(channel);
  return i != positions_.end() ? i->second.removed_through : 0;
}

bool sqlite_db::step_done(sqlite3_stmt* s, std::string& error) {
  reset_guard guard{s};
  if (sqlite3_step(s) == SQLITE_DONE)
    return true;
  error = errmsg();
  return false;
}

bool sqlite_db::note_removals(const channel_removals& removals, std::string& error) {
  auto s = note_removal_.get();
  for (const auto& r : removals) {
    bind_text(s, 1, r.channel);
    sqlite3_bind_int64(s, 2, to_sql_id(r.count));
    sqlite3_bind_int64(s, 3, to_sql_id(r.through));
    if (!step_done(s, error))
      return false;
  }
  return true;
}

void sqlite_db::forget_removed(const channel_removals& removals) {
  for (const auto& r : removals) {
    auto i = positions_.find(r.channel);
    if (i == positions_.end())
      continue;
    auto& pos = i->second;
    pos.stored -= std::min(pos.stored, r.count);
    pos.removed_through = std::max(pos.removed_through, r.through);
    if (pos.stored <= keep_)
      over_keep_.erase(r.channel);
  }
}

db_result<channel_removals> sqlite_db::remove_excess(std::size_t keep, std::size_t max_rows) {
  db_result<channel_removals> result;
  if (keep != keep_) {
    // A new limit (or the first call): find the channels over it once;
    // from then on each append adds its channel when it goes over.
    keep_ = keep;
    over_keep_.clear();
    if (keep_ > 0)
      for (const auto& [name, pos] : positions_)
        if (pos.stored > keep_)
          over_keep_.insert(name);
  }
  if (keep_ == 0 || max_rows == 0 || over_keep_.empty()) {
    result.ok = true;
    return result;
  }
  auto fail = [this, &result] {
    rollback();
    result.value.clear();
    return std::move(result);
  };
  if (!step_done(begin_.get(), result.error))
    return result;
  uint64_t budget = max_rows;
  // Channels whose count says more than their rows hold (a database edited
  // by hand): nothing to remove, so stop looking at them.
  std::vector<std::string> miscounted;
  for (const auto& name : over_keep_) {
    if (budget == 0)
      break;
    auto excess = positions_[name].stored - keep_;
    auto n = std::min<uint64_t>(excess, budget);
    // The newest of the channel's n oldest: removing up to it removes n.
    uint64_t through = 0;
    {
      auto s = nth_of_channel_.get();
      reset_guard guard{s};
      bind_text(s, 1, name);
      sqlite3_bind_int64(s, 2, to_sql_id(n - 1));
      auto rc = sqlite3_step(s);
      if (rc == SQLITE_ROW)
        through = column_id(s, 0);
      else if (rc != SQLITE_DONE) {
        result.error = errmsg();
        return fail();
      }
    }
    if (through == 0) {
      miscounted.push_back(name);
      continue;
    }
    auto d = remove_channel_through_.get();
    bind_text(d, 1, name);
    sqlite3_bind_int64(d, 2, to_sql_id(through));
    if (!step_done(d, result.error))
      return fail();
    auto removed = static_cast<uint64_t>(sqlite3_changes(db_));
    result.value.push_back(channel_removal{name, through, removed});
    budget -= std::min(budget, removed);
  }
  if (!note_removals(result.value, result.error) || !step_done(commit_.get(), result.error))
    return fail();
  forget_removed(result.value);
  for (const auto& name : miscounted)
    over_keep_.erase(name);
  result.ok = true;
  return result;
}

db_result<channel_removals> sqlite_db::remove_older_than(int64_t cutoff_ms,
                                                         std::size_t max_rows) {
  db_result<channel_removals> result;
  if (max_rows == 0 || positions_.empty()) {
    result.ok = true;
    return result;
  }
  auto fail = [this, &result] {
    rollback();
    result.value.clear();
    return std::move(result);
  };
  // The rows are read inside the write transaction: what is removed below
  // is exactly what was counted here.
  if (!step_done(begin_.get(), result.error))
    return result;
  std::unordered_map<std::string, std::size_t> slot; // channel -> its entry in result.value
  uint64_t through = 0;
  {
    auto s = oldest_.get();
    reset_guard guard{s};
    sqlite3_bind_int64(s, 1, to_sql_id(max_rows));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      if (sqlite3_column_int64(s, 2) >= cutoff_ms) {
        rc = SQLITE_DONE;
        break;
      }
      through = column_id(s, 0);
      auto [i, fresh] = slot.emplace(column_text(s, 1), result.value.size());
      if (fresh)
        result.value.push_back(channel_removal{i->first, 0, 0});
      auto& r = result.value[i->second];
      r.through = through;
      r.count += 1;
    }
    if (rc != SQLITE_DONE) {
      result.error = errmsg();
      return fail();
    }
  }
  if (through > 0) {
    auto d = remove_through_.get();
    sqlite3_bind_int64(d, 1, to_sql_id(through));
    if (!step_done(d, result.error) || !note_removals(result.value, result.error))
      return fail();
  }
  // Nothing written when nothing expired: this commit costs no sync.
  if (!step_done(commit_.get(), result.error))
    return fail();
  forget_removed(result.value);
  result.ok = true;
  return result;
}

} // namespace herald

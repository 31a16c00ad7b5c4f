#pragma once

// herald's SQLite connection: opening and schema migration, and the few
// statements storage needs, each prepared once. Errors are return values
// carrying SQLite's own message; nothing here throws across the API.
//
// Not thread-safe: exactly one owner (the storage actor) uses it at a time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/messages.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace herald {

/// A value or the reason there is none.
template <class T>
struct db_result {
  bool ok = false;
  T value{};
  std::string error; // SQLite's message when !ok

  /// Ends a statement's row loop: `done` says whether stepping finished
  /// cleanly; otherwise nothing partial is returned, only the error.
  db_result&& finish(bool done, std::string message) && {
    ok = done;
    if (!done) {
      error = std::move(message);
      value = T{};
    }
    return std::move(*this);
  }
};

/// Where an appended draft landed.
struct appended {
  uint64_t id = 0;
  uint64_t prev_id = 0; // previous id of the same channel, 0 if none
};

/// What one retention transaction removed from one channel: its `count`
/// oldest messages, the newest of them `through`. Retention only ever removes
/// a channel's oldest messages, so every id of the channel up to `through`
/// is gone.
struct channel_removal {
  std::string channel;
  uint64_t through = 0;
  uint64_t count = 0;
};
using channel_removals = std::vector<channel_removal>;

class sqlite_db {
public:
  /// The schema version this build writes; see the migration list in the .cpp.
  static constexpr int schema_version = 2;

  /// Opens or creates the database at `path` (":memory:" works too), in WAL
  /// mode with PRAGMA synchronous = `synchronous` ("full" or "normal"), and
  /// migrates its schema. On failure returns null and sets `error` to one line
  /// such as "cannot open database /x/y.db: unable to open database file".
  static std::unique_ptr<sqlite_db> open(const std::string& path, const std::string& synchronous,
                                         std::string& error);

  ~sqlite_db();
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  /// Stores the whole batch in one transaction: all or nothing. On success the
  /// result holds one entry per draft, in order; on failure the transaction is
  /// rolled back and nothing (in the file or in memory) has changed.
  db_result<std::vector<appended>> append(const std::vector<draft>& batch);

  /// Frames of `channel` with id > since, ascending, at most `limit`. The
  /// first one's prev_id is the channel's previous id even when retention
  /// removed that message. `since` is behind everything kept when
  /// removed_through(channel) > since.
  db_result<frame_list> history(std::string_view channel, uint64_t since, uint32_t limit);

  /// Retention by count: removes the oldest messages of the channels that
  /// hold more than `keep`, at most `max_rows` in one transaction. The
  /// channels over `keep` are tracked from memory, not looked for.
  db_result<channel_removals> remove_excess(std::size_t keep, std::size_t max_rows);

  /// Retention by age: removes messages stamped before `cutoff_ms` (Unix ms),
  /// in id order, stopping at the first one that is not; at most `max_rows`,
  /// in one transaction. Going by id keeps what is removed of each channel
  /// its oldest part, whatever the clock did between two publishes.
  db_result<channel_removals> remove_older_than(int64_t cutoff_ms, std::size_t max_rows);

  /// Every channel with a committed message, by name; subscribers 0. One
  /// whose messages retention removed is there too, with stored 0.
  db_result<channel_infos> channels();

  /// The highest id committed so far (retention may have removed it), 0 for
  /// an empty database.
  uint64_t last_id() const { return last_id_; }

  /// Whether `channel` has a committed message (retention may have removed
  /// it since). Answered from memory: the channels are read once at open and
  /// grow with each commit.
  bool has_channel(const std::string& channel) const { return positions_.count(channel) != 0; }

  /// Channels with at least one committed message, from memory like has_channel.
  std::size_t channel_count() const { return positions_.size(); }

  /// Messages of `channel` stored now, from memory.
  uint64_t stored(const std::string& channel) const;

  /// The channel's highest id that retention removed (0: none), from memory.
  uint64_t removed_through(const std::string& channel) const;

  /// Readiness: commits one write that changes nothing (the header's
  /// application_id rewritten with its own value), so the file must take a
  /// page: fails, with SQLite's message, on a read-only or full file system
  /// (checked: BEGIN IMMEDIATE ... ROLLBACK writes nothing in WAL mode and
  /// would notice neither). One page and one sync; see sqlite_probe.cpp.
  bool probe_write(std::string& error);

  const std::string& path() const { return path_; }

private:
  struct stmt_deleter {
    void operator()(sqlite3_stmt* s) const;
  };
  using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_deleter>;

  explicit sqlite_db(sqlite3* db, std::string path);

  bool exec(const char* sql, std::string& error);
  bool migrate(std::string& error);
  bool prepare(stmt_ptr& out, const char* sql, std::string& error);
  bool prepare_all(std::string& error);
  bool load_positions(std::string& error);
  std::string errmsg() const;
  void rollback();
  bool step_done(sqlite3_stmt* s, std::string& error);
  bool note_removals(const channel_removals& removals, std::string& error);
  void forget_removed(const channel_removals& removals);

  sqlite3* db_ = nullptr;
  std::string path_;
  stmt_ptr begin_;
  stmt_ptr commit_;
  stmt_ptr rollback_;
  stmt_ptr insert_message_;
  stmt_ptr upsert_channel_;
  stmt_ptr history_;
  stmt_ptr history_prev_;
  stmt_ptr channels_;
  stmt_ptr oldest_;
  stmt_ptr remove_through_;
  stmt_ptr nth_of_channel_;
  stmt_ptr remove_channel_through_;
  stmt_ptr note_removal_;
  // What the channels table says of each channel, kept in memory: gives each
  // append its prev_id and history its first prev_id without a query.
  // Changed only after a successful commit.
  struct position {
    uint64_t last_id = 0;
    uint64_t stored = 0;
    uint64_t removed_through = 0;
  };
  std::unordered_map<std::string, position> positions_;
  uint64_t last_id_ = 0;
  // remove_excess: the `keep` it last ran with, and the channels holding
  // more than that (each append puts its channel in when it goes over).
  std::size_t keep_ = 0;
  std::unordered_set<std::string> over_keep_;
};

} // namespace herald

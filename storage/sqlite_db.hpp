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

class sqlite_db {
public:
  /// The schema version this build writes; see the migration list in the .cpp.
  static constexpr int schema_version = 1;

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

  /// Frames of `channel` with id > since, ascending, at most `limit`.
  db_result<frame_list> history(std::string_view channel, uint64_t since, uint32_t limit);

  /// Every channel with at least one stored message, by name; subscribers 0.
  db_result<channel_infos> channels();

  /// The highest id stored so far, 0 for an empty database.
  uint64_t last_id() const { return last_id_; }

  /// Whether `channel` has a committed message. Answered from memory: the
  /// channels are read once at open and grow with each commit.
  bool has_channel(const std::string& channel) const { return channel_last_.count(channel) != 0; }

  /// Channels with at least one committed message, from memory like has_channel.
  std::size_t channel_count() const { return channel_last_.size(); }

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
  // Last committed id per channel: gives each append its prev_id without a
  // query. Changed only after a successful commit.
  std::unordered_map<std::string, uint64_t> channel_last_;
  uint64_t last_id_ = 0;
};

} // namespace herald

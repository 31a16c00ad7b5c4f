#include "storage/sqlite_db.hpp"

#include "storage/sqlite_stmt.hpp"

namespace herald {

namespace {

// Step i takes the schema from user_version i to i + 1, in one transaction.
// Only ever append a step; a released step is never edited.
const char* const migrations[] = {
  // v1: the messages, and per channel its last id and count (so the channel
  // list and each append's prev_id need no scan of the messages).
  "CREATE TABLE messages("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  channel TEXT NOT NULL,"
  "  username TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  time_ms INTEGER NOT NULL);"
  "CREATE INDEX messages_channel_id ON messages(channel, id);"
  "CREATE TABLE channels("
  "  name TEXT PRIMARY KEY,"
  "  last_id INTEGER NOT NULL,"
  "  stored INTEGER NOT NULL);",
  // v2: retention. Per channel the highest id retention removed, so history
  // gives the first kept message its real prev_id and a reader resuming from
  // before it learns of the gap. Retention finds what to remove by id (the
  // table's own rowid order: the oldest first) and by (channel, id)
  // (messages_channel_id), so it needs no new index: a time index would cost
  // every publish one more write.
  "ALTER TABLE channels ADD COLUMN removed_through INTEGER NOT NULL DEFAULT 0;",
};
static_assert(sizeof(migrations) / sizeof(migrations[0]) == sqlite_db::schema_version,
              "one migration step per schema version");

// A competing writer (a backup, the sqlite3 shell) may hold the lock for a
// moment; waiting this long beats failing every publish in the meantime.
constexpr int busy_timeout_ms = 5000;

} // namespace

using namespace sqlite_detail;

void sqlite_db::stmt_deleter::operator()(sqlite3_stmt* s) const {
  sqlite3_finalize(s);
}

sqlite_db::sqlite_db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {
  // nop
}

sqlite_db::~sqlite_db() {
  // Statements first: sqlite3_close refuses while any is alive.
  begin_.reset();
  commit_.reset();
  rollback_.reset();
  insert_message_.reset();
  upsert_channel_.reset();
  history_.reset();
  history_prev_.reset();
  channels_.reset();
  oldest_.reset();
  remove_through_.reset();
  nth_of_channel_.reset();
  remove_channel_through_.reset();
  note_removal_.reset();
  sqlite3_close(db_);
}

std::unique_ptr<sqlite_db> sqlite_db::open(const std::string& path,
                                           const std::string& synchronous,
                                           std::string& error) {
  const std::string prefix = "cannot open database " + path + ": ";
  std::string sync_pragma;
  if (synchronous == "full")
    sync_pragma = "PRAGMA synchronous=FULL";
  else if (synchronous == "normal")
    sync_pragma = "PRAGMA synchronous=NORMAL";
  else {
    error = prefix + "synchronous must be \"full\" or \"normal\", not \"" + synchronous + "\"";
    return nullptr;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                           nullptr);
  if (rc != SQLITE_OK) {
    error = prefix + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close(raw);
    return nullptr;
  }
  std::unique_ptr<sqlite_db> db{new sqlite_db(raw, path)};
  // SQLite quietly falls back to read-only when it may not write the file.
  if (sqlite3_db_readonly(raw, "main") == 1) {
    error = prefix + "the file is read-only";
    return nullptr;
  }
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  std::string why;
  // WAL: readers never block the writer, and a commit is one append to the log.
  if (!db->exec("PRAGMA journal_mode=WAL", why) || !db->exec(sync_pragma.c_str(), why)
      || !db->migrate(why) || !db->prepare_all(why) || !db->load_positions(why)) {
    error = prefix + why;
    return nullptr;
  }
  return db;
}

std::string sqlite_db::errmsg() const {
  return sqlite3_errmsg(db_);
}

bool sqlite_db::exec(const char* sql, std::string& error) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) == SQLITE_OK)
    return true;
  error = msg != nullptr ? msg : errmsg();
  sqlite3_free(msg);
  return false;
}

bool sqlite_db::migrate(std::string& error) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
    error = errmsg();
    return false;
  }
  stmt_ptr stmt{raw};
  if (sqlite3_step(raw) != SQLITE_ROW) {
    error = errmsg();
    return false;
  }
  const int current = sqlite3_column_int(raw, 0);
  stmt.reset();
  if (current > schema_version) {
    error = "schema version " + std::to_string(current)
            + " is newer than this herald supports (" + std::to_string(schema_version)
            + "); use a newer herald";
    return false;
  }
  if (current < 0) {
    error = "invalid schema version " + std::to_string(current);
    return false;
  }
  for (int v = current; v < schema_version; ++v) {
    // PRAGMA takes no bound parameters; v is our own integer.
    auto set_version = "PRAGMA user_version=" + std::to_string(v + 1);
    if (!exec("BEGIN IMMEDIATE", error))
      return false;
    if (!exec(migrations[v], error) || !exec(set_version.c_str(), error)
        || !exec("COMMIT", error)) {
      error = "migration to schema version " + std::to_string(v + 1) + " failed: " + error;
      rollback();
      return false;
    }
  }
  return true;
}

bool sqlite_db::prepare(stmt_ptr& out, const char* sql, std::string& error) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    error = errmsg();
    return false;
  }
  out.reset(raw);
  return true;
}

bool sqlite_db::prepare_all(std::string& error) {
  return prepare(begin_, "BEGIN IMMEDIATE", error) && prepare(commit_, "COMMIT", error)
         && prepare(rollback_, "ROLLBACK", error)
         && prepare(insert_message_,
                    "INSERT INTO messages(channel, username, body, time_ms) VALUES(?1, ?2, ?3, ?4)",
                    error)
         && prepare(upsert_channel_,
                    "INSERT INTO channels(name, last_id, stored) VALUES(?1, ?2, 1) "
                    "ON CONFLICT(name) DO UPDATE SET last_id = excluded.last_id, "
                    "stored = stored + 1",
                    error)
         && prepare(history_,
                    "SELECT id, username, body, time_ms FROM messages "
                    "WHERE channel = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                    error)
         && prepare(history_prev_,
                    "SELECT COALESCE(MAX(id), 0) FROM messages WHERE channel = ?1 AND id < ?2",
                    error)
         && prepare(channels_, "SELECT name, stored, last_id FROM channels ORDER BY name", error)
         && prepare(oldest_, "SELECT id, channel, time_ms FROM messages ORDER BY id LIMIT ?1",
                    error)
         && prepare(remove_through_, "DELETE FROM messages WHERE id <= ?1", error)
         && prepare(nth_of_channel_,
                    "SELECT id FROM messages WHERE channel = ?1 ORDER BY id LIMIT 1 OFFSET ?2",
                    error)
         && prepare(remove_channel_through_,
                    "DELETE FROM messages WHERE channel = ?1 AND id <= ?2", error)
         && prepare(note_removal_,
                    "UPDATE channels SET stored = max(stored - ?2, 0), "
                    "removed_through = max(removed_through, ?3) WHERE name = ?1",
                    error);
}

bool sqlite_db::load_positions(std::string& error) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT name, last_id, stored, removed_through FROM channels", -1,
                         &raw, nullptr)
      != SQLITE_OK) {
    error = errmsg();
    return false;
  }
  stmt_ptr stmt{raw};
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    auto& pos = positions_[column_text(raw, 0)];
    pos.last_id = column_id(raw, 1);
    pos.stored = column_id(raw, 2);
    pos.removed_through = column_id(raw, 3);
  }
  if (rc != SQLITE_DONE) {
    error = errmsg();
    return false;
  }
  // Retention may have removed the newest message too; its channel still
  // knows the id (and AUTOINCREMENT never hands it out again).
  if (sqlite3_prepare_v2(db_,
                         "SELECT max((SELECT COALESCE(MAX(id), 0) FROM messages), "
                         "(SELECT COALESCE(MAX(last_id), 0) FROM channels))",
                         -1, &raw, nullptr)
      != SQLITE_OK) {
    error = errmsg();
    return false;
  }
  stmt.reset(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) {
    error = errmsg();
    return false;
  }
  last_id_ = column_id(raw, 0);
  return true;
}

void sqlite_db::rollback() {
  // Some errors end the transaction by themselves; ROLLBACK would then fail.
  if (sqlite3_get_autocommit(db_) != 0)
    return;
  if (rollback_ != nullptr) {
    reset_guard guard{rollback_.get()};
    sqlite3_step(rollback_.get());
  } else {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

} // namespace herald

// sqlite_db::probe_write: the write behind GET /readyz (storage_actor.cpp).

#include "storage/sqlite_db.hpp"

#include "storage/sqlite_stmt.hpp"

namespace herald {

bool sqlite_db::probe_write(std::string& error) {
  // IMMEDIATE takes the write lock first, so the value read is the one
  // written back: nothing changes but the file's last page.
  if (!exec("BEGIN IMMEDIATE", error))
    return false;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA application_id", -1, &raw, nullptr) != SQLITE_OK) {
    error = errmsg();
    rollback();
    return false;
  }
  stmt_ptr read{raw};
  if (sqlite3_step(raw) != SQLITE_ROW) {
    error = errmsg();
    read.reset();
    rollback();
    return false;
  }
  // PRAGMA takes no bound parameters; the value is SQLite's own integer.
  auto rewrite = "PRAGMA application_id=" + std::to_string(sqlite3_column_int(raw, 0));
  read.reset();
  if (!exec(rewrite.c_str(), error) || !exec("COMMIT", error)) {
    rollback();
    return false;
  }
  return true;
}

} // namespace herald

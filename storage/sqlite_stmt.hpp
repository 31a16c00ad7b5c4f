#pragma once

// Small statement helpers shared by sqlite_db's two implementation files
// (sqlite_db.cpp, sqlite_queries.cpp); nothing else includes this header.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace herald::sqlite_detail {

inline int64_t to_sql_id(uint64_t x) {
  constexpr auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(std::min(x, max));
}

inline void bind_text(sqlite3_stmt* s, int index, std::string_view text) {
  // SQLITE_STATIC: the text outlives the statement's step and reset.
  sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

inline std::string column_text(sqlite3_stmt* s, int index) {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(s, index));
  if (p == nullptr)
    return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, index)));
}

inline uint64_t column_id(sqlite3_stmt* s, int index) {
  auto x = sqlite3_column_int64(s, index);
  return x > 0 ? static_cast<uint64_t>(x) : 0;
}

// Clears a statement for its next use, whatever happened to it.
struct reset_guard {
  sqlite3_stmt* s;
  ~reset_guard() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

} // namespace herald::sqlite_detail

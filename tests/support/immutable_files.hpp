#pragma once

// Files that nobody may write, not even root: the FS_IMMUTABLE_FL flag
// (what chattr +i sets), cleared again on restore() or destruction so that
// the temp dir can be removed. Unlike permissions it also stops writes
// through descriptors opened before, such as a server's open database.
// Needs CAP_LINUX_IMMUTABLE and a file system with the flag (ext4, xfs...).

#include <string>
#include <vector>

namespace herald::test_support {

/// The files of a SQLite database that can be frozen: the database and its
/// write-ahead log when there is one. Never the -shm file: SQLite maps it,
/// and a write fault there would be SIGBUS, not an error SQLite could report.
std::vector<std::string> sqlite_files_to_freeze(const std::string& db_path);

class immutable_files {
public:
  immutable_files() = default;
  immutable_files(const immutable_files&) = delete;
  immutable_files& operator=(const immutable_files&) = delete;
  ~immutable_files() { restore(); }

  /// False if the flag cannot be set; `why` says for which file and why.
  /// Files set so far stay set until restore().
  bool set(const std::vector<std::string>& paths, std::string& why);
  /// Clears the flag on every file set; false if one could not be cleared.
  bool restore();

private:
  std::vector<std::string> set_;
};

} // namespace herald::test_support

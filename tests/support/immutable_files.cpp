#include "support/immutable_files.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace herald::test_support {

namespace {

bool change(const std::string& path, bool on) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  if (ok) {
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  }
  int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

} // namespace

bool immutable_files::set(const std::vector<std::string>& paths, std::string& why) {
  for (const auto& path : paths) {
    if (!change(path, true)) {
      why = path + ": " + std::strerror(errno);
      return false;
    }
    set_.push_back(path);
  }
  return true;
}

bool immutable_files::restore() {
  bool ok = true;
  for (const auto& path : set_)
    ok = change(path, false) && ok;
  set_.clear();
  return ok;
}

std::vector<std::string> sqlite_files_to_freeze(const std::string& db_path) {
  std::vector<std::string> files{db_path};
  if (::access((db_path + "-wal").c_str(), F_OK) == 0)
    files.push_back(db_path + "-wal");
  return files;
}

} // namespace herald::test_support

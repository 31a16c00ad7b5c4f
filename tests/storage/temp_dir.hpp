#pragma once

// A fresh directory under /tmp for one test, removed with everything in it
// when the test ends.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace herald::test {

class temp_dir {
public:
  temp_dir() {
    char tmpl[] = "/tmp/herald-storage-XXXXXX";
    if (char* p = ::mkdtemp(tmpl))
      path_ = p;
  }
  ~temp_dir() {
    std::error_code ec;
    if (!path_.empty())
      std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

} // namespace herald::test

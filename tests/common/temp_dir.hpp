#pragma once

// A fresh directory under the system temp dir for one test, removed with
// everything in it when the object goes. Each instance gets its own name
// (mkdtemp), so suites running in parallel processes never share files.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace herald::test {

class temp_dir {
public:
  temp_dir() {
    auto tmpl = (std::filesystem::temp_directory_path() / "herald-test-XXXXXX").string();
    if (char* p = ::mkdtemp(tmpl.data()))
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
  const std::filesystem::path& path() const { return path_; }

  /// Path of `name` inside the directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  /// Writes (replaces) `name` inside the directory; returns its full path.
  std::string write(const std::string& name, std::string_view text) const {
    auto f = path_ / name;
    std::filesystem::create_directories(f.parent_path());
    std::ofstream out{f, std::ios::binary};
    out << text;
    return f.string();
  }

private:
  std::filesystem::path path_;
};

} // namespace herald::test

#pragma once

// A fresh directory under the system temp dir, removed with its contents when
// the object goes. Each instance gets its own name (pid + counter), so suites
// running in parallel processes never share files.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace herald::test {

class temp_dir {
public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path()
            / ("herald-config-test-" + std::to_string(::getpid()) + "-"
               + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::filesystem::path& path() const { return path_; }

  /// Writes `text` to `name` inside the directory; returns the full path.
  std::string write(const std::string& name, std::string_view text) const {
    auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out{file, std::ios::binary};
    out << text;
    return file.string();
  }

private:
  std::filesystem::path path_;
};

} // namespace herald::test

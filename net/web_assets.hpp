#pragma once

// The files of web/, compiled into the binary by cmake/embed_web.cmake.

#include <string_view>
#include <vector>

namespace herald {

struct web_asset {
  std::string_view path;         // "/index.html"
  std::string_view content_type; // "text/html; charset=utf-8"
  std::string_view body;
};

const std::vector<web_asset>& web_assets();

} // namespace herald

#pragma once

// What the fuzz targets share: a check that turns a broken property into a
// crash libFuzzer reports (with the input that caused it), and the split of
// an input into newline-separated fields, so text seeds stay readable.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

namespace herald::fuzz {

/// The text up to the next '\n' (all of it when there is none); `rest`
/// keeps what follows the newline.
inline std::string_view next_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

} // namespace herald::fuzz

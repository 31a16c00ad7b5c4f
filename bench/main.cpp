// herald-bench: the load-testing harness. Everything is in the library;
// this file only reads the flags.
#include <cstdio>

#include "bench/options.hpp"
#include "bench/runner.hpp"

int main(int argc, char** argv) {
  std::string error;
  bool help = false;
  auto opts = herald::bench::parse_options(argc, argv, error, help);
  if (help) {
    std::fputs(herald::bench::help_text().c_str(), stdout);
    return 0;
  }
  if (!opts) {
    std::fprintf(stderr, "herald-bench: %s\n", error.c_str());
    return 2;
  }
  return herald::bench::run(*opts);
}

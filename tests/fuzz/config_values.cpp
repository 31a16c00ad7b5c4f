// Fuzzes the value forms the config file and the command line share
// (ADDR:PORT, durations, sizes): no crash on any text, every failure says
// why, and whatever parses prints in a form that parses back to the same
// value.
//
// Input: the value text, as is; each parser gets all of it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/values.hpp"
#include "fuzz_check.hpp"

using namespace herald;

namespace {

void check_listen(std::string_view text) {
  std::string address = "unchanged";
  uint16_t port = 1;
  auto error = parse_listen(text, address, port);
  if (error) {
    FUZZ_CHECK(!error->empty());
    FUZZ_CHECK(address == "unchanged" && port == 1);
    return;
  }
  std::string again;
  uint16_t again_port = 0;
  FUZZ_CHECK(!parse_listen(format_listen(address, port), again, again_port));
  FUZZ_CHECK(again == address && again_port == port);
}

void check_duration(std::string_view text) {
  std::chrono::milliseconds d{-1};
  auto error = parse_duration(text, d);
  if (error) {
    FUZZ_CHECK(!error->empty());
    return;
  }
  FUZZ_CHECK(d.count() >= 0);
  std::chrono::milliseconds again{-1};
  FUZZ_CHECK(!parse_duration(format_duration(d), again));
  FUZZ_CHECK(again == d);
}

void check_size(std::string_view text) {
  std::size_t n = 0;
  auto error = parse_size(text, n);
  if (error) {
    FUZZ_CHECK(!error->empty());
    return;
  }
  std::size_t again = 0;
  FUZZ_CHECK(!parse_size(format_size(n), again));
  FUZZ_CHECK(again == n);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  check_listen(text);
  check_duration(text);
  check_size(text);
  // Error messages quote the input: the quoted form holds no control bytes.
  for (char c : in_quotes(text))
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  (void)is_log_level(text);
  return 0;
}

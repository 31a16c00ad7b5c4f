// Fuzzes the config loader on arbitrary TOML text: toml++ parses, then the
// strict key-by-key validation runs. An error names what is wrong and leaves
// the config untouched; an accepted text applied a second time changes
// nothing (every key sets a value, none accumulates).
//
// Input: the TOML text, as is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/describe.hpp"
#include "config/load.hpp"
#include "fuzz_check.hpp"

using namespace herald;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  config cfg;
  const auto before = describe_config(cfg);
  auto error = load_config_string(text, cfg);
  if (error) {
    FUZZ_CHECK(!error->message.empty());
    FUZZ_CHECK(!error->what().empty());
    FUZZ_CHECK(describe_config(cfg) == before);
    return 0;
  }
  const auto once = describe_config(cfg);
  FUZZ_CHECK(!load_config_string(text, cfg));
  FUZZ_CHECK(describe_config(cfg) == once);
  return 0;
}

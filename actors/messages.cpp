#include "actors/messages.hpp"

namespace herald {

std::string to_string(errc x) {
  switch (x) {
    case errc::none:
      return "none";
    case errc::storage_failure:
      return "storage_failure";
    case errc::cache_miss:
      return "cache_miss";
    case errc::shutting_down:
      return "shutting_down";
  }
  return "unknown";
}

} // namespace herald

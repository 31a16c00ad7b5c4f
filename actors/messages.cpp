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
    case errc::channel_limit:
      return "channel_limit";
    case errc::history_removed:
      return "history_removed";
  }
  return "unknown";
}

} // namespace herald

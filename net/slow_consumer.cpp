#include "net/slow_consumer.hpp"

namespace herald {

namespace {

slow_policy parse(const std::string& name) {
  if (name == "drop_oldest")
    return slow_policy::drop_oldest;
  if (name == "drop_newest")
    return slow_policy::drop_newest;
  return slow_policy::disconnect;
}

} // namespace

slow_policy policy_for(std::string_view channel, const std::string& fallback,
                       const std::map<std::string, std::string>& channels) {
  const std::string* best = nullptr;
  std::size_t best_length = 0;
  for (auto& [pattern, policy] : channels) {
    bool prefix = !pattern.empty() && pattern.back() == '*';
    std::string_view stem{pattern.data(), prefix ? pattern.size() - 1 : pattern.size()};
    bool match = prefix ? channel.substr(0, stem.size()) == stem : channel == stem;
    // An exact name beats a prefix of the same length.
    auto length = stem.size() * 2 + (prefix ? 0 : 1);
    if (match && (!best || length > best_length)) {
      best = &policy;
      best_length = length;
    }
  }
  return parse(best ? *best : fallback);
}

std::string lagged_notice(uint64_t skipped, uint64_t resume_from) {
  return "{\"type\":\"lagged\",\"skipped\":" + std::to_string(skipped)
         + ",\"resume_from\":" + std::to_string(resume_from) + "}";
}

} // namespace herald

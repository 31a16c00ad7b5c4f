#include "actors/history_gap.hpp"

#include <memory>
#include <utility>

#include <caf/make_message.hpp>

namespace herald {

std::optional<uint64_t> gap_before(uint64_t since, const frame_list& page) {
  if (page.empty() || !page.front() || page.front()->prev_id <= since)
    return std::nullopt;
  return page.front()->prev_id;
}

caf::error history_removed_error(uint64_t through) {
  return caf::make_error(errc::history_removed, through);
}

std::optional<uint64_t> removed_through(const caf::error& err) {
  if (err != errc::history_removed)
    return std::nullopt;
  const auto& ctx = err.context();
  if (ctx.size() != 1 || !ctx.match_element<uint64_t>(0))
    return std::nullopt;
  return ctx.get_as<uint64_t>(0);
}

frame gap_frame(const std::string& channel, uint64_t since, uint64_t resume_from) {
  auto f = std::make_shared<frame_data>();
  f->id = resume_from;
  f->prev_id = since;
  f->channel = channel;
  f->json = R"({"type":"gap","resume_from":)" + std::to_string(resume_from) + "}";
  return f;
}

} // namespace herald

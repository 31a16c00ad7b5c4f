#include "net/write_queue.hpp"

#include <utility>

namespace herald {

write_queue::write_queue(std::size_t limit, std::optional<uint64_t> since)
  : limit_(limit), resume_known_(since.has_value()), resume_id_(since.value_or(0)) {
}

bool write_queue::push(frame f) {
  if (!f)
    return true; // nothing to send; not a reason to close anyone
  auto size = f->json.size();
  if (!frames_.empty() && (bytes_ > limit_ || size > limit_ - bytes_))
    return false;
  if (!resume_known_) {
    resume_known_ = true;
    resume_id_ = f->prev_id;
  }
  bytes_ += size;
  frames_.push_back(std::move(f));
  return true;
}

const frame& write_queue::begin_write() {
  writing_ = true;
  return frames_.front();
}

void write_queue::write_done() {
  if (!writing_ || frames_.empty())
    return;
  writing_ = false;
  const auto& f = frames_.front();
  bytes_ -= f->json.size();
  resume_id_ = f->id;
  resume_known_ = true;
  frames_.pop_front();
}

void write_queue::drop_pending() {
  auto keep = writing_ ? 1u : 0u;
  while (frames_.size() > keep) {
    bytes_ -= frames_.back()->json.size();
    frames_.pop_back();
  }
}

void write_queue::clear() {
  frames_.clear();
  bytes_ = 0;
  writing_ = false;
}

} // namespace herald

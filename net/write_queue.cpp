#include "net/write_queue.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "net/ws_frame.hpp"

namespace herald {

namespace {
// After a burst, a queue that grew past this many entries gives its memory
// back once it is empty again, so idle connections stay small.
constexpr std::size_t keep_capacity = 32;
} // namespace

write_queue::write_queue(std::size_t limit, std::optional<uint64_t> since)
  : limit_(limit), resume_known_(since.has_value()), resume_id_(since.value_or(0)) {
}

bool write_queue::push(const frame& f) {
  if (!f)
    return true; // nothing to send; not a reason to close anyone
  auto size = f->json.size();
  if (bytes_ > 0 && (bytes_ > limit_ || size > limit_ - bytes_))
    return false;
  if (!resume_known_) {
    resume_known_ = true;
    resume_id_ = f->prev_id;
  }
  entry e;
  auto h = ws::encode_header(ws::opcode::text, size);
  std::memcpy(e.header, h.bytes, h.size);
  e.header_size = h.size;
  e.data = f; // the one copy a delivery makes: a reference count, not the text
  bytes_ += size;
  entries_.push_back(std::move(e));
  return true;
}

bool write_queue::push_data(ws::opcode op, std::string_view payload) {
  if (!fits(payload.size()))
    return false;
  entry e;
  auto h = ws::encode_header(op, payload.size());
  std::memcpy(e.header, h.bytes, h.size);
  e.header_size = h.size;
  auto d = std::make_shared<frame_data>();
  d->json.assign(payload.data(), payload.size());
  e.data = std::move(d);
  e.type = kind::data;
  bytes_ += payload.size();
  entries_.push_back(std::move(e));
  return true;
}

bool write_queue::push_control(std::string bytes, bool essential) {
  if (controls_ >= max_controls && !essential)
    return false;
  ++controls_;
  entries_.push_back(control_entry(std::move(bytes), false));
  return true;
}

write_queue::entry write_queue::control_entry(std::string bytes, bool in_front) {
  entry e;
  auto d = std::make_shared<frame_data>();
  d->json = std::move(bytes);
  e.data = std::move(d);
  e.type = kind::control;
  e.in_front = in_front;
  return e;
}

std::size_t write_queue::entry_size(const entry& e) const {
  return e.header_size + e.data->json.size();
}

std::size_t write_queue::gather(iovec* out, std::size_t max, std::size_t max_bytes) const {
  std::size_t n = 0;
  std::size_t total = 0;
  auto skip = offset_;
  auto add = [&](const void* data, std::size_t size) {
    out[n].iov_base = const_cast<void*>(data);
    out[n].iov_len = size;
    ++n;
    total += size;
    return n < max && total < max_bytes;
  };
  for (auto i = head_; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    if (skip < e.header_size) { // the header, unless already written
      if (!add(e.header + skip, e.header_size - skip))
        break;
      skip = 0;
    } else {
      skip -= e.header_size;
    }
    const auto& text = e.data->json;
    if (skip < text.size() && !add(text.data() + skip, text.size() - skip))
      break;
    skip = 0;
  }
  return n;
}

void write_queue::pop_front() {
  auto& e = entries_[head_];
  if (e.type == kind::control)
    --controls_;
  else
    bytes_ -= e.data->json.size();
  if (e.type == kind::message) {
    resume_id_ = e.data->id;
    resume_known_ = true;
  }
  e.data.reset();
  ++head_;
  offset_ = 0;
  if (head_ == entries_.size()) {
    entries_.clear();
    head_ = 0;
    if (entries_.capacity() > keep_capacity)
      std::vector<entry>{}.swap(entries_);
  } else if (head_ >= keep_capacity && head_ * 2 >= entries_.size()) {
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void write_queue::consumed(std::size_t n) {
  while (n > 0 && !empty()) {
    auto left = entry_size(entries_[head_]) - offset_;
    if (n < left) {
      offset_ += n;
      return;
    }
    n -= left;
    pop_front();
  }
}

void write_queue::drop_pending() {
  auto keep = head_ + (mid_frame() ? 1 : 0);
  while (entries_.size() > keep) {
    auto& e = entries_.back();
    if (e.type == kind::control)
      --controls_;
    else
      bytes_ -= e.data->json.size();
    entries_.pop_back();
  }
  if (empty()) {
    entries_.clear();
    head_ = 0;
  }
}

std::size_t write_queue::drop_oldest(std::size_t size, uint64_t& gap_after) {
  auto fits = [&] { return bytes_ == 0 || (bytes_ <= limit_ && size <= limit_ - bytes_); };
  auto first = head_ + (mid_frame() ? 1 : 0);
  auto end = first;
  std::size_t dropped = 0;
  // Mark first, erase once: a full queue may hold tens of thousands of frames.
  for (; end < entries_.size() && !fits(); ++end) {
    auto& e = entries_[end];
    if (e.type != kind::message)
      continue;
    if (dropped++ == 0)
      gap_after = e.data->prev_id;
    bytes_ -= e.data->json.size();
    e.data.reset();
  }
  auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(first);
  auto stop = entries_.begin() + static_cast<std::ptrdiff_t>(end);
  entries_.erase(std::remove_if(begin, stop, [](const entry& e) { return !e.data; }), stop);
  return dropped;
}

void write_queue::push_front_control(std::string bytes) {
  ++controls_;
  auto at = head_ + (mid_frame() ? 1 : 0);
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(at),
                  control_entry(std::move(bytes), true));
}

bool write_queue::take_front_control() {
  auto at = head_ + (mid_frame() ? 1 : 0);
  if (at >= entries_.size() || entries_[at].type != kind::control || !entries_[at].in_front)
    return false;
  --controls_;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(at));
  return true;
}

uint64_t write_queue::resume_id_when_written() const {
  for (auto i = entries_.size(); i > head_; --i)
    if (entries_[i - 1].type == kind::message)
      return entries_[i - 1].data->id;
  return resume_id_;
}

void write_queue::clear() {
  std::vector<entry>{}.swap(entries_);
  head_ = 0;
  offset_ = 0;
  bytes_ = 0;
  controls_ = 0;
}

} // namespace herald

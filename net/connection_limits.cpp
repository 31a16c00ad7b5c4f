#include "net/connection_limits.hpp"

#include <mutex>
#include <unordered_map>
#include <utility>

namespace herald {

// Shared by the limits and every slot, so a release never reaches a freed
// object whatever is destroyed first.
struct connection_limits::counts {
  std::mutex mutex;
  std::size_t open = 0;
  std::unordered_map<std::string, std::size_t> per_address;
};

connection_limits::slot::slot(std::shared_ptr<counts> c, std::string address)
  : counts_(std::move(c)), address_(std::move(address)) {
}

connection_limits::slot::slot(slot&& other) noexcept
  : counts_(std::move(other.counts_)),
    address_(std::move(other.address_)),
    refusal_(other.refusal_) {
  other.counts_.reset();
}

connection_limits::slot& connection_limits::slot::operator=(slot&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    other.counts_.reset();
    address_ = std::move(other.address_);
    refusal_ = other.refusal_;
  }
  return *this;
}

void connection_limits::slot::release() {
  if (!counts_)
    return;
  {
    std::lock_guard<std::mutex> guard{counts_->mutex};
    --counts_->open;
    auto i = counts_->per_address.find(address_);
    // Erased at zero so addresses seen once do not accumulate.
    if (i != counts_->per_address.end() && --i->second == 0)
      counts_->per_address.erase(i);
  }
  counts_.reset();
}

connection_limits::connection_limits(std::size_t total, std::size_t per_address)
  : total_(total), per_address_(per_address), counts_(std::make_shared<counts>()) {
}

void connection_limits::set_limits(std::size_t total, std::size_t per_address) {
  total_.store(total, std::memory_order_relaxed);
  per_address_.store(per_address, std::memory_order_relaxed);
}

connection_limits::slot connection_limits::try_acquire(const std::string& address) {
  auto total = total_limit();
  auto per_address = per_address_limit();
  std::lock_guard<std::mutex> guard{counts_->mutex};
  if (counts_->open >= total)
    return slot{connection_refusal::total};
  auto i = counts_->per_address.try_emplace(address, 0).first;
  if (per_address != 0 && i->second >= per_address)
    return slot{connection_refusal::per_address};
  ++i->second;
  ++counts_->open;
  return slot{counts_, address};
}

std::size_t connection_limits::open() const {
  std::lock_guard<std::mutex> guard{counts_->mutex};
  return counts_->open;
}

std::size_t connection_limits::open_from(const std::string& address) const {
  std::lock_guard<std::mutex> guard{counts_->mutex};
  auto i = counts_->per_address.find(address);
  return i == counts_->per_address.end() ? 0 : i->second;
}

std::size_t connection_limits::addresses() const {
  std::lock_guard<std::mutex> guard{counts_->mutex};
  return counts_->per_address.size();
}

} // namespace herald

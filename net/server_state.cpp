#include "net/server_state.hpp"

#include "config/config.hpp"

namespace herald {

namespace {

std::vector<std::string> configured_tokens(const config& cfg) {
  std::vector<std::string> tokens;
  tokens.reserve(cfg.tokens.size());
  for (const auto& [token, user] : cfg.tokens)
    tokens.push_back(token);
  return tokens;
}

} // namespace

server_state::server_state(std::shared_ptr<const config> cfg, hub& h)
  : cfg_(std::move(cfg)), hub_(h),
    publish_limit_(cfg_->publish_rate, cfg_->publish_burst, configured_tokens(*cfg_)) {}

void server_state::set_cfg(std::shared_ptr<const config> next) {
  // The limiter first: a publish that sees a new token in the config then
  // finds its bucket (an unknown token would pass unlimited).
  publish_limit_.reconfigure(next->publish_rate, next->publish_burst, configured_tokens(*next));
  std::atomic_store(&cfg_, std::move(next));
}

server_state::publish_ticket&
server_state::publish_ticket::operator=(publish_ticket&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = other.state_;
    other.state_ = nullptr;
  }
  return *this;
}

void server_state::publish_ticket::reset() {
  if (state_) {
    state_->publishes_.fetch_sub(1);
    state_ = nullptr;
  }
}

server_state::publish_ticket server_state::begin_publish() {
  // Count first, then look at the flag: shutdown sets the flag first, then
  // reads the count, so one of the two always sees the other (both seq_cst).
  publishes_.fetch_add(1);
  if (stopping_.load()) {
    publishes_.fetch_sub(1);
    return {};
  }
  return publish_ticket{this};
}

void server_state::add_connection(uint64_t id, std::function<void()> close) {
  std::lock_guard<std::mutex> guard{mutex_};
  connections_.emplace(id, std::move(close));
}

void server_state::remove_connection(uint64_t id) {
  std::function<void()> dropped;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto i = connections_.find(id);
    if (i == connections_.end())
      return;
    dropped = std::move(i->second);
    connections_.erase(i);
  }
  // `dropped` dies outside the lock.
}

std::size_t server_state::connection_count() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return connections_.size();
}

void server_state::close_connections() {
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    closers.reserve(connections_.size());
    for (const auto& [id, close] : connections_)
      closers.push_back(close);
  }
  for (auto& close : closers)
    close();
}

} // namespace herald

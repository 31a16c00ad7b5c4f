#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/event_loop.hpp"

namespace herald::bench {

class publisher;

// One keep-alive HTTP connection of the publisher: requests are appended
// to an output buffer and written together; responses are matched to
// requests in order (HTTP/1.1 pipelining keeps order). Buffers are
// reserved once and reused, so a publish allocates nothing.
class publisher_connection final : public io_handler {
public:
  // Publishes to the owner's config().targets[target].
  publisher_connection(publisher& owner, std::size_t depth, std::size_t target);
  ~publisher_connection() override;
  publisher_connection(const publisher_connection&) = delete;
  publisher_connection& operator=(const publisher_connection&) = delete;

  // Connects (blocking: loopback, at start-up or after the server closed
  // the connection); returns an error text or "".
  std::string open();
  bool is_open() const noexcept { return fd_ >= 0; }
  std::size_t pending() const noexcept { return count_; }
  bool has_room() const noexcept { return fd_ >= 0 && count_ < ring_.size(); }
  std::size_t target() const noexcept { return target_; }
  std::uint64_t acked() const noexcept { return acked_; } // 2xx answers

  // Appends one request to the output buffer; flush() writes it.
  void enqueue(std::uint64_t seq, std::uint64_t send_ns, const char* request, std::size_t size);
  void flush();

  void on_io(std::uint32_t events) override;

private:
  struct pending_request {
    std::uint64_t seq;
    std::uint64_t send_ns;
  };

  void on_readable();
  void lose(const char* why);

  publisher& owner_;
  std::size_t target_;
  std::uint64_t acked_ = 0;
  int fd_ = -1;
  bool want_out_ = false;
  std::string out_;
  std::size_t out_off_ = 0;
  std::string in_;
  std::vector<pending_request> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

} // namespace herald::bench

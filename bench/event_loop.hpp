#pragma once

#include <cstddef>
#include <cstdint>

#include <sys/epoll.h>

namespace herald::bench {

// Something that owns a file descriptor registered with the loop.
class io_handler {
public:
  virtual ~io_handler() = default;
  virtual void on_io(std::uint32_t events) = 0;
};

// A level-triggered epoll loop for one thread. Handlers are called with
// their fd's events; a handler may close and reopen its own fd from inside
// on_io (each fd appears once per batch), but must not destroy itself.
class event_loop {
public:
  event_loop();
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  bool ok() const noexcept { return epfd_ >= 0; }
  bool add(int fd, io_handler* handler, std::uint32_t events);
  bool modify(int fd, io_handler* handler, std::uint32_t events);
  void remove(int fd);

  // Waits up to timeout_ms for events and dispatches them; returns their count.
  int run_once(int timeout_ms);

private:
  int epfd_ = -1;
  epoll_event events_[1024];
};

// One read buffer for every connection of a process: the frame parser
// works over it in place, so connections keep no receive buffers.
constexpr std::size_t read_buffer_size = 1u << 20;
char* shared_read_buffer();

} // namespace herald::bench

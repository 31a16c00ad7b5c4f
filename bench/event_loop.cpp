#include "bench/event_loop.hpp"

#include <cerrno>
#include <memory>

#include <unistd.h>

namespace herald::bench {

event_loop::event_loop() : epfd_{epoll_create1(EPOLL_CLOEXEC)} {
}

event_loop::~event_loop() {
  if (epfd_ >= 0)
    ::close(epfd_);
}

bool event_loop::add(int fd, io_handler* handler, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool event_loop::modify(int fd, io_handler* handler, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void event_loop::remove(int fd) {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

int event_loop::run_once(int timeout_ms) {
  int n = epoll_wait(epfd_, events_, static_cast<int>(sizeof events_ / sizeof events_[0]), timeout_ms);
  if (n < 0)
    return errno == EINTR ? 0 : -1;
  for (int i = 0; i < n; ++i)
    static_cast<io_handler*>(events_[i].data.ptr)->on_io(events_[i].events);
  return n;
}

char* shared_read_buffer() {
  static std::unique_ptr<char[]> buffer{new char[read_buffer_size]};
  return buffer.get();
}

} // namespace herald::bench

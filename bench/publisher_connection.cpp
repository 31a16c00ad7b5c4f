#include "bench/publisher_connection.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/clock.hpp"
#include "bench/http_response.hpp"
#include "bench/publisher.hpp"

namespace herald::bench {

namespace {
constexpr std::size_t max_buffered_response = 1u << 20;
} // namespace

publisher_connection::publisher_connection(publisher& owner, std::size_t depth, std::size_t target)
  : owner_{owner}, target_{target}, ring_(depth == 0 ? 1 : depth) {
  out_.reserve(64 * 1024);
  in_.reserve(64 * 1024);
}

publisher_connection::~publisher_connection() {
  if (fd_ >= 0) {
    owner_.loop().remove(fd_);
    ::close(fd_);
  }
}

std::string publisher_connection::open() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return std::string{"socket: "} + std::strerror(errno);
  auto& addr = owner_.config().targets[target_].address;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::string err = std::string{"cannot connect to the publish URL: "} + std::strerror(errno);
    ::close(fd);
    return err;
  }
  // A publish is one small request: letting Nagle hold it back would only
  // add latency to every measurement.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  fd_ = fd;
  out_.clear();
  out_off_ = 0;
  in_.clear();
  head_ = count_ = 0;
  want_out_ = false;
  owner_.loop().add(fd_, this, EPOLLIN);
  return {};
}

void publisher_connection::enqueue(std::uint64_t seq, std::uint64_t send_ns, const char* request,
                                   std::size_t size) {
  ring_[(head_ + count_) % ring_.size()] = pending_request{seq, send_ns};
  ++count_;
  out_.append(request, size);
}

void publisher_connection::flush() {
  while (fd_ >= 0 && out_off_ < out_.size()) {
    auto w = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
    if (w > 0) {
      out_off_ += static_cast<std::size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && errno == EAGAIN)
      break;
    lose("write failed");
    return;
  }
  if (fd_ < 0)
    return;
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  bool want = out_off_ < out_.size();
  if (want != want_out_) {
    want_out_ = want;
    owner_.loop().modify(fd_, this, EPOLLIN | (want ? EPOLLOUT : 0u));
  }
}

void publisher_connection::on_io(std::uint32_t events) {
  if (fd_ >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
    on_readable();
  if (fd_ >= 0 && (events & EPOLLOUT))
    flush();
}

void publisher_connection::on_readable() {
  char* buf = shared_read_buffer();
  auto n = ::read(fd_, buf, read_buffer_size);
  if (n == 0) {
    lose("the server closed a publish connection");
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR)
      lose("read failed on a publish connection");
    return;
  }
  auto now = now_ns();
  in_.append(buf, static_cast<std::size_t>(n));
  std::size_t off = 0;
  bool close_after = false;
  while (off < in_.size()) {
    http_response r;
    auto res = parse_http_response(in_.data() + off, in_.size() - off, r);
    if (res == http_response::result::incomplete)
      break;
    if (res == http_response::result::invalid || count_ == 0) {
      lose(count_ == 0 ? "a response nobody asked for" : "an unreadable HTTP response");
      return;
    }
    off += r.length;
    if (r.status >= 100 && r.status < 200)
      continue; // 100 Continue and friends: the real answer follows
    auto req = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --count_;
    if (r.status >= 200 && r.status < 300)
      ++acked_;
    owner_.on_response(req.seq, req.send_ns, r.status, now);
    if (r.close) {
      close_after = true;
      break;
    }
    // Closed loop: one answer, one new request, on this connection.
    if (owner_.closed_loop() && owner_.running())
      owner_.send_one(*this, now);
  }
  in_.erase(0, off);
  if (close_after) {
    lose("the server asked to close a publish connection");
    return;
  }
  if (in_.size() > max_buffered_response) {
    lose("an oversized HTTP response");
    return;
  }
  flush();
}

// The connection is gone: whatever it had in flight failed. Reopen it so
// the run goes on (the server may cap requests per connection).
void publisher_connection::lose(const char* why) {
  owner_.loop().remove(fd_);
  ::close(fd_);
  fd_ = -1;
  while (count_ > 0) {
    owner_.on_failed(ring_[head_].seq, why);
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  // The publisher's tick refills what closed-loop publishing lost here.
  if (owner_.running())
    open();
}

} // namespace herald::bench

#include "bench/subscriber.hpp"

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/clock.hpp"
#include "bench/subscriber_group.hpp"

namespace herald::bench {

namespace {
// Handshake responses are a few hundred bytes; anything this long is not one.
constexpr std::size_t max_handshake_response = 16 * 1024;
} // namespace

subscriber::~subscriber() {
  release_fd();
}

void subscriber::release_fd() {
  if (fd_ >= 0) {
    group_.loop().remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
}

bool subscriber::start(std::uint64_t since) {
  auto& cfg = group_.config();
  auto& server = group_.target_for(index_);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail();
    return false;
  }
  if (!cfg.sources.empty()) {
    // Choose the port at connect time, per 4-tuple, not at bind time per
    // address: that is what lets one address carry more than ~28k
    // connections to different servers, and spreads ports evenly.
    int one = 1;
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = group_.source_for(index_);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      fail();
      return false;
    }
  }
  auto& addr = server.address;
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno != EINPROGRESS) {
    fail();
    return false;
  }
  auto target = since > 0 ? server.target_with_since(since) : server.target;
  pending_ = "GET " + target + " HTTP/1.1\r\nHost: " + server.host + ":" + std::to_string(server.port)
             + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  parser_.reset();
  state_ = state::connecting;
  group_.on_connecting();
  if (!group_.loop().add(fd_, this, EPOLLOUT)) {
    fail();
    return false;
  }
  return true;
}

void subscriber::send_control(std::uint8_t opcode, const char* payload, std::size_t size) {
  char frame[125 + 14];
  auto n = ws_write_client_frame(frame, opcode, payload, size > 125 ? 125 : size);
  // A control frame that does not fit the socket buffer is dropped: a
  // subscriber that far behind is failing the run anyway.
  [[maybe_unused]] auto w = ::send(fd_, frame, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void subscriber::close_now() {
  if (state_ == state::open) {
    static const char normal[2] = {0x03, static_cast<char>(0xE8)}; // 1000
    send_control(ws_parser::op_close, normal, 2);
    group_.block().open_now.fetch_sub(1);
  } else if (state_ == state::connecting || state_ == state::handshaking) {
    group_.on_connecting_done();
  }
  release_fd();
  state_ = state::closed;
}

// Something went wrong: peer closed, protocol error, or a socket error.
void subscriber::fail() {
  auto was = state_;
  release_fd();
  state_ = state::closed;
  if (was == state::open) {
    group_.block().open_now.fetch_sub(1);
    group_.on_lost(*this);
    return;
  }
  if (was == state::connecting || was == state::handshaking)
    group_.on_connecting_done();
  if (ever_open_)
    group_.on_reconnect_failed(*this);
  else
    group_.block().connect_failures.fetch_add(1);
}

void subscriber::on_connect_result() {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    fail();
    return;
  }
  auto w = ::send(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL);
  if (w != static_cast<ssize_t>(pending_.size())) { // a fresh socket takes a few hundred bytes
    fail();
    return;
  }
  pending_.clear();
  state_ = state::handshaking;
  group_.loop().modify(fd_, this, EPOLLIN);
}

void subscriber::on_io(std::uint32_t) {
  if (state_ == state::connecting) {
    on_connect_result();
    return;
  }
  if (state_ != state::handshaking && state_ != state::open)
    return;
  // One read per readiness event: the loop is level-triggered, so a busy
  // connection comes back, and others get their turn in between.
  char* buf = shared_read_buffer();
  auto n = ::read(fd_, buf, read_buffer_size);
  if (n > 0) {
    group_.set_now(now_ns());
    if (state_ == state::handshaking)
      on_handshake_data(buf, static_cast<std::size_t>(n));
    else
      on_frames(buf, static_cast<std::size_t>(n));
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  fail();
}

void subscriber::on_handshake_data(const char* data, std::size_t size) {
  pending_.append(data, size);
  auto end = pending_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (pending_.size() > max_handshake_response)
      fail();
    return;
  }
  if (pending_.compare(0, 12, "HTTP/1.1 101") != 0 && pending_.compare(0, 12, "HTTP/1.0 101") != 0) {
    fail();
    return;
  }
  std::string rest = pending_.substr(end + 4);
  std::string().swap(pending_); // give the memory back: thousands of these are idle
  state_ = state::open;
  ever_open_ = true;
  group_.on_connecting_done();
  group_.on_opened(*this);
  if (!rest.empty())
    on_frames(rest.data(), rest.size());
}

void subscriber::on_frames(const char* data, std::size_t size) {
  if (parser_.feed(data, size, *this) == ws_parser::status::failed && state_ == state::open) {
    group_.block().protocol_errors.fetch_add(1);
    fail();
  }
}

void subscriber::on_message_begin(std::uint8_t) {
  token_.reset();
  id_.reset();
}

void subscriber::on_message_data(const char* data, std::size_t size) {
  if (!token_.found())
    token_.feed(data, size);
  if (!id_.found())
    id_.feed(data, size);
}

void subscriber::on_message_end() {
  id_.finish();
  if (id_.found() && id_.value() > last_id_)
    last_id_ = id_.value();
  if (!token_.found())
    group_.on_untokened();
  else if (token_.value().run != group_.config().run_id || token_.value().seq == 0)
    group_.on_foreign();
  else
    group_.on_delivery(*this, token_.value());
}

void subscriber::on_control(std::uint8_t opcode, const char* payload, std::size_t size) {
  if (state_ != state::open)
    return;
  if (opcode == ws_parser::op_ping) {
    send_control(ws_parser::op_pong, payload, size);
  } else if (opcode == ws_parser::op_close) {
    send_control(ws_parser::op_close, payload, size >= 2 ? 2 : 0);
    fail();
  }
}

} // namespace herald::bench

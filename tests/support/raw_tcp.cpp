#include "support/raw_tcp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace herald::test_support {

raw_tcp::raw_tcp(uint16_t port, const std::string& source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    return;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(port);
  connected_ = ::inet_pton(AF_INET, source.c_str(), &local.sin_addr) == 1
               && ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr) == 1
               && ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0
               && ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
}

raw_tcp::~raw_tcp() {
  close();
}

bool raw_tcp::send(const std::string& bytes) {
  if (!connected())
    return false;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

raw_tcp::read_result raw_tcp::read_some(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - std::chrono::steady_clock::now());
  pollfd p{fd_, POLLIN, 0};
  if (left.count() < 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
    return read_result::timeout;
  char buf[4096];
  auto n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) // end of stream, or a reset
    return read_result::eof;
  received_.append(buf, static_cast<std::size_t>(n));
  return read_result::data;
}

bool raw_tcp::read_until(const std::string& delim, std::chrono::milliseconds timeout) {
  if (!connected())
    return false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received_.find(delim) == std::string::npos)
    if (read_some(deadline) != read_result::data)
      return false;
  return true;
}

bool raw_tcp::wait_closed(std::chrono::milliseconds timeout) {
  if (!connected())
    return false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    switch (read_some(deadline)) {
      case read_result::data:
        continue;
      case read_result::eof:
        return true;
      case read_result::timeout:
        return false;
    }
  }
}

void raw_tcp::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

void raw_tcp::reset() {
  if (fd_ < 0)
    return;
  linger abortive{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  close();
}

std::string websocket_upgrade_request(uint16_t port, const std::string& target) {
  // The key is the RFC 6455 sample nonce: the server only has to answer it.
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
         + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

} // namespace herald::test_support

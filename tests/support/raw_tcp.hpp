#pragma once

// A bare TCP connection to herald for tests that misbehave on purpose:
// from a chosen loopback source address, bytes written as they are, bounded
// reads, and a choice between an orderly close (FIN) and a reset (RST).

#include <chrono>
#include <cstdint>
#include <string>

namespace herald::test_support {

class raw_tcp {
public:
  /// Blocking connect from `source` (any 127.x.y.z) to 127.0.0.1:`port`.
  explicit raw_tcp(uint16_t port, const std::string& source = "127.0.0.1");
  ~raw_tcp(); // an orderly close if still open
  raw_tcp(const raw_tcp&) = delete;
  raw_tcp& operator=(const raw_tcp&) = delete;

  bool connected() const { return fd_ >= 0 && connected_; }

  /// Writes all of `bytes`; false once the peer has gone (EPIPE, reset).
  bool send(const std::string& bytes);

  /// Reads until `delim` is among the bytes received so far; false on
  /// timeout or if the peer closes first. received() holds what came.
  bool read_until(const std::string& delim, std::chrono::milliseconds timeout);

  /// True if the peer closes or resets the connection within `timeout`;
  /// data that arrives before is kept in received().
  bool wait_closed(std::chrono::milliseconds timeout);

  const std::string& received() const { return received_; }
  void clear_received() { received_.clear(); }

  /// Orderly close: FIN, the way a client that just goes away ends.
  void close();
  /// Abortive close: SO_LINGER 0, so the kernel sends RST and keeps no state.
  void reset();

private:
  enum class read_result { data, eof, timeout };
  read_result read_some(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

/// The upgrade request of a WebSocket client for `target` (no Origin).
std::string websocket_upgrade_request(uint16_t port, const std::string& target);

} // namespace herald::test_support

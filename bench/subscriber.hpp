#pragma once

#include <cstdint>
#include <string>

#include "bench/event_loop.hpp"
#include "bench/seq_tracker.hpp"
#include "bench/token.hpp"
#include "bench/ws_parser.hpp"

namespace herald::bench {

class subscriber_group;

// One subscriber WebSocket connection, reopened in place when it churns.
// Runs on its process's single thread; everything it counts goes to its
// group. Its seq_tracker outlives reconnections, so loss and duplicates
// are judged across them.
class subscriber final : public io_handler, private ws_sink {
public:
  enum class state : std::uint8_t { idle, connecting, handshaking, open, closed };

  subscriber(subscriber_group& group, std::uint32_t index) : group_{group}, index_{index} {}
  ~subscriber() override;
  subscriber(const subscriber&) = delete;
  subscriber& operator=(const subscriber&) = delete;

  // Opens a connection; since > 0 asks for a replay of ids above it.
  // False if the socket could not even be created (counted as a failure).
  bool start(std::uint64_t since);
  // Closes on our side (sends a close frame first when open).
  void close_now();

  void on_io(std::uint32_t events) override;

  state current() const noexcept { return state_; }
  bool ever_open() const noexcept { return ever_open_; }
  std::uint64_t last_id() const noexcept { return last_id_; }
  seq_tracker& tracker() noexcept { return tracker_; }

  bool in_universe = false;      // expected to receive every acknowledged seq
  std::uint64_t churn_at = 0;    // when to close and reopen (0: not scheduled)
  std::uint64_t retry_at = 0;    // when to retry a failed reconnection

private:
  void on_connect_result();
  void on_handshake_data(const char* data, std::size_t size);
  void on_frames(const char* data, std::size_t size);
  void fail();
  void release_fd();
  void send_control(std::uint8_t opcode, const char* payload, std::size_t size);

  void on_message_begin(std::uint8_t opcode) override;
  void on_message_data(const char* data, std::size_t size) override;
  void on_message_end() override;
  void on_control(std::uint8_t opcode, const char* payload, std::size_t size) override;

  subscriber_group& group_;
  std::uint32_t index_;
  int fd_ = -1;
  state state_ = state::idle;
  bool ever_open_ = false;
  std::uint64_t last_id_ = 0;
  std::string pending_; // the handshake: request to send, then the response
  ws_parser parser_;
  token_scanner token_;
  id_scanner id_;
  seq_tracker tracker_;
};

} // namespace herald::bench

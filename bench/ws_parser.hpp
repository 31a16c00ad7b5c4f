#pragma once

#include <cstddef>
#include <cstdint>

namespace herald::bench {

// What the frame parser reports. Data frames arrive as a message: begin,
// payload pieces (any number, any split, across reads and across
// continuation frames), end. Control frames (close, ping, pong) arrive
// whole: their payload is at most 125 bytes and the parser keeps it.
class ws_sink {
public:
  virtual ~ws_sink() = default;
  virtual void on_message_begin(std::uint8_t opcode) = 0;
  virtual void on_message_data(const char* data, std::size_t size) = 0;
  virtual void on_message_end() = 0;
  virtual void on_control(std::uint8_t opcode, const char* payload, std::size_t size) = 0;
};

// Incremental RFC 6455 frame parser, run directly over the read buffer: the
// only bytes it keeps between reads are an unfinished header (at most 14)
// or an unfinished control payload (at most 125). No allocation, ever.
// A protocol violation puts it in the failed state; it then consumes nothing.
class ws_parser {
public:
  enum class status { ok, failed };

  static constexpr std::uint8_t op_continuation = 0x0;
  static constexpr std::uint8_t op_text = 0x1;
  static constexpr std::uint8_t op_binary = 0x2;
  static constexpr std::uint8_t op_close = 0x8;
  static constexpr std::uint8_t op_ping = 0x9;
  static constexpr std::uint8_t op_pong = 0xA;

  // Feeds every byte of [data, data + size) to the parser.
  status feed(const char* data, std::size_t size, ws_sink& sink);

  bool failed() const noexcept { return failed_; }
  const char* error() const noexcept { return error_; }
  void reset() noexcept { *this = ws_parser{}; }

private:
  status fail(const char* why) noexcept;
  bool header_complete() const noexcept;
  status start_frame(ws_sink& sink);
  void unmask(char* data, std::size_t size) noexcept;

  unsigned char header_[14] = {};
  std::size_t header_len_ = 0;
  std::uint64_t remaining_ = 0; // payload bytes left in the current frame
  bool in_payload_ = false;
  bool fin_ = false;
  std::uint8_t opcode_ = 0;
  bool masked_ = false;
  unsigned char mask_[4] = {};
  std::uint64_t mask_pos_ = 0;
  bool in_message_ = false; // a fragmented data message is open
  char control_[125] = {};
  std::size_t control_len_ = 0;
  bool failed_ = false;
  const char* error_ = nullptr;
};

// Writes a masked client frame (mask key 0, which the RFC allows) into out,
// which must hold size + 14 bytes; returns the frame length.
std::size_t ws_write_client_frame(char* out, std::uint8_t opcode, const char* payload,
                                  std::size_t size);

} // namespace herald::bench

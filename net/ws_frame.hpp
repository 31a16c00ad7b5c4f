#pragma once

// The RFC 6455 framing of a server-side WebSocket connection, without
// sockets: headers and control frames to write, and a reader that checks
// the client's frames as bytes arrive. The connection reads into a shared
// scratch buffer and feeds it here, so an idle connection holds only the
// reader's few dozen bytes instead of a stream's inline read buffer.
//
// No extension is ever negotiated, so every RSV bit is an error. Client
// data is validated and counted, and kept only by a reader made to assemble
// messages (the echo endpoint): a subscriber's messages are not acted on.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::ws {

enum class opcode : uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10,
};

/// The header of an unmasked server frame with FIN set: 2, 4 or 10 bytes,
/// kept inline so a queued frame can be written as {header, payload} in
/// one gather write without copying the payload.
struct frame_header {
  unsigned char bytes[10];
  uint8_t size;

  std::string_view view() const { return {reinterpret_cast<const char*>(bytes), size}; }
};

frame_header encode_header(opcode op, std::size_t payload_size);

/// A whole close frame, ready to write. `code` 0 gives an empty payload
/// (`reason` is then ignored). A reason over 123 bytes is cut to 123 so the
/// frame stays a valid control frame; callers pass a reason already fitted
/// on a UTF-8 boundary (fit_close_reason).
std::string encode_close(uint16_t code, std::string_view reason);

/// A whole pong frame, ready to write. A payload over 125 bytes is cut to
/// 125 (a ping's payload never is).
std::string encode_pong(std::string_view payload);

/// A whole ping frame (the server's keepalive), payload cut to 125 bytes.
std::string encode_ping(std::string_view payload);

/// What the reader reports. Callbacks run synchronously inside feed(); a
/// string_view they receive is valid only during the call.
class frame_events {
public:
  virtual ~frame_events() = default;
  /// A complete, valid data message of `size` payload bytes. `payload` is
  /// the whole message, unmasked, when the reader assembles messages;
  /// otherwise it is empty (the bytes were not kept).
  virtual void on_message(bool text, std::size_t size, std::string_view payload) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_pong(std::string_view payload) = 0;
  /// A valid close frame from the client; `code` is empty when its payload
  /// was. The reader ignores all input after it.
  virtual void on_close(std::optional<uint16_t> code, std::string_view reason) = 0;
};

/// Why the reader stopped: the close code the server sends (1002, 1007 or
/// 1009) and a short reason for that close frame.
struct protocol_error {
  uint16_t code;
  const char* reason;
};

/// Whether a reader keeps the payload of data messages.
enum class message_payloads : bool {
  discard,  // only sizes are reported; no payload buffer at all
  assemble, // each message is reported whole, its fragments joined
};

/// Parses a client's frames from a byte stream split anywhere. Between
/// feeds it keeps only the current frame's partial header, mask and
/// position, the message's size and UTF-8 decoder state, and a control
/// frame's payload when that payload is split across feeds (the only case
/// that may allocate, unless it assembles messages). sizeof(frame_reader)
/// is 96 on x86-64.
///
/// Assembling, a message that arrives whole within one feed is reported
/// straight from the caller's buffer; the fragments of any other message are
/// joined in a buffer (at most max_message_size bytes, since the limit is
/// checked before a frame's payload is read) that is freed once the message
/// is reported.
///
/// Checks, with the close code they give:
/// - 1002: RSV bit set; opcode 3-7 or 0xB-0xF; frame without the mask bit;
///   control frame with FIN clear or a payload over 125 bytes; continuation
///   without a message in progress, or text/binary while one is; a 64-bit
///   length with the top bit set, or a length not in its shortest form;
///   close payload of 1 byte, or a close code that may not be sent.
/// - 1009: a message whose fragments sum over max_message_size, detected
///   from the frame header before any of its payload is read.
/// - 1007: text message, or close reason, that is not valid UTF-8 (checked
///   incrementally; a sequence may span fragments and feeds).
/// Control frames between the fragments of a message are handled.
///
/// Boost.Beast 1.81, which this replaces, differs in corners no client
/// should reach: it accepts close codes >= 5000 and rejects 1014 (RFC 6455
/// 7.4.2 leaves 5000+ undefined; 1014 is registered with IANA), answers a
/// bad close reason with 1002 and a 64-bit length with its top bit set with
/// 1009.
class frame_reader {
public:
  explicit frame_reader(std::size_t max_message_size,
                        message_payloads payloads = message_payloads::discard);

  /// Parses client frames from `data`, unmasking payloads in place. Any
  /// split of the stream gives the same callbacks and result. Returns the
  /// error that ends the connection, if any; once done(), further input is
  /// ignored and nullopt returned.
  std::optional<protocol_error> feed(char* data, std::size_t size, frame_events& events);

  /// A close frame or an error was seen.
  bool done() const { return done_; }

private:
  std::optional<protocol_error> check_first_bytes();
  std::optional<protocol_error> check_header();
  std::optional<protocol_error> finish_frame(frame_events& events, std::string_view payload);
  std::optional<protocol_error> data_chunk(frame_events& events, std::string_view chunk);
  std::optional<protocol_error> finish_close(frame_events& events, std::string_view payload);
  void unmask(unsigned char* p, std::size_t n);
  protocol_error fail(protocol_error e);

  std::size_t max_message_size_;
  std::size_t remaining_ = 0;     // payload bytes of the current frame still to come
  std::size_t message_size_ = 0;  // payload of the message so far, current frame included
  std::string control_;           // a control payload split across feeds, unmasked
  // Assembling: the message's fragments so far, unmasked. Null when the
  // reader discards payloads, so a subscriber's reader holds no buffer.
  std::unique_ptr<std::string> message_;
  unsigned char header_[14];      // the current frame's header bytes so far
  unsigned char mask_[4];
  uint8_t header_size_ = 0;       // bytes held in header_
  uint8_t mask_offset_ = 0;       // payload bytes unmasked so far, mod 4
  uint8_t utf8_state_ = 0;        // of the text message in progress
  bool in_payload_ = false;       // header complete, reading its payload
  bool in_message_ = false;       // a data message is waiting for continuations
  bool message_text_ = false;
  bool done_ = false;
};

} // namespace herald::ws

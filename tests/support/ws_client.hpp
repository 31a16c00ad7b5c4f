#pragma once

// A blocking WebSocket client for integration tests: connects to a /socket/
// path on 127.0.0.1 (ws:// or wss://), reads with a timeout, reports the
// close code and reason the server sent, and can write hand-made frames no
// library would produce.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/tls_options.hpp"

namespace herald::test_support {

struct ws_connect_options {
  std::string origin;       // Origin header; empty: none (a non-browser client)
  std::string subprotocols; // Sec-WebSocket-Protocol offer ("a, b"); empty: none
  /// SO_RCVBUF set before connecting; 0 leaves the kernel's auto-tuning. A
  /// small one makes a non-reading client back up into the server quickly.
  int receive_buffer = 0;
};

struct ws_handshake {
  bool upgraded = false;
  int status = 0;          // HTTP status of the answer (101 when upgraded)
  std::string subprotocol; // Sec-WebSocket-Protocol of the answer
  std::string content_type;
  std::string body;        // body of a refused upgrade
  std::string error;       // why it failed, if it did
};

struct ws_event {
  enum kind_t { text, binary, closed, timeout, error } kind = error;
  std::string data;         // frame payload (text, binary)
  int close_code = 0;       // closed: the code in the server's close frame
  std::string close_reason; // closed: its reason
  std::string what;         // error: what happened (e.g. no close frame)
};

/// "text ...", "closed 1008 <reason>", "timeout", "error <what>".
std::string to_string(const ws_event& ev);

class ws_client {
public:
  explicit ws_client(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// With `tls` set, wss:// (raw frames are written inside TLS).
  ws_client(uint16_t port, std::optional<tls_options> tls,
            std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// TCP connect (and TLS handshake) plus upgrade of `target` (e.g.
  /// "/socket/system/message?since=4").
  ws_handshake connect(const std::string& target, const ws_connect_options& opts = {});

  /// Next frame, or the close, or `timeout`. After a timeout or an error
  /// the connection is closed; after `closed` it is gone.
  ws_event read(std::chrono::milliseconds timeout);
  ws_event read() { return read(timeout_); }

  /// Next text frame; nullopt on anything else.
  std::optional<std::string> read_text(std::chrono::milliseconds timeout);

  /// Reads until the server closes, at most `max_frames` frames and
  /// `timeout` in total; text payloads go to `texts`. Returns the final event
  /// (closed, timeout, error, or the last frame if `max_frames` was reached).
  ws_event read_until_close(std::vector<std::string>& texts,
                            std::chrono::milliseconds timeout, std::size_t max_frames);

  bool send_text(const std::string& text);
  /// Writes bytes to the connection as they are (frames from make_frame).
  bool send_raw(const std::string& bytes);
  /// A client frame built by hand: any opcode, payload bytes, flags; masked
  /// as a client must unless `masked` is false. `rsv` goes into bits 4-6.
  static std::string make_frame(uint8_t opcode, const std::string& payload, bool fin = true,
                                bool masked = true, uint8_t rsv = 0);

  /// Sends close 1000 and waits (bounded) for the server's answer.
  void close();
  bool is_open() const;

private:
  struct impl;
  uint16_t port_;
  std::optional<tls_options> tls_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<impl> impl_;
};

} // namespace herald::test_support

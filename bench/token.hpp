#pragma once

#include <cstddef>
#include <cstdint>

namespace herald::bench {

// What every published message carries, as the ASCII token
// "hb.<run>.<seq>.<send_ns>.<watermark>." followed by 'x' padding up to the
// message size. Digits, dots and letters need no escaping in a URL, a form
// body or JSON, so the token reaches subscribers byte for byte wherever the
// server puts the message inside its frame.
//   run: random per harness run, so a stored message of an earlier run (a
//        replay with ?since=) is recognised as foreign, not as a duplicate;
//   seq: 1, 2, 3... in the order the publisher sent them;
//   send_ns: CLOCK_MONOTONIC at send;
//   watermark: every seq <= watermark had been acknowledged before this one
//        was sent, so the server must deliver those before this one.
struct token {
  std::uint64_t run = 0;
  std::uint64_t seq = 0;
  std::uint64_t send_ns = 0;
  std::uint64_t watermark = 0;
};

constexpr std::size_t max_token_length = 3 + 4 * 20;

// Writes the token and pads with 'x' to `size` bytes (or stops after the
// token if it is longer than `size`); out must hold
// max(size, max_token_length) bytes. Returns the bytes written.
std::size_t write_payload(char* out, const token& t, std::size_t size);

// Finds the first token in a byte stream handed over in pieces of any size
// (a token may straddle two reads). Not fooled by near misses such as
// "hhb." or "hb.12x".
class token_scanner {
public:
  void reset() noexcept { *this = token_scanner{}; }
  void feed(const char* data, std::size_t size) noexcept;
  bool found() const noexcept { return found_; }
  const token& value() const noexcept { return value_; }

private:
  void step(char c) noexcept;

  token value_{};
  std::uint64_t current_ = 0;
  unsigned prefix_ = 0; // bytes of "hb." matched
  unsigned field_ = 0;  // fields completed, 0..4
  unsigned digits_ = 0;
  bool found_ = false;
};

// Finds the first `"id":N` (optional spaces after the colon) in a byte
// stream handed over in pieces: herald's message id, needed for ?since=.
class id_scanner {
public:
  void reset() noexcept { *this = id_scanner{}; }
  void feed(const char* data, std::size_t size) noexcept;
  // Ends the stream: a number running up to the end still counts.
  void finish() noexcept;
  bool found() const noexcept { return found_; }
  std::uint64_t value() const noexcept { return value_; }

private:
  void step(char c) noexcept;

  std::uint64_t value_ = 0;
  unsigned matched_ = 0; // bytes of "\"id\":" matched; 5 = reading the number
  unsigned digits_ = 0;
  bool found_ = false;
};

} // namespace herald::bench

#include "bench/ws_parser.hpp"

#include <algorithm>
#include <cstring>

namespace herald::bench {

ws_parser::status ws_parser::fail(const char* why) noexcept {
  failed_ = true;
  error_ = why;
  return status::failed;
}

bool ws_parser::header_complete() const noexcept {
  if (header_len_ < 2)
    return false;
  std::size_t need = 2;
  auto len7 = header_[1] & 0x7F;
  if (len7 == 126)
    need += 2;
  else if (len7 == 127)
    need += 8;
  if (header_[1] & 0x80)
    need += 4;
  return header_len_ >= need;
}

// Called once the header is complete: validates it and opens the frame.
ws_parser::status ws_parser::start_frame(ws_sink& sink) {
  fin_ = (header_[0] & 0x80) != 0;
  if (header_[0] & 0x70)
    return fail("reserved bits set without an extension");
  opcode_ = header_[0] & 0x0F;
  masked_ = (header_[1] & 0x80) != 0;
  std::uint64_t len = header_[1] & 0x7F;
  std::size_t pos = 2;
  if (len == 126) {
    len = (std::uint64_t{header_[2]} << 8) | header_[3];
    pos = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i)
      len = (len << 8) | header_[2 + i];
    if (len >> 63)
      return fail("64-bit length with the top bit set");
    pos = 10;
  }
  if (masked_)
    std::memcpy(mask_, header_ + pos, 4);
  mask_pos_ = 0;
  remaining_ = len;
  bool control = (opcode_ & 0x8) != 0;
  if (control) {
    if (!fin_ || len > 125)
      return fail("fragmented or oversized control frame");
    if (opcode_ != op_close && opcode_ != op_ping && opcode_ != op_pong)
      return fail("unknown control opcode");
    control_len_ = 0;
  } else if (opcode_ == op_continuation) {
    if (!in_message_)
      return fail("continuation without a message");
  } else if (opcode_ == op_text || opcode_ == op_binary) {
    if (in_message_)
      return fail("new message inside a fragmented one");
    in_message_ = true;
    sink.on_message_begin(opcode_);
  } else {
    return fail("unknown data opcode");
  }
  in_payload_ = true;
  return status::ok;
}

void ws_parser::unmask(char* data, std::size_t size) noexcept {
  for (std::size_t i = 0; i < size; ++i)
    data[i] = static_cast<char>(data[i] ^ mask_[(mask_pos_ + i) & 3]);
  mask_pos_ += size;
}

ws_parser::status ws_parser::feed(const char* data, std::size_t size, ws_sink& sink) {
  if (failed_)
    return status::failed;
  while (size > 0) {
    if (!in_payload_) {
      // Take header bytes one at a time until the header is whole; the
      // header length is only known after the second byte.
      header_[header_len_++] = static_cast<unsigned char>(*data++);
      --size;
      if (!header_complete())
        continue;
      header_len_ = 0;
      if (start_frame(sink) == status::failed)
        return status::failed;
    } else {
      auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size));
      bool control = (opcode_ & 0x8) != 0;
      if (control) {
        std::memcpy(control_ + control_len_, data, take);
        if (masked_)
          unmask(control_ + control_len_, take);
        control_len_ += take;
      } else if (take > 0 && !masked_) {
        sink.on_message_data(data, take);
      } else {
        // Servers never mask; tolerate it anyway, unmasking a copy on the stack.
        char scratch[1024];
        for (std::size_t done = 0; done < take;) {
          auto n = std::min(take - done, sizeof scratch);
          std::memcpy(scratch, data + done, n);
          unmask(scratch, n);
          sink.on_message_data(scratch, n);
          done += n;
        }
      }
      data += take;
      size -= take;
      remaining_ -= take;
    }
    // A frame may be complete right after its header (empty payload).
    if (in_payload_ && remaining_ == 0) {
      in_payload_ = false;
      if (opcode_ & 0x8) {
        sink.on_control(opcode_, control_, control_len_);
      } else if (fin_) {
        in_message_ = false;
        sink.on_message_end();
      }
    }
  }
  return status::ok;
}

std::size_t ws_write_client_frame(char* out, std::uint8_t opcode, const char* payload,
                                  std::size_t size) {
  std::size_t pos = 0;
  out[pos++] = static_cast<char>(0x80 | (opcode & 0x0F));
  if (size < 126) {
    out[pos++] = static_cast<char>(0x80 | size);
  } else if (size < 65536) {
    out[pos++] = static_cast<char>(0x80 | 126);
    out[pos++] = static_cast<char>(size >> 8);
    out[pos++] = static_cast<char>(size);
  } else {
    out[pos++] = static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i)
      out[pos++] = static_cast<char>(static_cast<std::uint64_t>(size) >> (8 * i));
  }
  // Mask key 0: XOR with zero leaves the payload as it is.
  std::memset(out + pos, 0, 4);
  pos += 4;
  if (size > 0)
    std::memcpy(out + pos, payload, size);
  return pos + size;
}

} // namespace herald::bench

#include "net/ws_frame.hpp"

#include <algorithm>
#include <cstring>

namespace herald::ws {

namespace {

constexpr std::size_t max_control_payload = 125;
constexpr std::size_t max_close_reason = max_control_payload - 2;

// A UTF-8 decoder that takes one byte at a time, so a sequence may end in a
// later fragment or feed. Each state says what the next byte must be; the
// restricted ones after E0, ED, F0 and F4 reject overlongs, surrogates and
// code points over U+10FFFF on the byte that makes them so.
enum utf8_state : uint8_t {
  utf8_accept,   // between code points
  utf8_need1,    // 1 more continuation byte (80-BF)
  utf8_need2,
  utf8_need3,
  utf8_after_e0, // next A0-BF
  utf8_after_ed, // next 80-9F
  utf8_after_f0, // next 90-BF
  utf8_after_f4, // next 80-8F
  utf8_reject,
};

uint8_t utf8_step(uint8_t state, unsigned char b) {
  const bool cont = (b & 0xC0) == 0x80;
  switch (state) {
    case utf8_accept:
      if (b < 0x80) return utf8_accept;
      if (b < 0xC2) return utf8_reject; // stray continuation, or overlong C0/C1
      if (b < 0xE0) return utf8_need1;
      if (b == 0xE0) return utf8_after_e0;
      if (b == 0xED) return utf8_after_ed;
      if (b < 0xF0) return utf8_need2;
      if (b == 0xF0) return utf8_after_f0;
      if (b < 0xF4) return utf8_need3;
      if (b == 0xF4) return utf8_after_f4;
      return utf8_reject;
    case utf8_need1: return cont ? utf8_accept : utf8_reject;
    case utf8_need2: return cont ? utf8_need1 : utf8_reject;
    case utf8_need3: return cont ? utf8_need2 : utf8_reject;
    case utf8_after_e0: return b >= 0xA0 && b <= 0xBF ? utf8_need1 : utf8_reject;
    case utf8_after_ed: return b >= 0x80 && b <= 0x9F ? utf8_need1 : utf8_reject;
    case utf8_after_f0: return b >= 0x90 && b <= 0xBF ? utf8_need2 : utf8_reject;
    case utf8_after_f4: return b >= 0x80 && b <= 0x8F ? utf8_need2 : utf8_reject;
    default: return utf8_reject;
  }
}

// The state after `n` more bytes; utf8_reject as soon as one is invalid.
uint8_t utf8_advance(uint8_t state, const unsigned char* p, std::size_t n) {
  const unsigned char* end = p + n;
  while (p != end) {
    if (state == utf8_accept) {
      // Most text is ASCII: skip it a word at a time.
      while (end - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        if (w & 0x8080808080808080ull)
          break;
        p += 8;
      }
      if (p == end)
        break;
    }
    state = utf8_step(state, *p++);
    if (state == utf8_reject)
      break;
  }
  return state;
}

bool is_utf8(std::string_view s) {
  return utf8_advance(utf8_accept, reinterpret_cast<const unsigned char*>(s.data()), s.size()) ==
         utf8_accept;
}

// RFC 6455 7.4 and the IANA registry: the codes an endpoint may put on the
// wire (1004-1006 and 1015 are reserved for local use, 1016-2999 for future
// protocol revisions, and nothing is defined from 5000 on).
bool is_valid_wire_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

bool is_control(unsigned char first_byte) { return (first_byte & 0x08) != 0; }

std::string whole_frame(opcode op, std::string_view payload) {
  const auto h = encode_header(op, payload.size());
  std::string out;
  out.reserve(h.size + payload.size());
  out.append(h.view());
  out.append(payload);
  return out;
}

constexpr protocol_error bad_utf8{1007, "invalid UTF-8"};

} // namespace

frame_header encode_header(opcode op, std::size_t payload_size) {
  frame_header h{};
  h.bytes[0] = static_cast<unsigned char>(0x80 | static_cast<uint8_t>(op));
  if (payload_size < 126) {
    h.bytes[1] = static_cast<unsigned char>(payload_size);
    h.size = 2;
  } else if (payload_size <= 0xFFFF) {
    h.bytes[1] = 126;
    h.bytes[2] = static_cast<unsigned char>(payload_size >> 8);
    h.bytes[3] = static_cast<unsigned char>(payload_size);
    h.size = 4;
  } else {
    h.bytes[1] = 127;
    const auto len = static_cast<uint64_t>(payload_size);
    for (int i = 0; i < 8; ++i)
      h.bytes[2 + i] = static_cast<unsigned char>(len >> (56 - 8 * i));
    h.size = 10;
  }
  return h;
}

std::string encode_close(uint16_t code, std::string_view reason) {
  if (code == 0)
    return whole_frame(opcode::close, {});
  reason = reason.substr(0, max_close_reason);
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return whole_frame(opcode::close, payload);
}

std::string encode_pong(std::string_view payload) {
  return whole_frame(opcode::pong, payload.substr(0, max_control_payload));
}

std::string encode_ping(std::string_view payload) {
  return whole_frame(opcode::ping, payload.substr(0, max_control_payload));
}

frame_reader::frame_reader(std::size_t max_message_size, message_payloads payloads)
  : max_message_size_(max_message_size),
    message_(payloads == message_payloads::assemble ? std::make_unique<std::string>() : nullptr) {
}

std::optional<protocol_error> frame_reader::feed(char* data, std::size_t size,
                                                 frame_events& events) {
  auto* p = reinterpret_cast<unsigned char*>(data);
  auto* const end = p + size;
  while (!done_) {
    if (!in_payload_) {
      if (p == end)
        break;
      // The first two bytes say how long the rest of the header is.
      std::size_t need = 2;
      if (header_size_ >= 2) {
        const auto len7 = header_[1] & 0x7F;
        need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4; // the mask is known present
      }
      const auto take = std::min<std::size_t>(need - header_size_, end - p);
      std::memcpy(header_ + header_size_, p, take);
      header_size_ = static_cast<uint8_t>(header_size_ + take);
      p += take;
      if (header_size_ < need)
        continue;
      if (need == 2) {
        if (auto e = check_first_bytes())
          return fail(*e);
        continue;
      }
      if (auto e = check_header())
        return fail(*e);
      in_payload_ = true;
      mask_offset_ = 0;
      if (remaining_ == 0) {
        if (auto e = finish_frame(events, {}))
          return fail(*e);
      }
      continue;
    }

    if (p == end)
      break;
    const auto n = std::min<std::size_t>(remaining_, end - p);
    unmask(p, n);
    const unsigned char* const payload = p;
    const std::string_view chunk{reinterpret_cast<const char*>(p), n};
    p += n;
    remaining_ -= n;
    if (is_control(header_[0])) {
      if (remaining_ == 0 && control_.empty()) {
        if (auto e = finish_frame(events, chunk))
          return fail(*e);
      } else {
        control_.append(chunk);
        if (remaining_ == 0) {
          std::string whole; // frees the buffer once handled
          whole.swap(control_);
          if (auto e = finish_frame(events, whole))
            return fail(*e);
        }
      }
    } else {
      if (message_text_) {
        utf8_state_ = utf8_advance(utf8_state_, payload, n);
        if (utf8_state_ == utf8_reject)
          return fail(bad_utf8);
      }
      if (auto e = data_chunk(events, chunk))
        return fail(*e);
    }
  }
  return std::nullopt;
}

std::optional<protocol_error> frame_reader::check_first_bytes() {
  const auto b0 = header_[0];
  const auto b1 = header_[1];
  if (b0 & 0x70)
    return protocol_error{1002, "reserved bits set"};
  switch (static_cast<opcode>(b0 & 0x0F)) {
    case opcode::continuation:
      if (!in_message_)
        return protocol_error{1002, "continuation without a message"};
      break;
    case opcode::text:
    case opcode::binary:
      if (in_message_)
        return protocol_error{1002, "expected a continuation"};
      break;
    case opcode::close:
    case opcode::ping:
    case opcode::pong:
      if (!(b0 & 0x80))
        return protocol_error{1002, "fragmented control frame"};
      if ((b1 & 0x7F) > max_control_payload)
        return protocol_error{1002, "control frame too long"};
      break;
    default:
      return protocol_error{1002, "unknown opcode"};
  }
  if (!(b1 & 0x80))
    return protocol_error{1002, "unmasked frame"};
  return std::nullopt;
}

std::optional<protocol_error> frame_reader::check_header() {
  const auto len7 = header_[1] & 0x7F;
  uint64_t len = len7;
  const unsigned char* key = header_ + 2;
  if (len7 == 126) {
    len = (uint64_t{header_[2]} << 8) | header_[3];
    if (len < 126)
      return protocol_error{1002, "length not minimally encoded"};
    key = header_ + 4;
  } else if (len7 == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i)
      len = (len << 8) | header_[2 + i];
    if (len >> 63)
      return protocol_error{1002, "length top bit set"};
    if (len < 65536)
      return protocol_error{1002, "length not minimally encoded"};
    key = header_ + 10;
  }
  std::memcpy(mask_, key, 4);

  if (!is_control(header_[0])) {
    const auto op = static_cast<opcode>(header_[0] & 0x0F);
    if (op != opcode::continuation) {
      message_text_ = op == opcode::text;
      message_size_ = 0;
      utf8_state_ = utf8_accept;
    }
    // Before any payload is read, so an oversized frame costs nothing.
    if (len > max_message_size_ - message_size_)
      return protocol_error{1009, "message too big"};
    message_size_ += static_cast<std::size_t>(len);
    in_message_ = !(header_[0] & 0x80);
  }
  remaining_ = static_cast<std::size_t>(len);
  return std::nullopt;
}

// A piece of a data frame's payload, unmasked. Assembling, it is kept,
// unless it is the whole message: that is reported straight from the
// caller's buffer, which is how most messages arrive.
std::optional<protocol_error> frame_reader::data_chunk(frame_events& events,
                                                       std::string_view chunk) {
  const bool frame_done = remaining_ == 0;
  if (message_) {
    const bool whole_message = frame_done && (header_[0] & 0x80) && message_->empty()
                               && chunk.size() == message_size_;
    if (!whole_message) {
      message_->append(chunk);
      chunk = {};
    }
  }
  if (!frame_done)
    return std::nullopt;
  return finish_frame(events, chunk);
}

// `payload`: a control frame's whole payload; for a data frame, the whole
// message when data_chunk() did not keep it, else empty.
std::optional<protocol_error> frame_reader::finish_frame(frame_events& events,
                                                         std::string_view payload) {
  const auto first = header_[0];
  in_payload_ = false;
  header_size_ = 0;
  switch (static_cast<opcode>(first & 0x0F)) {
    case opcode::ping:
      events.on_ping(payload);
      return std::nullopt;
    case opcode::pong:
      events.on_pong(payload);
      return std::nullopt;
    case opcode::close:
      return finish_close(events, payload);
    default:
      break;
  }
  if (!(first & 0x80))
    return std::nullopt; // more fragments follow
  if (message_text_ && utf8_state_ != utf8_accept)
    return bad_utf8; // a sequence cut off by the end of the message
  if (!message_ || message_->empty()) {
    events.on_message(message_text_, message_size_, message_ ? payload : std::string_view{});
    return std::nullopt;
  }
  std::string whole; // frees the buffer once reported
  whole.swap(*message_);
  events.on_message(message_text_, message_size_, whole);
  return std::nullopt;
}

std::optional<protocol_error> frame_reader::finish_close(frame_events& events,
                                                         std::string_view payload) {
  if (payload.empty()) {
    done_ = true;
    events.on_close(std::nullopt, {});
    return std::nullopt;
  }
  if (payload.size() == 1)
    return protocol_error{1002, "close payload of 1 byte"};
  const auto code = static_cast<uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                          static_cast<unsigned char>(payload[1]));
  if (!is_valid_wire_close_code(code))
    return protocol_error{1002, "invalid close code"};
  const auto reason = payload.substr(2);
  if (!is_utf8(reason))
    return protocol_error{1007, "close reason not UTF-8"};
  done_ = true;
  events.on_close(code, reason);
  return std::nullopt;
}

void frame_reader::unmask(unsigned char* p, std::size_t n) {
  // The key as it lines up with p[0], repeated to a word: XOR 8 bytes at a
  // time, then the tail (which starts on a multiple of 8, so the pattern
  // still lines up).
  unsigned char pattern[8];
  for (int j = 0; j < 8; ++j)
    pattern[j] = mask_[(mask_offset_ + j) & 3];
  uint64_t m;
  std::memcpy(&m, pattern, 8);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= m;
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; ++i)
    p[i] ^= pattern[i & 7];
  mask_offset_ = static_cast<uint8_t>((mask_offset_ + n) & 3);
}

protocol_error frame_reader::fail(protocol_error e) {
  done_ = true;
  std::string().swap(control_);
  if (message_)
    std::string().swap(*message_);
  return e;
}

} // namespace herald::ws

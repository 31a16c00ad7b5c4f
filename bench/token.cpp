#include "bench/token.hpp"

#include <cstring>
#include <initializer_list>

namespace herald::bench {

namespace {
std::size_t put_number(char* out, std::uint64_t v) {
  char tmp[20];
  std::size_t n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = tmp[n - 1 - i];
  return n;
}

constexpr char token_prefix[] = "hb.";
constexpr char id_key[] = "\"id\":";
constexpr unsigned id_key_len = sizeof id_key - 1;
// u64 holds any 19-digit number; longer ones are not ours.
constexpr unsigned max_digits = 19;
} // namespace

std::size_t write_payload(char* out, const token& t, std::size_t size) {
  std::size_t pos = 0;
  std::memcpy(out, token_prefix, 3);
  pos += 3;
  for (auto v : {t.run, t.seq, t.send_ns, t.watermark}) {
    pos += put_number(out + pos, v);
    out[pos++] = '.';
  }
  if (pos < size) {
    std::memset(out + pos, 'x', size - pos);
    pos = size;
  }
  return pos;
}

void token_scanner::step(char c) noexcept {
  if (prefix_ < 3) {
    if (c == token_prefix[prefix_])
      ++prefix_;
    else
      prefix_ = c == 'h' ? 1 : 0;
    return;
  }
  if (c >= '0' && c <= '9') {
    if (digits_ < max_digits) {
      current_ = current_ * 10 + static_cast<unsigned>(c - '0');
      ++digits_;
      return;
    }
  } else if (c == '.' && digits_ > 0) {
    std::uint64_t* fields[] = {&value_.run, &value_.seq, &value_.send_ns, &value_.watermark};
    *fields[field_++] = current_;
    current_ = 0;
    digits_ = 0;
    if (field_ == 4)
      found_ = true;
    return;
  }
  // Not a token after all: start over, this byte may begin a new one.
  prefix_ = c == 'h' ? 1 : 0;
  field_ = 0;
  digits_ = 0;
  current_ = 0;
}

void token_scanner::feed(const char* data, std::size_t size) noexcept {
  const char* end = data + size;
  while (!found_ && data < end) {
    if (prefix_ == 0) {
      // Fast path: skip to the next 'h'.
      auto* h = static_cast<const char*>(std::memchr(data, 'h', static_cast<std::size_t>(end - data)));
      if (h == nullptr)
        return;
      data = h;
    }
    step(*data++);
  }
}

void id_scanner::step(char c) noexcept {
  if (matched_ < id_key_len) {
    if (c == id_key[matched_])
      ++matched_;
    else
      matched_ = c == '"' ? 1 : 0;
    return;
  }
  bool digit = c >= '0' && c <= '9';
  if (digit && digits_ < max_digits) {
    value_ = value_ * 10 + static_cast<unsigned>(c - '0');
    ++digits_;
    return;
  }
  if (c == ' ' && digits_ == 0)
    return;
  if (!digit && digits_ > 0) {
    found_ = true;
    return;
  }
  // No number here (or one too long to be an id): look for the next key.
  matched_ = c == '"' ? 1 : 0;
  digits_ = 0;
  value_ = 0;
}

void id_scanner::feed(const char* data, std::size_t size) noexcept {
  const char* end = data + size;
  while (!found_ && data < end) {
    if (matched_ == 0) {
      auto* q = static_cast<const char*>(std::memchr(data, '"', static_cast<std::size_t>(end - data)));
      if (q == nullptr)
        return;
      data = q;
    }
    step(*data++);
  }
}

void id_scanner::finish() noexcept {
  if (!found_ && matched_ == id_key_len && digits_ > 0)
    found_ = true;
}

} // namespace herald::bench

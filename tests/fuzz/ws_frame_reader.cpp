// Fuzzes the read path of a WebSocket connection: ws::frame_reader parsing
// a client's raw bytes. The same stream goes once to a reader in one piece
// and once to a second reader cut into pieces, as a socket may deliver it;
// the reader promises the same callbacks and the same result for any split,
// so the two logs must be equal. That also checks unmasking, UTF-8
// decoding and the joining of fragments across piece boundaries.
//
// Input: 2 bytes of max_message_size (little-endian, plus 1), 1 byte that
// seeds where the stream is cut (its low bit set: the readers assemble
// messages, as the echo endpoint's do), then the stream.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "net/ws_frame.hpp"

using namespace herald;

namespace {

// Every callback and the result, as text, in order.
class event_log : public ws::frame_events {
public:
  explicit event_log(ws::message_payloads payloads) : payloads_(payloads) {}

  std::string text;

  void on_message(bool is_text, std::size_t size, std::string_view payload) override {
    if (payloads_ == ws::message_payloads::assemble)
      FUZZ_CHECK(payload.size() == size);
    else
      FUZZ_CHECK(payload.empty());
    text += (is_text ? "text " : "binary ") + std::to_string(size) + " ";
    text.append(payload);
    text += "\n";
  }
  void on_ping(std::string_view payload) override { control("ping", payload); }
  void on_pong(std::string_view payload) override { control("pong", payload); }
  void on_close(std::optional<uint16_t> code, std::string_view reason) override {
    FUZZ_CHECK(reason.size() <= 123);
    FUZZ_CHECK(code || reason.empty());
    text += "close " + (code ? std::to_string(*code) : std::string("-")) + " ";
    text.append(reason);
    text += "\n";
  }

  void result(const std::optional<ws::protocol_error>& e) {
    if (!e)
      return;
    FUZZ_CHECK(e->code == 1002 || e->code == 1007 || e->code == 1009);
    text += "error " + std::to_string(e->code) + " " + e->reason + "\n";
  }

private:
  ws::message_payloads payloads_;

  void control(const char* kind, std::string_view payload) {
    FUZZ_CHECK(payload.size() <= 125);
    text += kind;
    text += " ";
    text.append(payload);
    text += "\n";
  }
};

// Feeds `stream` in pieces; once the reader is done, feeding more must be
// a no-op.
void feed(ws::frame_reader& reader, std::string stream, const std::vector<std::size_t>& pieces,
          event_log& log) {
  std::size_t at = 0;
  for (auto n : pieces) {
    const bool was_done = reader.done();
    auto e = reader.feed(stream.data() + at, n, log);
    FUZZ_CHECK(!was_done || !e);
    log.result(e);
    at += n;
  }
  FUZZ_CHECK(at == stream.size());
}

// Piece sizes from a small generator seeded by the input: mostly tiny
// pieces (header bytes one at a time), now and then a large one.
std::vector<std::size_t> cut(std::size_t size, uint8_t seed) {
  std::vector<std::size_t> pieces;
  const std::size_t max_pieces = 2 * size + 16; // bounds a run of empty pieces
  uint32_t state = 0x9E3779B9u ^ seed;
  while (size > 0 && pieces.size() < max_pieces) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    // A piece of 0 bytes is allowed too: a read may return nothing new.
    const std::size_t want = (state & 7) == 0 ? state >> 20 : (state >> 3) % 5;
    const std::size_t n = std::min(size, want);
    pieces.push_back(n);
    size -= n;
  }
  if (size > 0)
    pieces.push_back(size);
  return pieces;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3)
    return 0;
  const std::size_t max_message_size = 1 + (data[0] | (std::size_t{data[1]} << 8));
  const uint8_t seed = data[2];
  const auto payloads = seed & 1 ? ws::message_payloads::assemble : ws::message_payloads::discard;
  const std::string stream(reinterpret_cast<const char*>(data) + 3, size - 3);

  ws::frame_reader whole{max_message_size, payloads};
  event_log whole_log{payloads};
  feed(whole, stream, {stream.size()}, whole_log);

  ws::frame_reader split{max_message_size, payloads};
  event_log split_log{payloads};
  feed(split, stream, cut(stream.size(), seed), split_log);

  if (whole_log.text != split_log.text) {
    std::fprintf(stderr, "in one piece:\n%s\ncut into pieces:\n%s\n", whole_log.text.c_str(),
                 split_log.text.c_str());
    FUZZ_CHECK(whole_log.text == split_log.text);
  }
  FUZZ_CHECK(whole.done() == split.done());
  return 0;
}

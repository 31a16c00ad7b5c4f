// The WebSocket frame codec on its own: server headers and control frames,
// and the client frame reader's results for whole, split and bad input,
// discarding payloads and assembling them.

#define CAF_SUITE net_ws_frame_codec
#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ws_frame.hpp"

using namespace herald::ws;

namespace {

constexpr unsigned char fin = 0x80;
constexpr unsigned char op_cont = 0x0, op_text = 0x1, op_binary = 0x2, op_close = 0x8,
                        op_ping = 0x9, op_pong = 0xA;
constexpr unsigned char key[4] = {0x37, 0xFA, 0x21, 0x3D};

enum class length_form { shortest, u16, u64 };

// A client frame header claiming `len` payload bytes, with the mask key
// unless `masked` is false.
std::string client_header(unsigned char b0, uint64_t len, length_form form = length_form::shortest,
                          bool masked = true) {
  if (form == length_form::shortest)
    form = len < 126 ? length_form::shortest : len <= 0xFFFF ? length_form::u16 : length_form::u64;
  const unsigned char mask_bit = masked ? 0x80 : 0;
  std::string h(1, static_cast<char>(b0));
  switch (form) {
    case length_form::shortest:
      h += static_cast<char>(mask_bit | len);
      break;
    case length_form::u16:
      h += static_cast<char>(mask_bit | 126);
      h += static_cast<char>(len >> 8);
      h += static_cast<char>(len & 0xFF);
      break;
    case length_form::u64:
      h += static_cast<char>(mask_bit | 127);
      for (int i = 0; i < 8; ++i)
        h += static_cast<char>((len >> (56 - 8 * i)) & 0xFF);
      break;
  }
  if (masked)
    h.append(reinterpret_cast<const char*>(key), 4);
  return h;
}

// A whole masked client frame.
std::string client_frame(unsigned char b0, std::string_view payload,
                         length_form form = length_form::shortest) {
  auto f = client_header(b0, payload.size(), form);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += static_cast<char>(payload[i] ^ key[i % 4]);
  return f;
}

std::string close_payload(uint16_t code, std::string_view reason = {}) {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return p.append(reason);
}

// Everything the reader reported, as one string per event; an assembling
// reader's message payloads separately, so both kinds of reader give the
// same log.
struct recorder : frame_events {
  std::vector<std::string> log;
  bool assembling = false;
  std::vector<std::string> payloads;

  void on_message(bool text, std::size_t size, std::string_view payload) override {
    log.push_back((text ? "text " : "binary ") + std::to_string(size));
    if (assembling)
      payloads.emplace_back(payload);
    if (payload.size() != (assembling ? size : 0))
      log.push_back("payload of " + std::to_string(payload.size()) + " bytes");
  }
  void on_ping(std::string_view payload) override {
    log.push_back("ping " + std::string(payload));
  }
  void on_pong(std::string_view payload) override {
    log.push_back("pong " + std::string(payload));
  }
  void on_close(std::optional<uint16_t> code, std::string_view reason) override {
    log.push_back("close " + (code ? std::to_string(*code) : std::string("none")) + " " +
                  std::string(reason));
  }
};

// The events joined by "; ", then "error <code>" if the reader stopped on
// one: a single comparable string for any way of feeding.
std::string outcome(const recorder& r, std::optional<protocol_error> err) {
  std::string s;
  for (const auto& e : r.log)
    s += e + "; ";
  if (err)
    s += "error " + std::to_string(err->code);
  return s;
}

constexpr std::size_t no_limit = std::size_t{1} << 40;

// Feeds `bytes` in pieces cut at `cuts` (ascending offsets). With
// `payloads`, the reader assembles messages and their payloads go there.
std::string run_cut(const std::string& bytes, const std::vector<std::size_t>& cuts,
                    std::size_t max = no_limit, std::vector<std::string>* payloads = nullptr) {
  frame_reader reader{max, payloads ? message_payloads::assemble : message_payloads::discard};
  recorder r;
  r.assembling = payloads != nullptr;
  std::string buf = bytes; // the reader unmasks in place
  std::optional<protocol_error> err;
  std::size_t from = 0;
  auto cut_points = cuts;
  cut_points.push_back(buf.size());
  for (auto to : cut_points) {
    auto e = reader.feed(buf.data() + from, to - from, r);
    if (e) {
      if (err)
        return "second error reported";
      err = e;
    }
    from = to;
  }
  if (err && !reader.done())
    return "error without done()";
  if (payloads)
    *payloads = r.payloads;
  return outcome(r, err);
}

std::string joined(const std::vector<std::string>& payloads) {
  std::string s;
  for (const auto& p : payloads)
    s += "[" + p + "]";
  return s;
}

// The same cuts fed to a discarding and to an assembling reader: their
// outcome if the two agree, else a description of both. The assembled
// payloads go to `payloads`.
std::string run_both(const std::string& bytes, const std::vector<std::size_t>& cuts,
                     std::size_t max, std::vector<std::string>& payloads) {
  const auto discarding = run_cut(bytes, cuts, max);
  const auto assembling = run_cut(bytes, cuts, max, &payloads);
  if (assembling != discarding)
    return "assembling gave [" + assembling + "], discarding gave [" + discarding + "]";
  return discarding;
}

std::string run_whole(const std::string& bytes, std::size_t max = no_limit) {
  std::vector<std::string> ignored;
  return run_both(bytes, {}, max, ignored);
}

std::vector<std::size_t> every_byte(std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < size; ++i)
    cuts.push_back(i);
  return cuts;
}

std::string run_bytewise(const std::string& bytes, std::size_t max = no_limit) {
  std::vector<std::string> ignored;
  return run_both(bytes, every_byte(bytes.size()), max, ignored);
}

// The outcome shared by every way of feeding `bytes` (whole, byte by byte,
// in two pieces at each offset, in three pieces around each offset), to a
// discarding and to an assembling reader, or a description of the first
// split that differed. The assembled payloads, the same for every split
// too, go to `payloads` if given.
std::string run_any_split(const std::string& bytes, std::size_t max = no_limit,
                          std::vector<std::string>* payloads = nullptr) {
  std::vector<std::string> whole_payloads;
  const auto whole = run_both(bytes, {}, max, whole_payloads);
  if (payloads)
    *payloads = whole_payloads;
  // The events and payloads of one way of feeding, compared with whole's.
  auto differs = [&](const std::vector<std::size_t>& cuts) -> std::optional<std::string> {
    std::vector<std::string> got;
    const auto events = run_both(bytes, cuts, max, got);
    if (events != whole)
      return "[" + events + "], whole gave [" + whole + "]";
    if (got != whole_payloads)
      return "payloads " + joined(got) + ", whole gave " + joined(whole_payloads);
    return std::nullopt;
  };
  if (auto d = differs(every_byte(bytes.size())))
    return "byte by byte gave " + *d;
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    if (auto d = differs({i}))
      return "split at " + std::to_string(i) + " gave " + *d;
    if (i > 0 && i + 1 < bytes.size()) {
      if (auto d = differs({i - 1, i + 1}))
        return "cut at " + std::to_string(i - 1) + "," + std::to_string(i + 1) + " gave " + *d;
    }
  }
  return whole;
}

// The payloads an assembling reader reports for `bytes` however it is
// split, or one string describing how the splits disagreed or what else
// was reported (an error, say).
std::vector<std::string> assembled_any_split(const std::string& bytes,
                                             std::size_t max = no_limit) {
  std::vector<std::string> payloads;
  auto outcome = run_any_split(bytes, max, &payloads);
  if (outcome.find("error") != std::string::npos || outcome.find(" gave ") != std::string::npos)
    return {outcome};
  return payloads;
}

// A text message sent as two fragments, cut at `at`.
std::string two_fragments(std::string_view text, std::size_t at) {
  return client_frame(op_text, text.substr(0, at)) + client_frame(fin | op_cont, text.substr(at));
}

std::string hex(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  return out;
}

} // namespace

// --- writing -----------------------------------------------------------------

CAF_TEST(headers use the shortest length form) {
  struct expected {
    std::size_t size;
    std::string bytes;
  };
  const expected cases[] = {
    {0, "8200"},
    {125, "827d"},
    {126, "827e007e"},
    {65535, "827effff"},
    {65536, "827f0000000000010000"},
    {std::size_t{1} << 32, "827f0000000100000000"},
  };
  for (const auto& c : cases) {
    const auto h = encode_header(opcode::binary, c.size);
    CAF_CHECK_EQUAL(std::to_string(c.size) + ": " + hex(h.view()),
                    std::to_string(c.size) + ": " + c.bytes);
  }
  CAF_CHECK_EQUAL(hex(encode_header(opcode::text, 5).view()), "8105");
}

CAF_TEST(close frames carry the code and reason) {
  CAF_CHECK_EQUAL(hex(encode_close(1000, "bye")), "88050" "3e8" + hex("bye"));
  CAF_CHECK_EQUAL(hex(encode_close(1008, "")), "880203f0");
  CAF_CHECK_EQUAL(hex(encode_close(0, "ignored")), "8800");
  const auto long_reason = encode_close(1001, std::string(200, 'r'));
  CAF_CHECK_EQUAL(long_reason.size(), 2u + 125u); // cut to a valid control frame
  CAF_CHECK_EQUAL(hex(long_reason.substr(0, 4)), "887d03e9");
}

CAF_TEST(pong frames echo the payload and pings carry theirs) {
  CAF_CHECK_EQUAL(hex(encode_pong("abc")), "8a03" + hex("abc"));
  CAF_CHECK_EQUAL(hex(encode_pong("")), "8a00");
  CAF_CHECK_EQUAL(encode_pong(std::string(130, 'p')).size(), 2u + 125u);
  CAF_CHECK_EQUAL(hex(encode_ping("")), "8900");
  CAF_CHECK_EQUAL(hex(encode_ping("hi")), "8902" + hex("hi"));
}

// --- reading whole messages --------------------------------------------------

CAF_TEST(a masked text message gives one message however it is split) {
  const std::string text = "h\xC3\xA9llo w\xE2\x82\xACrld \xF0\x9D\x84\x9E" + std::string(150, 'x');
  const auto frame = client_frame(fin | op_text, text); // 16-bit length form
  CAF_CHECK_EQUAL(run_whole(frame), "text " + std::to_string(text.size()) + "; ");
  CAF_CHECK_EQUAL(run_bytewise(frame), "text " + std::to_string(text.size()) + "; ");
  CAF_CHECK_EQUAL(run_any_split(frame), "text " + std::to_string(text.size()) + "; ");
}

CAF_TEST(the payload is unmasked in place with the key rotating across feeds) {
  const std::string text = "0123456789abcdefghij";
  auto frame = client_frame(fin | op_text, text);
  frame_reader reader{no_limit};
  recorder r;
  const std::size_t cuts[] = {7, 9, 10, 21, frame.size()}; // header is 6 bytes
  std::size_t from = 0;
  for (auto to : cuts) {
    CAF_CHECK(!reader.feed(frame.data() + from, to - from, r));
    from = to;
  }
  CAF_CHECK_EQUAL(frame.substr(6), text);
}

CAF_TEST(consecutive messages and empty ones are each reported) {
  const auto stream = client_frame(fin | op_text, "")
                      + client_frame(fin | op_binary, std::string("\xFF\x00", 2))
                      + client_frame(fin | op_text, "ok");
  CAF_CHECK_EQUAL(run_any_split(stream), "text 0; binary 2; text 2; ");
}

CAF_TEST(a fragmented message may have control frames between its fragments) {
  const auto stream = client_frame(op_text, "Hel") + client_frame(fin | op_ping, "are you there")
                      + client_frame(op_cont, "l") + client_frame(fin | op_pong, "")
                      + client_frame(fin | op_cont, "o") + client_frame(fin | op_binary, "b");
  CAF_CHECK_EQUAL(run_any_split(stream), "ping are you there; pong ; text 5; binary 1; ");
}

CAF_TEST(control payloads split across feeds arrive whole) {
  const std::string payload(125, 'p');
  const auto stream = client_frame(fin | op_ping, payload) +
                      client_frame(fin | op_close, close_payload(1000, "see you \xE2\x82\xAC"));
  CAF_CHECK_EQUAL(run_bytewise(stream), "ping " + payload + "; close 1000 see you \xE2\x82\xAC; ");
  CAF_CHECK_EQUAL(run_any_split(stream), "ping " + payload + "; close 1000 see you \xE2\x82\xAC; ");
}

CAF_TEST(valid close frames are reported) {
  CAF_CHECK_EQUAL(run_any_split(client_frame(fin | op_close, "")), "close none ; ");
  for (uint16_t code : {1000, 1001, 1003, 1007, 1011, 1014, 3000, 4000, 4999})
    CAF_CHECK_EQUAL(run_whole(client_frame(fin | op_close, close_payload(code))),
                    "close " + std::to_string(code) + " ; ");
}

// --- errors ------------------------------------------------------------------

CAF_TEST(each protocol violation gives its close code) {
  struct bad_input {
    const char* name;
    std::string bytes;
    int code;
    const char* before = ""; // what is reported before the error
  };
  const auto text_start = client_frame(op_text, "a");
  const bad_input cases[] = {
    {"rsv1", client_frame(fin | 0x40 | op_text, "a"), 1002},
    {"rsv2", client_frame(fin | 0x20 | op_binary, "a"), 1002},
    {"rsv3", client_frame(fin | 0x10 | op_text, "a"), 1002},
    {"rsv1 on ping", client_frame(fin | 0x40 | op_ping, ""), 1002},
    {"rsv3 on continuation", text_start + client_frame(fin | 0x10 | op_cont, "a"), 1002},
    {"opcode 3", client_frame(fin | 0x3, "a"), 1002},
    {"opcode 7", client_frame(fin | 0x7, "a"), 1002},
    {"opcode B", client_frame(fin | 0xB, ""), 1002},
    {"opcode F", client_frame(fin | 0xF, ""), 1002},
    {"unmasked", client_header(fin | op_text, 1, length_form::shortest, false) + "a", 1002},
    {"unmasked ping", client_header(fin | op_ping, 0, length_form::shortest, false), 1002},
    {"ping without fin", client_frame(op_ping, "x"), 1002},
    {"close without fin", client_frame(op_close, ""), 1002},
    {"ping of 126", client_frame(fin | op_ping, std::string(126, 'x')), 1002},
    {"pong of 126", client_frame(fin | op_pong, std::string(126, 'x')), 1002},
    {"continuation first", client_frame(fin | op_cont, "a"), 1002},
    {"continuation after a whole message",
     client_frame(fin | op_text, "a") + client_frame(fin | op_cont, "a"), 1002, "text 1; "},
    {"text during a message", text_start + client_frame(fin | op_text, "b"), 1002},
    {"binary during a message", text_start + client_frame(fin | op_binary, "b"), 1002},
    {"64-bit length with top bit", client_header(fin | op_binary, uint64_t{1} << 63), 1002},
    {"64-bit length all ones", client_header(fin | op_binary, ~uint64_t{0}), 1002},
    {"16-bit form for 125", client_frame(fin | op_text, std::string(125, 'a'), length_form::u16),
     1002},
    {"16-bit form for 0", client_frame(fin | op_text, "", length_form::u16), 1002},
    {"64-bit form for 65535",
     client_frame(fin | op_binary, std::string(65535, 'a'), length_form::u64), 1002},
    {"64-bit form for 5", client_frame(fin | op_binary, "abcde", length_form::u64), 1002},
    // The byte after the payload would make code 1000 if it were read.
    {"close of 1 byte", client_frame(fin | op_close, "\x03") + "\xE8", 1002},
    {"close code 0", client_frame(fin | op_close, close_payload(0)), 1002},
    {"close code 999", client_frame(fin | op_close, close_payload(999)), 1002},
    {"close code 1004", client_frame(fin | op_close, close_payload(1004)), 1002},
    {"close code 1005", client_frame(fin | op_close, close_payload(1005)), 1002},
    {"close code 1006", client_frame(fin | op_close, close_payload(1006)), 1002},
    {"close code 1015", client_frame(fin | op_close, close_payload(1015)), 1002},
    {"close code 1016", client_frame(fin | op_close, close_payload(1016)), 1002},
    {"close code 2999", client_frame(fin | op_close, close_payload(2999)), 1002},
    {"close code 5000", client_frame(fin | op_close, close_payload(5000)), 1002},
    {"close code 65535", client_frame(fin | op_close, close_payload(65535)), 1002},
    {"close reason not UTF-8", client_frame(fin | op_close, close_payload(1000, "ok\xFF")), 1007},
    {"close reason truncated", client_frame(fin | op_close, close_payload(1000, "\xE2\x82")), 1007},
    {"message too big", client_frame(fin | op_text, std::string(101, 'a')), 1009},
  };
  for (const auto& c : cases) {
    const std::string want =
      std::string(c.name) + ": " + c.before + "error " + std::to_string(c.code);
    CAF_CHECK_EQUAL(std::string(c.name) + ": " + run_whole(c.bytes, 100), want);
    CAF_CHECK_EQUAL(std::string(c.name) + ": " + run_bytewise(c.bytes, 100), want);
  }
}

CAF_TEST(a header over the limit fails before its payload arrives) {
  frame_reader reader{1000};
  recorder r;
  auto header = client_header(fin | op_binary, uint64_t{1} << 40); // 1 TiB, none of it sent
  const auto err = reader.feed(header.data(), header.size(), r);
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->code, 1009);
  CAF_CHECK(reader.done());
  CAF_CHECK(r.log.empty());
}

CAF_TEST(max_message_size counts the whole message) {
  CAF_CHECK_EQUAL(run_whole(client_frame(fin | op_text, std::string(10, 'a')), 10), "text 10; ");
  CAF_CHECK_EQUAL(run_whole(client_frame(fin | op_text, std::string(11, 'a')), 10), "error 1009");
  CAF_CHECK_EQUAL(run_whole(client_frame(fin | op_binary, std::string(11, 'a')), 10),
                  "error 1009");
  const auto at_limit = two_fragments(std::string(10, 'a'), 4);
  CAF_CHECK_EQUAL(run_any_split(at_limit, 10), "text 10; ");
  const auto over = two_fragments(std::string(11, 'a'), 5);
  CAF_CHECK_EQUAL(run_any_split(over, 10), "error 1009");
  // Control frames between fragments do not count.
  const auto with_ping = client_frame(op_text, "aaaaa") + client_frame(fin | op_ping, "pppppp")
                         + client_frame(fin | op_cont, "aaaaa");
  CAF_CHECK_EQUAL(run_any_split(with_ping, 10), "ping pppppp; text 10; ");
  // The count starts again with each message.
  const auto two = client_frame(fin | op_text, std::string(10, 'a'))
                   + client_frame(fin | op_text, std::string(10, 'b'));
  CAF_CHECK_EQUAL(run_any_split(two, 10), "text 10; text 10; ");
}

// --- UTF-8 -------------------------------------------------------------------

CAF_TEST(valid UTF-8 is accepted wherever fragments split it) {
  const std::string text = "a\x7F"                  // U+007F
                           "\xC2\x80\xC3\xA9\xDF\xBF" // U+0080, U+00E9, U+07FF
                           "\xE0\xA0\x80\xE2\x82\xAC\xED\x9F\xBF" // U+0800, U+20AC, U+D7FF
                           "\xEE\x80\x80\xEF\xBF\xBF" // U+E000, U+FFFF
                           "\xF0\x90\x80\x80\xF0\x9D\x84\x9E\xF4\x8F\xBF\xBF" // U+10000..U+10FFFF
                           "z";
  const auto want = "text " + std::to_string(text.size()) + "; ";
  CAF_CHECK_EQUAL(run_any_split(client_frame(fin | op_text, text)), want);
  for (std::size_t at = 0; at <= text.size(); ++at)
    CAF_CHECK_EQUAL(std::to_string(at) + ": " + run_any_split(two_fragments(text, at)),
                    std::to_string(at) + ": " + want);
}

CAF_TEST(invalid UTF-8 in a text message gives 1007) {
  struct bad_text {
    const char* name;
    std::string text;
  };
  const bad_text cases[] = {
    {"stray continuation", "ab\x80"},
    {"overlong C0", "\xC0\x80"},
    {"overlong C1", "\xC1\xBF"},
    {"overlong 3-byte", "\xE0\x80\x80"},
    {"overlong 3-byte top", "\xE0\x9F\xBF"},
    {"overlong 4-byte", "\xF0\x80\x80\x80"},
    {"overlong 4-byte top", "\xF0\x8F\xBF\xBF"},
    {"surrogate D800", "\xED\xA0\x80"},
    {"surrogate DFFF", "\xED\xBF\xBF"},
    {"above 10FFFF", "\xF4\x90\x80\x80"},
    {"F5 lead", "\xF5\x80\x80\x80"},
    {"FF", "ok\xFF"},
    {"lead then ASCII", "\xC3" "a"},
    {"3-byte cut by ASCII", "\xE2\x82" "a"},
    {"truncated 2-byte at end", "abc\xC3"},
    {"truncated 3-byte at end", "\xE2\x82"},
    {"truncated 4-byte at end", "\xF0\x9D\x84"},
    {"long ASCII then bad", std::string(40, 'a') + "\xC3\x28"},
  };
  for (const auto& c : cases) {
    const std::string want = std::string(c.name) + ": error 1007";
    CAF_CHECK_EQUAL(std::string(c.name) + ": " + run_any_split(client_frame(fin | op_text, c.text)),
                    want);
    for (std::size_t at = 0; at <= c.text.size(); ++at)
      CAF_CHECK_EQUAL(std::string(c.name) + ": " + run_whole(two_fragments(c.text, at)), want);
  }
  // A sequence left open by a final fragment that is empty.
  CAF_CHECK_EQUAL(run_any_split(client_frame(op_text, "\xC3") + client_frame(fin | op_cont, "")),
                  "error 1007");
}

CAF_TEST(binary messages are not checked for UTF-8) {
  CAF_CHECK_EQUAL(run_any_split(client_frame(fin | op_binary, "\xFF\xC0\x80\xED\xA0\x80\xC3")),
                  "binary 7; ");
}

// --- assembling messages ------------------------------------------------------

CAF_TEST(an assembled message is the unmasked payload however it is split) {
  const std::string text = "h\xC3\xA9llo w\xE2\x82\xACrld \xF0\x9D\x84\x9E" + std::string(150, 'x');
  const auto frame = client_frame(fin | op_text, text); // 16-bit length form
  CAF_CHECK_EQUAL(assembled_any_split(frame), std::vector<std::string>{text});
  const auto two = client_frame(fin | op_text, "first") + client_frame(fin | op_binary, "second");
  CAF_CHECK_EQUAL(assembled_any_split(two), std::vector<std::string>({"first", "second"}));
}

CAF_TEST(fragments are joined across control frames and feeds) {
  const auto stream = client_frame(op_text, "Hel") + client_frame(fin | op_ping, "are you there")
                      + client_frame(op_cont, "l") + client_frame(fin | op_pong, "")
                      + client_frame(fin | op_cont, "o") + client_frame(fin | op_binary, "b");
  CAF_CHECK_EQUAL(assembled_any_split(stream), std::vector<std::string>({"Hello", "b"}));
  // Empty fragments, an empty message, a message after a fragmented one.
  const auto empties = client_frame(op_binary, "") + client_frame(op_cont, "abc")
                       + client_frame(op_cont, "") + client_frame(fin | op_cont, "")
                       + client_frame(fin | op_text, "") + client_frame(op_text, "x")
                       + client_frame(fin | op_cont, "yz");
  CAF_CHECK_EQUAL(assembled_any_split(empties), std::vector<std::string>({"abc", "", "xyz"}));
  // A UTF-8 sequence split between fragments comes back whole.
  CAF_CHECK_EQUAL(assembled_any_split(two_fragments("\xE2\x82\xAC", 1)),
                  std::vector<std::string>{"\xE2\x82\xAC"});
}

CAF_TEST(binary payloads are assembled byte for byte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes += static_cast<char>(i);
  const auto stream = client_frame(op_binary, bytes.substr(0, 100))
                      + client_frame(op_cont, bytes.substr(100, 1))
                      + client_frame(fin | op_cont, bytes.substr(101));
  CAF_CHECK_EQUAL(assembled_any_split(stream), std::vector<std::string>{bytes});
}

CAF_TEST(a message over 64 KiB is assembled from feeds of any size) {
  std::string big;
  for (std::size_t i = 0; i < 70000; ++i)
    big += static_cast<char>('a' + i % 26);
  // Three fragments: 16-bit, 64-bit and 7-bit length forms.
  const auto stream = client_frame(op_binary, big.substr(0, 1000))
                      + client_frame(op_cont, big.substr(1000, 68950))
                      + client_frame(fin | op_cont, big.substr(69950));
  auto with_pieces = [&](std::size_t piece) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = piece; at < stream.size(); at += piece)
      cuts.push_back(at);
    return cuts;
  };
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{65536},
                            stream.size()}) {
    std::vector<std::string> payloads;
    CAF_CHECK_EQUAL(std::to_string(piece) + ": " + run_both(stream, with_pieces(piece), no_limit,
                                                             payloads),
                    std::to_string(piece) + ": binary 70000; ");
    CAF_CHECK_EQUAL(payloads, std::vector<std::string>{big});
  }
}

CAF_TEST(max_message_size bounds an assembled message) {
  CAF_CHECK_EQUAL(assembled_any_split(two_fragments(std::string(10, 'a'), 4), 10),
                  std::vector<std::string>{std::string(10, 'a')});
  // Over the limit in its second fragment: the first was kept, nothing is
  // reported.
  std::vector<std::string> payloads;
  CAF_CHECK_EQUAL(run_any_split(two_fragments(std::string(11, 'a'), 5), 10, &payloads),
                  "error 1009");
  CAF_CHECK(payloads.empty());
}

// Records where each message payload was, to tell a copy from the input.
struct payload_addresses : frame_events {
  std::vector<const char*> at;
  void on_message(bool, std::size_t, std::string_view payload) override {
    at.push_back(payload.data());
  }
  void on_ping(std::string_view) override {}
  void on_pong(std::string_view) override {}
  void on_close(std::optional<uint16_t>, std::string_view) override {}
};

CAF_TEST(a message whole within one feed is reported from that feed) {
  frame_reader reader{no_limit, message_payloads::assemble};
  payload_addresses events;
  auto frame = client_frame(fin | op_text, "in place");
  CAF_CHECK(!reader.feed(frame.data(), frame.size(), events));
  CAF_REQUIRE_EQUAL(events.at.size(), 1u);
  CAF_CHECK(events.at[0] == frame.data() + 6); // no copy: after the 6-byte header
}

// --- after the end -----------------------------------------------------------

CAF_TEST(input after a close frame is ignored) {
  const auto stream = client_frame(fin | op_text, "a")
                      + client_frame(fin | op_close, close_payload(1001))
                      + client_frame(fin | op_text, "ignored") + "garbage";
  CAF_CHECK_EQUAL(run_any_split(stream), "text 1; close 1001 ; ");

  frame_reader reader{no_limit};
  recorder r;
  auto close = client_frame(fin | op_close, "");
  CAF_CHECK(!reader.feed(close.data(), close.size(), r));
  CAF_CHECK(reader.done());
  auto more = client_frame(fin | op_ping, "x") + "\xFF\xFF";
  CAF_CHECK(!reader.feed(more.data(), more.size(), r));
  CAF_CHECK_EQUAL(r.log.size(), 1u);
}

CAF_TEST(input after an error is ignored) {
  frame_reader reader{no_limit};
  recorder r;
  auto bad = client_frame(fin | 0x3, "a");
  const auto err = reader.feed(bad.data(), bad.size(), r);
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(err->code, 1002);
  CAF_CHECK(err->reason != nullptr && *err->reason != '\0');
  CAF_CHECK(reader.done());
  auto good = client_frame(fin | op_text, "a") + client_frame(fin | op_close, "");
  CAF_CHECK(!reader.feed(good.data(), good.size(), r));
  CAF_CHECK(r.log.empty());
}

CAF_TEST(a reader is small enough for idle connections) {
  // Per-connection state; the read buffer itself is shared per thread.
  CAF_CHECK_LESS_OR_EQUAL(sizeof(frame_reader), 96u);
}

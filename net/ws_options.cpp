#include "net/ws_options.hpp"

#include <algorithm>

#include <boost/beast/websocket/option.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace herald {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Beast refuses write buffers below 8 bytes (it throws); the config loader
// should never let one through, but a connection must not die of it.
constexpr std::size_t min_write_buffer = 64;

// Length of the longest prefix of `text` of at most `max` bytes that does
// not end inside a UTF-8 sequence.
std::size_t utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max)
    return text.size();
  auto cut = max;
  // text[cut] is the first byte left out: while it continues a sequence,
  // that sequence started inside the prefix and must go too.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return cut;
}

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

template <class Stream>
void configure(Stream& ws, const config& cfg, std::string subprotocol) {
  // The websocket stream runs its own timers; the HTTP layer's deadline on
  // the TCP stream would otherwise cut a healthy connection.
  beast::get_lowest_layer(ws).expires_never();

  // The handshake timeout also bounds the closing handshake. No idle
  // timeout and no pings yet: keepalive is a separate feature.
  websocket::stream_base::timeout opt{};
  opt.handshake_timeout = cfg.handshake_timeout;
  opt.idle_timeout = websocket::stream_base::none();
  opt.keep_alive_pings = false;
  ws.set_option(opt);

  // Beast fails the connection with 1009 past this size.
  ws.read_message_max(cfg.max_message_size);
  ws.write_buffer_bytes(std::max(cfg.write_buffer_size, min_write_buffer));
  // Every message goes out as one frame, as the API promises; without
  // compression Beast then writes the shared text without copying it.
  ws.auto_fragment(false);

  ws.set_option(websocket::stream_base::decorator(
    [proto = std::move(subprotocol)](websocket::response_type& res) {
      res.set(beast::http::field::server, "herald");
      if (!proto.empty())
        res.set(beast::http::field::sec_websocket_protocol, proto);
    }));
}

} // namespace

void configure_ws_stream(ws_stream& ws, const config& cfg, std::string subprotocol) {
  configure(ws, cfg, std::move(subprotocol));
}

void configure_ws_stream(wss_stream& ws, const config& cfg, std::string subprotocol) {
  configure(ws, cfg, std::move(subprotocol));
}

std::vector<std::string_view> subprotocol_entries(std::string_view offered) {
  std::vector<std::string_view> entries;
  while (!offered.empty()) {
    auto comma = offered.find(',');
    auto entry = trim(offered.substr(0, comma));
    offered = comma == std::string_view::npos ? std::string_view{} : offered.substr(comma + 1);
    if (!entry.empty())
      entries.push_back(entry);
  }
  return entries;
}

std::string choose_subprotocol(std::string_view offered,
                               const std::vector<std::string>& supported) {
  // Subprotocol names are tokens compared exactly (RFC 6455 4.1).
  for (auto entry : subprotocol_entries(offered))
    for (const auto& name : supported)
      if (entry == name)
        return name;
  return {};
}

bool is_sendable_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

std::string fit_close_reason(std::string_view reason) {
  return std::string{reason.substr(0, utf8_prefix(reason, max_close_reason))};
}

std::string slow_consumer_reason(uint64_t resume_id) {
  return "slow consumer; resume with since=" + std::to_string(resume_id);
}

std::string log_excerpt(std::string_view text, std::size_t max) {
  auto n = utf8_prefix(text, max);
  std::string out{text.substr(0, n)};
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      c = '?';
  if (n < text.size())
    out += "...";
  return out;
}

} // namespace herald

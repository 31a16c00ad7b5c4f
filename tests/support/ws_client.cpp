#include "support/ws_client.hpp"

#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "support/io_wait.hpp"
#include "support/tls_context.hpp"

namespace herald::test_support {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

std::string to_string(const ws_event& ev) {
  switch (ev.kind) {
    case ws_event::text:
      return "text " + ev.data.substr(0, 200);
    case ws_event::binary:
      return "binary (" + std::to_string(ev.data.size()) + " bytes)";
    case ws_event::closed:
      return "closed " + std::to_string(ev.close_code) + " " + ev.close_reason;
    case ws_event::timeout:
      return "timeout";
    case ws_event::error:
      return "error " + ev.what;
  }
  return "?";
}

struct ws_client::impl {
  using plain_ws = websocket::stream<beast::tcp_stream>;
  using tls_ws = websocket::stream<tls_stream>;

  net::io_context ioc;
  std::shared_ptr<net::ssl::context> tls_context; // set: wss
  std::string tls_error;                          // why there is none although asked for
  std::variant<plain_ws, tls_ws> ws{std::in_place_index<0>, ioc};
  beast::flat_buffer buffer;
  bool open = false;

  explicit impl(const std::optional<tls_options>& tls) {
    if (!tls)
      return;
    tls_context = make_client_tls_context(*tls, tls_error);
    if (tls_context)
      ws.emplace<tls_ws>(ioc, *tls_context);
  }

  /// Calls `f` with the WebSocket stream (over TLS or TCP).
  template <class F>
  decltype(auto) with_ws(F&& f) {
    return std::visit(std::forward<F>(f), ws);
  }

  beast::tcp_stream& tcp() {
    return with_ws([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); });
  }

  void abort() {
    beast::error_code ignored;
    tcp().socket().close(ignored);
    open = false;
  }

  // Runs on the test thread; a timed-out call leaves the connection closed.
  template <class Initiate>
  beast::error_code run(std::chrono::milliseconds timeout, Initiate&& initiate,
                        bool& timed_out) {
    return run_bounded(ioc, timeout, initiate, [this] { abort(); }, timed_out);
  }

  template <class Initiate>
  beast::error_code run(std::chrono::milliseconds timeout, Initiate&& initiate) {
    bool timed_out = false;
    return run(timeout, std::forward<Initiate>(initiate), timed_out);
  }
};

ws_client::ws_client(uint16_t port, std::chrono::milliseconds timeout)
  : ws_client(port, std::nullopt, timeout) {
}

ws_client::ws_client(uint16_t port, std::optional<tls_options> tls,
                     std::chrono::milliseconds timeout)
  : port_(port), tls_(std::move(tls)), timeout_(timeout), impl_(std::make_unique<impl>(tls_)) {
}

ws_client::~ws_client() {
  impl_->abort();
}

bool ws_client::is_open() const {
  return impl_->open;
}

ws_handshake ws_client::connect(const std::string& target, const ws_connect_options& opts) {
  ws_handshake result;
  if (tls_ && !impl_->tls_context) {
    result.error = impl_->tls_error;
    return result;
  }
  auto& sock = impl_->tcp().socket();
  beast::error_code ec;
  sock.open(tcp::v4(), ec);
  if (!ec && opts.receive_buffer > 0)
    sock.set_option(net::socket_base::receive_buffer_size(opts.receive_buffer), ec);
  if (ec) {
    result.error = "socket: " + ec.message();
    return result;
  }
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port_};
  ec = impl_->run(timeout_, [&](auto handler) {
    impl_->tcp().async_connect(ep, std::move(handler));
  });
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  if (auto* wss = std::get_if<impl::tls_ws>(&impl_->ws)) {
    auto& tls = wss->next_layer();
    if (!prepare_tls_connection(tls.native_handle(), *tls_, result.error)) {
      impl_->abort();
      return result;
    }
    ec = impl_->run(timeout_, [&](auto handler) {
      tls.async_handshake(net::ssl::stream_base::client, std::move(handler));
    });
    if (ec) {
      result.error = "tls handshake: " + ec.message();
      impl_->abort();
      return result;
    }
  }
  impl_->with_ws([&](auto& ws) {
    ws.set_option(websocket::stream_base::decorator([opts](websocket::request_type& req) {
      req.set(http::field::user_agent, "herald-integration-test");
      if (!opts.origin.empty())
        req.set(http::field::origin, opts.origin);
      if (!opts.subprotocols.empty())
        req.set(http::field::sec_websocket_protocol, opts.subprotocols);
    }));
  });
  websocket::response_type res;
  auto host = "127.0.0.1:" + std::to_string(port_);
  ec = impl_->run(timeout_, [&](auto handler) {
    impl_->with_ws(
      [&](auto& ws) { ws.async_handshake(res, host, target, std::move(handler)); });
  });
  result.status = static_cast<int>(res.result_int());
  result.subprotocol = std::string{res[http::field::sec_websocket_protocol]};
  result.content_type = std::string{res[http::field::content_type]};
  result.body = res.body();
  if (ec) {
    result.error = "handshake: " + ec.message();
    impl_->abort();
    return result;
  }
  result.upgraded = true;
  impl_->open = true;
  return result;
}

ws_event ws_client::read(std::chrono::milliseconds timeout) {
  ws_event ev;
  if (!impl_->open) {
    ev.what = "not connected";
    return ev;
  }
  impl_->buffer.clear();
  bool timed_out = false;
  auto ec = impl_->run(
    timeout,
    [&](auto handler) {
      impl_->with_ws([&](auto& ws) { ws.async_read(impl_->buffer, std::move(handler)); });
    },
    timed_out);
  auto reason = impl_->with_ws([](auto& ws) { return ws.reason(); });
  // The close frame counts even if the closing handshake after it stalled.
  if (ec == websocket::error::closed || (ec && reason.code != websocket::close_code::none)) {
    ev.kind = ws_event::closed;
    ev.close_code = static_cast<int>(reason.code);
    ev.close_reason = std::string{reason.reason.c_str()};
    impl_->abort();
    return ev;
  }
  if (timed_out) {
    ev.kind = ws_event::timeout;
    return ev;
  }
  if (ec) {
    ev.kind = ws_event::error;
    ev.what = ec.message() + " (no close frame)";
    impl_->abort();
    return ev;
  }
  ev.kind = impl_->with_ws([](auto& ws) { return ws.got_text(); }) ? ws_event::text
                                                                   : ws_event::binary;
  ev.data = beast::buffers_to_string(impl_->buffer.data());
  return ev;
}

std::optional<std::string> ws_client::read_text(std::chrono::milliseconds timeout) {
  auto ev = read(timeout);
  if (ev.kind != ws_event::text)
    return std::nullopt;
  return std::move(ev.data);
}

ws_event ws_client::read_until_close(std::vector<std::string>& texts,
                                     std::chrono::milliseconds timeout,
                                     std::size_t max_frames) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  ws_event ev;
  ev.kind = ws_event::timeout;
  for (std::size_t i = 0; i < max_frames; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero())
      return ev;
    ev = read(left);
    if (ev.kind == ws_event::text)
      texts.push_back(ev.data);
    else if (ev.kind != ws_event::binary)
      return ev;
  }
  return ev;
}

bool ws_client::send_text(const std::string& text) {
  if (!impl_->open)
    return false;
  auto ec = impl_->run(timeout_, [&](auto handler) {
    impl_->with_ws([&](auto& ws) {
      ws.text(true);
      ws.async_write(net::buffer(text), std::move(handler));
    });
  });
  return !ec;
}

bool ws_client::send_raw(const std::string& bytes) {
  if (!impl_->open)
    return false;
  auto ec = impl_->run(timeout_, [&](auto handler) {
    impl_->with_ws([&](auto& ws) {
      net::async_write(ws.next_layer(), net::buffer(bytes), std::move(handler));
    });
  });
  return !ec;
}

std::string ws_client::make_frame(uint8_t opcode, const std::string& payload, bool fin,
                                  bool masked, uint8_t rsv) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0x00) | ((rsv & 0x07) << 4) | (opcode & 0x0f));
  const unsigned char mask_bit = masked ? 0x80 : 0x00;
  auto n = payload.size();
  if (n < 126) {
    out += static_cast<char>(mask_bit | n);
  } else if (n <= 0xffff) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>((n >> 8) & 0xff);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((static_cast<uint64_t>(n) >> shift) & 0xff);
  }
  if (!masked)
    return out + payload;
  const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  for (unsigned char m : mask)
    out += static_cast<char>(m);
  for (std::size_t i = 0; i < n; ++i)
    out += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
  return out;
}

void ws_client::close() {
  if (!impl_->open)
    return;
  impl_->run(std::chrono::seconds(1), [&](auto handler) {
    impl_->with_ws([&](auto& ws) {
      ws.async_close(websocket::close_code::normal, std::move(handler));
    });
  });
  impl_->abort();
}

} // namespace herald::test_support

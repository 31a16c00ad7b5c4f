#pragma once

// A WebSocket client and herald's server side over a real loopback socket,
// all on one single-threaded io_context pumped on the test thread. The
// server side reads the upgrade request as http_session does and hands it to
// start_ws_session with test hooks instead of the hub.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "actors/messages.hpp"
#include "config/config.hpp"
#include "net/fanout_shard.hpp"
#include "net/ws_session.hpp"

namespace herald::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using beast::error_code;

inline frame make_frame(uint64_t id, uint64_t prev_id, std::string json) {
  return std::make_shared<const frame_data>(frame_data{id, prev_id, "test", std::move(json)});
}

struct ws_loopback {
  // Results of one asynchronous client operation; shared with its handler
  // so an abandoned operation cannot write into a dead stack frame.
  struct op_result {
    bool done = false;
    error_code ec;
    std::string text; // reads: the message
    bool text_frame = false;
  };
  using op_ptr = std::shared_ptr<op_result>;

  net::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint{net::ip::make_address("127.0.0.1"), 0}};
  config cfg;
  websocket::stream<beast::tcp_stream> client{ioc};
  websocket::response_type handshake_response;
  // Live messages, when a test turns it on before open(): deliver() on the
  // test thread is the I/O thread's fan-out.
  fanout_shard shard;
  bool live = false;
  // The echo endpoint instead, when a test turns it on before open(): as
  // http_session starts it, without shard or session (no sink, no opened).
  bool echo = false;
  // What the hooks saw.
  sink_ptr sink;
  int opened = 0;
  int ended = 0;

  ws_loopback() {
    cfg.handshake_timeout = std::chrono::seconds(5);
  }

  ~ws_loopback() {
    sink = nullptr;
    error_code ec;
    beast::get_lowest_layer(client).socket().close(ec);
  }

  /// Runs handlers until `pred()` holds; false if `limit` passed first.
  template <class Pred>
  bool pump_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline)
        return false;
      if (ioc.stopped())
        ioc.restart();
      ioc.run_one_for(std::chrono::milliseconds(50));
    }
    return true;
  }

  /// Runs every handler that is ready now, and those they make ready.
  void drain() {
    ioc.restart();
    while (ioc.poll() > 0) {
    }
  }

  /// Connects the client, lets the server side read the upgrade request and
  /// start the session, and completes the client's handshake. `offer` is
  /// the client's Sec-WebSocket-Protocol header (none when empty).
  error_code open(std::string offer = {}, std::optional<uint64_t> since = std::nullopt) {
    auto accepted = std::make_shared<std::optional<tcp::socket>>();
    // Each connection gets its own strand, as the listener does.
    acceptor.async_accept(net::make_strand(ioc), [accepted](error_code ec, tcp::socket s) {
      if (!ec)
        accepted->emplace(std::move(s));
    });
    auto connected = std::make_shared<op_result>();
    beast::get_lowest_layer(client).async_connect(acceptor.local_endpoint(),
                                                  [connected](error_code ec) {
                                                    connected->done = true;
                                                    connected->ec = ec;
                                                  });
    if (!pump_until([&] { return accepted->has_value() && connected->done; }) || connected->ec)
      return net::error::not_connected;
    beast::tcp_stream server{std::move(**accepted)};
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    auto got_request = std::make_shared<op_result>();
    http::async_read(server, buffer, req, [got_request](error_code ec, std::size_t) {
      got_request->done = true;
      got_request->ec = ec;
    });
    if (!offer.empty())
      client.set_option(websocket::stream_base::decorator([offer](websocket::request_type& r) {
        r.set(http::field::sec_websocket_protocol, offer);
      }));
    auto handshake = std::make_shared<op_result>();
    client.async_handshake(handshake_response, "127.0.0.1", "/socket/test",
                           [handshake](error_code ec) {
                             handshake->done = true;
                             handshake->ec = ec;
                           });
    if (!pump_until([&] { return got_request->done; }) || got_request->ec)
      return http::error::end_of_stream;
    ws_hooks hooks;
    // Like the session actor: subscribed once it has joined, which lets the
    // handshake complete.
    if (!echo)
      hooks.opened = [this](sink_ptr s) {
        ++opened;
        sink = std::move(s);
        sink->subscribed();
      };
    hooks.ended = [this] { ++ended; };
    ws_params params{"test", since, 1, live ? &shard : nullptr, nullptr};
    params.echo = echo;
    start_ws_session(std::move(server), std::move(buffer), std::move(req), std::move(params), cfg,
                     std::move(hooks));
    if (!pump_until([&] { return handshake->done; }))
      return net::error::timed_out;
    if (!echo && !handshake->ec && !pump_until([&] { return opened > 0; }))
      return net::error::timed_out;
    return handshake->ec;
  }

  /// Hands `frames` to the shard as one batch, as the broadcaster would.
  void deliver(frame_list frames) {
    shard.deliver(frames);
  }

  op_ptr start_read() {
    auto r = std::make_shared<op_result>();
    auto buf = std::make_shared<beast::flat_buffer>();
    client.async_read(*buf, [this, r, buf](error_code ec, std::size_t) {
      r->done = true;
      r->ec = ec;
      r->text = beast::buffers_to_string(buf->data());
      r->text_frame = client.got_text();
    });
    return r;
  }

  /// Reads one client message; the error is net::error::timed_out when
  /// nothing arrived in time.
  op_result read() {
    auto r = start_read();
    if (!pump_until([&] { return r->done; }))
      return op_result{true, net::error::timed_out, {}, false};
    return *r;
  }

  error_code write(std::string_view text) {
    auto r = std::make_shared<op_result>();
    client.text(true);
    client.async_write(net::buffer(text.data(), text.size()), [r](error_code ec, std::size_t) {
      r->done = true;
      r->ec = ec;
    });
    if (!pump_until([&] { return r->done; }))
      return net::error::timed_out;
    return r->ec;
  }

  /// Writes bytes under the WebSocket layer, bypassing its framing.
  error_code write_raw(std::string_view bytes) {
    auto r = std::make_shared<op_result>();
    net::async_write(client.next_layer(), net::buffer(bytes.data(), bytes.size()),
                     [r](error_code ec, std::size_t) {
                       r->done = true;
                       r->ec = ec;
                     });
    if (!pump_until([&] { return r->done; }))
      return net::error::timed_out;
    return r->ec;
  }
};

} // namespace herald::test

// The life of one HTTP connection: reading requests within their limits,
// writing responses, keep-alive, and closing (see http_dispatch.cpp for what
// a request does). Runs on the connection's strand unless marked otherwise.

#include "net/http_session.hpp"

#include <chrono>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"

namespace herald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// How long, and how much, a closing connection keeps reading what the client
// still sends before the socket is closed for good.
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t linger_limit = 1024 * 1024;

constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

/// Peers going away and timeouts are routine; everything else is logged.
void fail(uint64_t id, const beast::error_code& ec, std::string_view what) {
  if (ec == net::error::operation_aborted || ec == net::error::eof
      || ec == net::error::connection_reset || ec == net::error::broken_pipe
      || ec == net::error::not_connected || ec == beast::error::timeout
      || ec == http::error::end_of_stream || ec == http::error::partial_message) {
    spdlog::debug("connection {}: {}: {}", id, what, ec.message());
    return;
  }
  spdlog::error("connection {}: {}: {}", id, what, ec.message());
}

} // namespace

http_session::http_session(tcp::socket&& socket, std::shared_ptr<server_state> state, uint64_t id,
                           connection_slot slot)
  : stream_(std::move(socket)),
    strand_(stream_.get_executor()),
    state_(std::move(state)),
    id_(id),
    slot_(std::move(slot)) {
}

http_session::~http_session() {
  state_->remove_connection(id_);
}

void http_session::run() {
  std::weak_ptr<http_session> weak = shared_from_this();
  state_->add_connection(id_, [weak] {
    if (auto self = weak.lock())
      self->shutdown();
  });
  net::dispatch(strand_, beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

// Any thread.
void http_session::shutdown() {
  net::post(strand_, [self = shared_from_this()] {
    if (self->ended_)
      return;
    self->closing_ = true;
    if (self->reading_)
      self->stream_.cancel(); // on_header sees operation_aborted and ends
  });
}

void http_session::do_read() {
  if (closing_ || state_->stopping())
    return end("server shutting down");
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_->cfg().max_header_size));
  parser_->body_limit(static_cast<std::uint64_t>(state_->cfg().max_message_size));
  // One bound for waiting idle and for the whole header.
  stream_.expires_after(state_->cfg().handshake_timeout);
  reading_ = true;
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec)
    return read_failed(ec);
  if (parser_->is_done())
    return handle_request();
  const auto& req = parser_->get();
  // Clients such as curl wait for this before they send a larger body.
  if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
    stream_.expires_after(state_->cfg().handshake_timeout);
    net::async_write(stream_, net::buffer(continue_response.data(), continue_response.size()),
                     beast::bind_front_handler(&http_session::on_continue, shared_from_this()));
    return;
  }
  on_continue({}, 0);
}

void http_session::on_continue(beast::error_code ec, std::size_t) {
  if (ec) {
    fail(id_, ec, "write 100-continue");
    return end("write failed");
  }
  stream_.expires_after(state_->cfg().handshake_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec)
    return read_failed(ec);
  handle_request();
}

void http_session::read_failed(beast::error_code ec) {
  if (ec == http::error::header_limit)
    return send_error(431, "request headers too large", true);
  if (ec == http::error::body_limit)
    return send_error(413, "request body too large", true);
  if (ec == http::error::end_of_stream)
    return end("closed by peer");
  if (ec == beast::error::timeout)
    return end("read timed out");
  if (ec == net::error::operation_aborted)
    return end(closing_ ? "server shutting down" : "read aborted");
  if (ec.category() == http::make_error_code(http::error::bad_method).category()
      && ec != http::error::partial_message) {
    spdlog::debug("connection {}: malformed request: {}", id_, ec.message());
    return send_error(400, "malformed HTTP request: " + ec.message(), true);
  }
  fail(id_, ec, "read");
  end("read failed: " + ec.message());
}

void http_session::send_error(unsigned status, std::string_view message, bool close) {
  unsigned version = 11;
  bool keep_alive = !close;
  if (parser_ && parser_->is_header_done()) {
    version = parser_->get().version();
    keep_alive = keep_alive && parser_->get().keep_alive();
  }
  send(make_error(status, message, version, keep_alive), close);
}

void http_session::send(http_response res, bool close) {
  if (ended_)
    return;
  if (close || closing_ || state_->stopping())
    res.keep_alive(false);
  close = !res.keep_alive();
  res_ = std::move(res);
  stream_.expires_after(state_->cfg().handshake_timeout);
  http::async_write(stream_, *res_,
                    beast::bind_front_handler(&http_session::on_write, shared_from_this(), close));
}

void http_session::on_write(bool close, beast::error_code ec, std::size_t) {
  res_.reset();
  // The response is out (or cannot be): this publish no longer holds up shutdown.
  publish_.reset();
  if (ec) {
    fail(id_, ec, "write");
    return end("write failed: " + ec.message());
  }
  if (close)
    return linger();
  do_read();
}

void http_session::linger() {
  state_->remove_connection(id_);
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec)
    return end("closed");
  stream_.expires_after(linger_time);
  do_drain();
}

void http_session::do_drain() {
  stream_.async_read_some(net::buffer(drain_buf_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > linger_limit)
                              return self->end("closed after response");
                            self->do_drain();
                          });
}

void http_session::end(std::string_view reason) {
  if (ended_)
    return;
  ended_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
  state_->remove_connection(id_);
  spdlog::debug("connection {} closed: {}", id_, reason);
}

} // namespace herald

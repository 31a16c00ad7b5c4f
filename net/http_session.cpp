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
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "config/conn_tag.hpp"
#include "metrics/io_metrics.hpp"

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

// What the first read of an idle kept-alive connection takes: the start of
// the next request, the rest follows through the parser.
constexpr std::size_t idle_read_size = 1024;

constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

/// Peers going away and timeouts are routine; everything else is logged.
void fail(uint64_t id, const beast::error_code& ec, std::string_view what) {
  if (ec == net::error::operation_aborted || ec == net::error::eof
      || ec == net::error::connection_reset || ec == net::error::broken_pipe
      || ec == net::error::not_connected || ec == beast::error::timeout
      || ec == http::error::end_of_stream || ec == http::error::partial_message) {
    spdlog::debug("{} {}: {}", conn_tag{id}, what, ec.message());
    return;
  }
  spdlog::error("{} {}: {}", conn_tag{id}, what, ec.message());
}

} // namespace

template <class Stream>
basic_http_session<Stream>::basic_http_session(Stream&& stream, std::shared_ptr<server_state> state,
                                               uint64_t id, connection_slot slot)
  : stream_(std::move(stream)),
    strand_(stream_.get_executor()),
    state_(std::move(state)),
    cfg_(state_->cfg()),
    id_(id),
    slot_(std::move(slot)) {
}

template <class Stream>
basic_http_session<Stream>::~basic_http_session() {
  state_->remove_connection(id_);
}

template <class Stream>
void basic_http_session<Stream>::run() {
  std::weak_ptr<basic_http_session> weak = this->shared_from_this();
  state_->add_connection(id_, [weak] {
    if (auto self = weak.lock())
      self->shutdown();
  });
  if constexpr (is_tls) {
    net::dispatch(strand_, [self = this->shared_from_this()] {
      // A client that connects and never finishes the handshake holds a
      // slot: it gets as long as an HTTP request's header does.
      beast::get_lowest_layer(self->stream_).expires_after(self->cfg_->handshake_timeout);
      self->reading_ = true; // shutdown() cancels a pending handshake too
      self->stream_.async_handshake(
        net::ssl::stream_base::server,
        beast::bind_front_handler(&basic_http_session::on_tls_handshake, self));
    });
  } else {
    net::dispatch(strand_,
                  beast::bind_front_handler(&basic_http_session::do_read, this->shared_from_this()));
  }
}

template <class Stream>
void basic_http_session<Stream>::on_tls_handshake(beast::error_code ec) {
  reading_ = false;
  if (ec) {
    // Scanners, plain-text clients and expired certificates: routine.
    spdlog::debug("{} TLS handshake failed: {}", conn_tag{id_}, ec.message());
    return end("TLS handshake failed", ec == beast::error::timeout
                                         ? close_reason::handshake_timeout
                                         : close_reason::protocol_error);
  }
  do_read();
}

// Any thread.
template <class Stream>
void basic_http_session<Stream>::shutdown() {
  net::post(strand_, [self = this->shared_from_this()] {
    if (self->ended_)
      return;
    self->closing_ = true;
    if (self->reading_)
      beast::get_lowest_layer(self->stream_).cancel(); // the read sees operation_aborted and ends
  });
}

template <class Stream>
void basic_http_session<Stream>::do_read() {
  if (closing_ || state_->stopping())
    return end("server shutting down", close_reason::shutdown);
  // A kept-alive connection may wait idle_timeout for its next request;
  // once that request starts, its header gets handshake_timeout like the
  // first one, so idling is never a way to send a header slowly.
  if (requests_ == 0 || buffer_.size() > 0)
    return read_request();
  beast::get_lowest_layer(stream_).expires_after(state_->cfg()->idle_timeout);
  reading_ = true;
  stream_.async_read_some(
    buffer_.prepare(idle_read_size), [self = this->shared_from_this()](beast::error_code ec,
                                                                        std::size_t n) {
      self->reading_ = false;
      if (ec)
        return self->read_failed(ec);
      self->buffer_.commit(n);
      self->read_request();
    });
}

template <class Stream>
void basic_http_session<Stream>::read_request() {
  // This request's rules from its first byte to its response, whatever a
  // reload does meanwhile.
  cfg_ = state_->cfg();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(cfg_->max_header_size));
  parser_->body_limit(static_cast<std::uint64_t>(cfg_->max_message_size));
  // One bound for waiting idle and for the whole header.
  beast::get_lowest_layer(stream_).expires_after(cfg_->handshake_timeout);
  reading_ = true;
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&basic_http_session::on_header, this->shared_from_this()));
}

template <class Stream>
void basic_http_session<Stream>::on_header(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec)
    return read_failed(ec);
  if (parser_->is_done())
    return handle_request();
  const auto& req = parser_->get();
  // Clients such as curl wait for this before they send a larger body.
  if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
    beast::get_lowest_layer(stream_).expires_after(cfg_->handshake_timeout);
    net::async_write(stream_, net::buffer(continue_response.data(), continue_response.size()),
                     beast::bind_front_handler(&basic_http_session::on_continue, this->shared_from_this()));
    return;
  }
  on_continue({}, 0);
}

template <class Stream>
void basic_http_session<Stream>::on_continue(beast::error_code ec, std::size_t) {
  if (ec) {
    fail(id_, ec, "write 100-continue");
    return end("write failed", close_reason::client_gone);
  }
  beast::get_lowest_layer(stream_).expires_after(cfg_->handshake_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&basic_http_session::on_read, this->shared_from_this()));
}

template <class Stream>
void basic_http_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec)
    return read_failed(ec);
  handle_request();
}

template <class Stream>
void basic_http_session<Stream>::read_failed(beast::error_code ec) {
  if (ec == http::error::header_limit || ec == http::error::body_limit)
    closing_why_ = close_reason::protocol_error;
  if (ec == http::error::header_limit)
    return send_error(431, "request headers too large", true);
  if (ec == http::error::body_limit) {
    note_refused_publish(publish_refusal::too_large);
    return send_error(413, "request body too large", true);
  }
  if (ec == http::error::end_of_stream || ec == net::error::eof
      || ec == net::ssl::error::stream_truncated)
    return end("closed by peer", close_reason::normal);
  // Idle between requests (idle_timeout): no request begun since the last.
  if (ec == beast::error::timeout)
    return end("read timed out", requests_ > 0 && (!parser_ || parser_->is_done())
                                   ? close_reason::idle_timeout
                                   : close_reason::handshake_timeout);
  if (ec == net::error::operation_aborted)
    return end(closing_ ? "server shutting down" : "read aborted",
               closing_ ? close_reason::shutdown : close_reason::server_error);
  if (ec.category() == http::make_error_code(http::error::bad_method).category()
      && ec != http::error::partial_message) {
    spdlog::debug("{} malformed request: {}", conn_tag{id_}, ec.message());
    closing_why_ = close_reason::protocol_error;
    return send_error(400, "malformed HTTP request: " + ec.message(), true);
  }
  fail(id_, ec, "read");
  end("read failed: " + ec.message(), close_reason::client_gone);
}

template <class Stream>
void basic_http_session<Stream>::send_error(unsigned status, std::string_view message, bool close) {
  unsigned version = 11;
  bool keep_alive = !close;
  if (parser_ && parser_->is_header_done()) {
    version = parser_->get().version();
    keep_alive = keep_alive && parser_->get().keep_alive();
  }
  send(make_error(status, message, version, keep_alive), close);
}

template <class Stream>
void basic_http_session<Stream>::send(http_response res, bool close) {
  if (ended_)
    return;
  if (close || closing_ || state_->stopping())
    res.keep_alive(false);
  if (closing_ || state_->stopping())
    closing_why_ = close_reason::shutdown;
  close = !res.keep_alive();
  res_ = std::move(res);
  beast::get_lowest_layer(stream_).expires_after(cfg_->handshake_timeout);
  http::async_write(stream_, *res_,
                    beast::bind_front_handler(&basic_http_session::on_write, this->shared_from_this(), close));
}

template <class Stream>
void basic_http_session<Stream>::on_write(bool close, beast::error_code ec, std::size_t) {
  res_.reset();
  ++requests_;
  // The response is out (or cannot be): this publish no longer holds up shutdown.
  publish_.reset();
  if (ec) {
    fail(id_, ec, "write");
    return end("write failed: " + ec.message(), close_reason::client_gone);
  }
  if (close)
    return linger();
  do_read();
}

template <class Stream>
void basic_http_session<Stream>::linger() {
  state_->remove_connection(id_);
  if constexpr (is_tls) {
    // No half-close in TLS that the client would still write through
    // (OpenSSL fails reads of data after its close_notify): the response
    // says Connection: close, so read and discard until the client closes,
    // bounded like the plain case.
    beast::get_lowest_layer(stream_).expires_after(linger_time);
    do_drain();
  } else {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec)
      return end("closed", closing_why_);
    beast::get_lowest_layer(stream_).expires_after(linger_time);
    do_drain();
  }
}

template <class Stream>
void basic_http_session<Stream>::do_drain() {
  stream_.async_read_some(net::buffer(drain_buf_),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > linger_limit)
                              return self->end("closed after response", self->closing_why_);
                            self->do_drain();
                          });
}

template <class Stream>
void basic_http_session<Stream>::end(std::string_view reason, close_reason why) {
  if (ended_)
    return;
  ended_ = true;
  io_metrics::local().closed(connection_kind::http, why);
  auto& tcp_stream = beast::get_lowest_layer(stream_);
  beast::error_code ec;
  tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  tcp_stream.close();
  state_->remove_connection(id_);
  spdlog::debug("{} closed: {}", conn_tag{id_}, reason);
}

template class basic_http_session<beast::tcp_stream>;
template class basic_http_session<tls_stream>;

} // namespace herald

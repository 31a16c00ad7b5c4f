#include "net/ws_session.hpp"

#include <memory>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "net/write_queue.hpp"
#include "net/ws_options.hpp"

namespace herald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using beast::error_code;

namespace {

// Policy violation: the code a client gets when it cannot keep up.
constexpr uint16_t close_slow_consumer = 1008;
constexpr uint16_t close_internal_error = 1011;

// One WebSocket connection. Everything but send() and close() runs on the
// connection's strand (the stream's executor); those two only post there,
// so they may be called from any thread (the session actor calls them).
class ws_session : public connection_sink, public std::enable_shared_from_this<ws_session> {
public:
  ws_session(beast::tcp_stream&& stream, ws_params params, const config& cfg, ws_hooks hooks)
    : ws_(std::move(stream)),
      strand_(ws_.get_executor()),
      params_(std::move(params)),
      queue_(cfg.write_queue_limit, params_.since),
      hooks_(std::move(hooks)) {
    buffer_.reserve(cfg.read_buffer_size);
  }

  void run(http::request<http::string_body> req, const config& cfg, std::size_t leftover) {
    error_code ec;
    auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    if (leftover > 0) // RFC 6455 4.1: the client waits for the 101 before sending
      spdlog::debug("ws conn={} ignoring {} bytes sent before the handshake",
                    params_.connection_id, leftover);
    std::string offered;
    for (auto it = req.find(http::field::sec_websocket_protocol);
         it != req.end() && it->name() == http::field::sec_websocket_protocol; ++it)
      offered.append(it->value().data(), it->value().size()).push_back(',');
    configure_ws_stream(ws_, cfg, choose_subprotocol(offered, cfg.subprotocols));
    req_ = std::move(req); // must outlive async_accept
    // Subscribe first, answer the upgrade after: a client that sees the 101
    // receives every message published from then on. Frames that arrive
    // before the handshake completes wait in the queue.
    opened_ = true;
    if (hooks_.opened)
      hooks_.opened(shared_from_this());
    else
      subscribed();
  }

  void subscribed() override {
    net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
  }

  void notify_when_drained() override {
    net::post(strand_, [self = shared_from_this()] {
      self->drain_wanted_ = true;
      self->check_drained();
    });
  }

  void send(frame f) override {
    net::post(strand_, [self = shared_from_this(), f = std::move(f)]() mutable {
      self->on_send(std::move(f));
    });
  }

  void close(uint16_t code, std::string reason) override {
    net::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)] {
      self->request_close(code, reason);
    });
  }

private:
  void do_accept() {
    if (closing_ || accept_started_)
      return;
    accept_started_ = true;
    ws_.async_accept(req_, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  void on_accept(error_code ec) {
    req_ = {};
    if (ec) {
      fail(ec, "handshake");
      return end(ec);
    }
    accepted_ = true;
    ws_.text(true); // every frame herald sends is JSON text
    spdlog::info("ws open conn={} peer={} channel={} since={}", params_.connection_id, peer_,
                 params_.channel, params_.since ? std::to_string(*params_.since) : "none");
    if (closing_)
      do_close();
    else if (queue_.can_write())
      do_write();
    do_read();
  }

  // Replays are paced: the session sends the next burst once the queue is
  // down to a quarter of its limit, so the socket never runs dry meanwhile.
  void check_drained() {
    if (!drain_wanted_ || queue_.queued_bytes() > queue_.limit() / 4)
      return;
    drain_wanted_ = false;
    if (hooks_.drained)
      hooks_.drained();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
  }

  // Beast itself fails the connection on bad input and sends the close
  // frame before this handler runs: 1002 for protocol errors, 1007 for
  // invalid UTF-8 in a text message, 1009 past read_message_max
  // (websocket/impl/read.hpp, read_some_op, label `close`).
  void on_read(error_code ec, std::size_t) {
    if (ec)
      return end(ec);
    if (ws_.got_text()) {
      auto data = buffer_.cdata();
      std::string_view text{static_cast<const char*>(data.data()), data.size()};
      spdlog::debug("ws text conn={} ignored: {}", params_.connection_id, log_excerpt(text));
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void on_send(frame f) {
    if (closing_ || !f)
      return;
    if (!queue_.push(std::move(f))) {
      spdlog::warn("ws slow consumer conn={} queued={} limit={}", params_.connection_id,
                   queue_.queued_bytes(), queue_.limit());
      slow_consumer_ = true;
      return request_close(close_slow_consumer, {});
    }
    if (accepted_ && queue_.can_write())
      do_write();
  }

  void do_write() {
    // The queue owns the frame until write_done(), so the buffer stays valid.
    const auto& f = queue_.begin_write();
    ws_.async_write(net::buffer(f->json),
                    beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) {
      queue_.clear();
      closing_ = true; // the read loop ends the connection
      return fail(ec, "write");
    }
    queue_.write_done();
    if (closing_)
      return do_close();
    if (queue_.can_write())
      do_write();
    check_drained();
  }

  void request_close(uint16_t code, std::string reason) {
    if (closing_)
      return;
    closing_ = true;
    // A code that may not go on the wire would leave the close unsent.
    close_code_ = is_sendable_close_code(code) ? code : close_internal_error;
    close_reason_ = fit_close_reason(reason);
    queue_.drop_pending();
    if (!queue_.writing() && (accepted_ || !accept_started_))
      do_close();
  }

  // Runs once the write in flight (if any) has completed.
  void do_close() {
    if (close_sent_ || ended_)
      return;
    close_sent_ = true;
    if (!accepted_) {
      // Refused before the upgrade was answered (the subscription failed):
      // there is no WebSocket to close, only the socket.
      error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return end(net::error::operation_aborted);
    }
    // The resume point is the last frame whose write completed: the close
    // frame follows it on the wire, so the client has everything up to it.
    if (slow_consumer_)
      close_reason_ = slow_consumer_reason(queue_.resume_id());
    websocket::close_reason cr;
    cr.code = close_code_;
    cr.reason.assign(close_reason_.data(), close_reason_.size());
    // The pending read receives the client's answering close frame and ends
    // the connection; this handler only reports failures.
    ws_.async_close(cr, [self = shared_from_this()](error_code ec) {
      if (ec)
        self->fail(ec, "close");
    });
  }

  // The read loop ended: the connection is over, whoever closed it.
  void end(error_code ec) {
    if (ended_)
      return;
    ended_ = true;
    closing_ = true;
    queue_.drop_pending();
    spdlog::info("ws close conn={} reason={}", params_.connection_id, describe(ec));
    auto hooks = std::move(hooks_);
    hooks_ = {};
    if (opened_ && hooks.ended)
      hooks.ended();
  }

  std::string describe(error_code ec) const {
    if (ec != websocket::error::closed)
      return "error: " + ec.message();
    if (close_sent_)
      return "server " + std::to_string(close_code_) + " '" + log_excerpt(close_reason_) + "'";
    auto r = ws_.reason();
    return "client " + std::to_string(r.code) + " '" +
           log_excerpt({r.reason.data(), r.reason.size()}) + "'";
  }

  // A peer that went away is normal life for a push server (the read loop
  // logs the close once); only the unexpected is worth a warning.
  void fail(error_code ec, const char* what) {
    if (ec == net::error::operation_aborted || ec == websocket::error::closed)
      return;
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe
        || ec == net::error::not_connected || ec == net::error::eof
        || ec == beast::error::timeout) {
      spdlog::debug("ws {} conn={} peer={}: {}", what, params_.connection_id, peer_, ec.message());
      return;
    }
    spdlog::warn("ws {} conn={} peer={}: {}", what, params_.connection_id, peer_, ec.message());
  }

  ws_stream ws_;
  net::any_io_executor strand_; // a copy of ws_'s executor, safe to use from any thread
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_; // the upgrade request, during the handshake
  ws_params params_;
  std::string peer_;
  write_queue queue_;
  ws_hooks hooks_;
  bool opened_ = false;         // the owner knows the connection (hooks.opened ran)
  bool accept_started_ = false; // async_accept is running or done
  bool accepted_ = false;       // the handshake completed
  bool drain_wanted_ = false;   // the session waits for room in the queue
  bool closing_ = false;     // no more frames are taken
  bool close_sent_ = false;  // async_close started
  bool ended_ = false;       // the read loop ended
  bool slow_consumer_ = false;
  uint16_t close_code_ = 0;
  std::string close_reason_;
};

} // namespace

void start_ws_session(beast::tcp_stream stream, beast::flat_buffer buffer,
                      http::request<http::string_body> req, ws_params params,
                      const config& cfg, ws_hooks hooks) {
  auto session = std::make_shared<ws_session>(std::move(stream), std::move(params), cfg,
                                              std::move(hooks));
  session->run(std::move(req), cfg, buffer.size());
}

} // namespace herald

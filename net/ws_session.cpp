#include "net/ws_session.hpp"

#include <array>
#include <chrono>
#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "config/conn_tag.hpp"
#include "metrics/io_metrics.hpp"
#include "net/fanout_shard.hpp"
#include "net/slow_consumer.hpp"
#include "net/upgrade_auth.hpp"
#include "net/write_queue.hpp"
#include "net/ws_frame.hpp"
#include "net/ws_options.hpp"

namespace herald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using beast::error_code;
using tcp = net::ip::tcp;

namespace {

// Policy violation: the code a client gets when it cannot keep up.
constexpr uint16_t close_slow_consumer = 1008;
constexpr uint16_t close_internal_error = 1011;
// Buffers per gather write (two per message frame: header and text).
constexpr std::size_t gather_max = 128;
// What one read of a TLS connection takes. Its TLS layer keeps a record
// buffer of its own, so this only bounds the decrypted bytes per read;
// clients send little (pongs, closes).
constexpr std::size_t tls_read_size = 4096;

// Every connection of an I/O thread reads into the same buffer: a read is
// parsed completely before the next one, so an idle connection holds no
// read buffer at all.
std::vector<char>& thread_read_buffer(std::size_t size) {
  thread_local std::vector<char> buffer;
  if (buffer.size() < size)
    buffer.resize(size);
  return buffer;
}

bool peer_gone(const error_code& ec) {
  return ec == net::error::connection_reset || ec == net::error::broken_pipe
         || ec == net::error::not_connected || ec == net::error::eof
         || ec == net::error::operation_aborted || ec == net::error::bad_descriptor
         || ec == beast::error::timeout;
}

// One WebSocket connection. Beast answers the upgrade; from then on the
// connection owns the bare socket: it parses the client's frames itself and
// writes the queued frames with one gather write, without a read buffer of
// its own while idle. Over TLS it keeps the TLS stream instead: it reads
// into a small buffer of its own and copies each gather into one buffer
// for the TLS layer, which encrypts it anyway.
//
// Everything runs on the connection's strand, which belongs to one I/O
// thread; live messages come from that thread's fanout_shard, the session
// actor's calls (send, replay_done, close...) are posted. The connection
// never ends inside push_live/flush_live: it only closes the socket there,
// and the pending read notices and ends it.
class ws_session : public connection_sink,
                   public live_subscriber,
                   public ws::frame_events,
                   public std::enable_shared_from_this<ws_session> {
public:
  ws_session(upgraded_stream&& stream, ws_params params, const config& cfg, ws_hooks hooks)
    : strand_(std::visit([](auto& s) { return net::any_io_executor{s.get_executor()}; }, stream)),
      socket_(strand_),
      params_(std::move(params)),
      queue_(cfg.write_queue_limit, params_.since),
      reader_(cfg.max_message_size,
              params_.echo ? ws::message_payloads::assemble : ws::message_payloads::discard),
      hooks_(std::move(hooks)),
      close_timeout_(cfg.handshake_timeout),
      ping_interval_(cfg.ping_interval),
      pong_timeout_(cfg.pong_timeout),
      read_size_(cfg.read_buffer_size),
      write_size_(cfg.write_buffer_size),
      replaying_(params_.since.has_value()),
      policy_(policy_for(params_.channel, cfg.slow_consumer_policy, cfg.slow_consumer_channels)),
      last_queued_(params_.since.value_or(0)),
      metrics_(&io_metrics::local()) {
    if (auto* plain = std::get_if<beast::tcp_stream>(&stream))
      handshake_ = std::make_unique<ws_stream>(std::move(*plain));
    else
      tls_handshake_ = std::make_unique<wss_stream>(std::move(std::get<tls_stream>(stream)));
  }

  void run(http::request<http::string_body> req, const config& cfg, std::size_t leftover) {
    metrics_->opened(connection_kind::websocket);
    error_code ec;
    auto ep = lowest_socket().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    if (leftover > 0) // RFC 6455 4.1: the client waits for the 101 before sending
      spdlog::debug("ws {} ignoring {} bytes sent before the handshake",
                    conn_tag{params_.connection_id}, leftover);
    std::string offered;
    for (auto it = req.find(http::field::sec_websocket_protocol);
         it != req.end() && it->name() == http::field::sec_websocket_protocol; ++it)
      offered.append(it->value().data(), it->value().size()).push_back(',');
    // A configured one, or "herald" next to a bearer.<token> entry (net/upgrade_auth.hpp).
    auto subprotocol = answer_subprotocol(offered, cfg.subprotocols);
    if (tls_handshake_)
      configure_ws_stream(*tls_handshake_, cfg, std::move(subprotocol));
    else
      configure_ws_stream(*handshake_, cfg, std::move(subprotocol));
    // Must outlive async_accept; held only until then.
    req_ = std::make_unique<http::request<http::string_body>>(std::move(req));
    // Live messages first, the upgrade's answer after: a client that sees
    // the 101 receives every message published from then on. Frames that
    // arrive before the handshake completes wait in the queue.
    if (params_.shard) {
      params_.shard->add(params_.channel, this);
      registered_ = true;
    }
    opened_ = true;
    if (hooks_.opened)
      hooks_.opened(shared_from_this());
    else
      subscribed();
  }

  // --- connection_sink: any thread -------------------------------------

  void subscribed() override {
    net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
  }

  void notify_when_drained() override {
    net::post(strand_, [self = shared_from_this()] {
      self->drain_wanted_ = true;
      self->check_drained();
    });
  }

  void send(frame_list frames) override {
    net::post(strand_, [self = shared_from_this(), frames = std::move(frames)]() mutable {
      for (auto& f : frames)
        self->enqueue(f);
      self->flush();
    });
  }

  void replay_done() override {
    net::post(strand_, [self = shared_from_this()] { self->on_replay_done(); });
  }

  void close(uint16_t code, std::string reason) override {
    net::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)] {
      self->request_close(code, reason);
      self->flush();
    });
  }

  // --- live_subscriber: the shard's thread, inside deliver() -------------

  bool push_live(const frame& f) override {
    if (closing_ || !f || f->id <= last_queued_)
      return false;
    if (replaying_) {
      // Held until the replay is done; bounded like the queue itself.
      held_bytes_ += f->json.size();
      held_.push_back(f);
      if (held_bytes_ > queue_.limit())
        overflow();
      return false;
    }
    if (!enqueue(f) || flush_wanted_)
      return false;
    flush_wanted_ = true;
    return true;
  }

  void flush_live() override {
    flush_wanted_ = false;
    flush();
  }

  // Any frame from the peer shows it is there; a ping is sent only after a
  // whole interval of silence, and the connection is dropped when the ping
  // gets no answer (no frame at all) within pong_timeout.
  void sweep(time_point now) override {
    if (!accepted_ || closing_ || ping_interval_.count() == 0)
      return;
    if (heard_ || next_ping_ == time_point{}) {
      heard_ = false;
      ping_outstanding_ = false;
      next_ping_ = now + ping_interval_;
      return;
    }
    if (ping_outstanding_) {
      if (now >= ping_deadline_)
        return ping_timed_out();
      return;
    }
    if (now < next_ping_)
      return;
    ping_outstanding_ = true;
    ping_deadline_ = now + pong_timeout_;
    queue_.push_control(ws::encode_ping({}));
    flush();
  }

  void close_now(uint16_t code, const std::string& reason) override {
    request_close(code, reason);
    flush();
  }

  // --- ws::frame_events: inside on_readable ------------------------------

  void on_message(bool text, std::size_t size, std::string_view payload) override {
    if (!params_.echo) {
      spdlog::debug("ws {} ignored a {} message of {} bytes", conn_tag{params_.connection_id},
                    text ? "text" : "binary", size);
      return;
    }
    if (closing_)
      return;
    // Back as it came, bounded like any other frame: a client that sends
    // faster than it reads is a slow consumer. Full only counts once the
    // socket has taken what it will.
    const auto op = text ? ws::opcode::text : ws::opcode::binary;
    if (queue_.push_data(op, payload))
      return;
    flush();
    if (closing_ || queue_.push_data(op, payload))
      return;
    // Not overflow(): its close reason names a message id to resume from,
    // and an echo has none.
    spdlog::warn("ws slow consumer {} (echo) queued={} limit={}", conn_tag{params_.connection_id},
                 queue_.queued_bytes(), queue_.limit());
    metrics_->slow_consumer_closes.add();
    request_close(close_slow_consumer, "slow consumer");
    flush();
  }

  void on_ping(std::string_view payload) override {
    if (!closing_)
      queue_.push_control(ws::encode_pong(payload));
  }

  void on_pong(std::string_view) override {}

  void on_close(std::optional<uint16_t> code, std::string_view reason) override {
    peer_closed_ = true;
    peer_code_ = code.value_or(1005);
    peer_reason_.assign(reason.data(), reason.size());
    // Echo the code (RFC 6455 5.5.1) unless we closed first.
    if (!closing_) {
      client_closed_first_ = true;
      start_close(code.value_or(0), {});
    }
  }

private:
  // --- handshake ---------------------------------------------------------

  void do_accept() {
    if (accept_started_ || ended_)
      return;
    if (closing_) // refused before the upgrade was answered
      return abort_handshake();
    accept_started_ = true;
    auto done = beast::bind_front_handler(&ws_session::on_accept, shared_from_this());
    if (tls_handshake_)
      tls_handshake_->async_accept(*req_, std::move(done));
    else
      handshake_->async_accept(*req_, std::move(done));
  }

  void on_accept(error_code ec) {
    req_.reset();
    if (ec) {
      fail(ec, "handshake");
      return end(ec);
    }
    // From here on the bare socket (or the TLS stream): Beast's websocket
    // stream and its buffers go.
    if (tls_handshake_) {
      tls_ = std::make_unique<tls_stream>(std::move(tls_handshake_->next_layer()));
      tls_handshake_.reset();
      tls_read_ = std::make_unique<char[]>(tls_read_size);
    } else {
      socket_ = beast::get_lowest_layer(*handshake_).release_socket();
      handshake_.reset();
    }
    accepted_ = true;
    spdlog::info("ws open {} peer={} channel={} since={}", conn_tag{params_.connection_id}, peer_,
                 params_.channel, params_.since ? std::to_string(*params_.since) : "none");
    if (closing_)
      start_close(close_code_, close_reason_);
    flush();
    do_read();
  }

  void abort_handshake() {
    error_code ignored;
    lowest_socket().close(ignored);
    end(net::error::operation_aborted);
  }

  // The TCP socket under whatever carries the connection now.
  tcp::socket& lowest_socket() {
    if (handshake_)
      return beast::get_lowest_layer(*handshake_).socket();
    if (tls_handshake_)
      return beast::get_lowest_layer(*tls_handshake_).socket();
    if (tls_)
      return beast::get_lowest_layer(*tls_).socket();
    return socket_;
  }

  // --- reading -------------------------------------------------------------

  void do_read() {
    if (tls_) {
      tls_->async_read_some(net::buffer(tls_read_.get(), tls_read_size),
                            beast::bind_front_handler(&ws_session::on_tls_read, shared_from_this()));
      return;
    }
    socket_.async_wait(tcp::socket::wait_read,
                       beast::bind_front_handler(&ws_session::on_readable, shared_from_this()));
  }

  void on_tls_read(error_code ec, std::size_t n) {
    if (ec)
      return end(ec);
    take_bytes(tls_read_.get(), n);
    after_read();
  }

  // Bytes from the client, as they came: parsed into frames, which answer
  // themselves (pong, close) through the queue.
  void take_bytes(char* data, std::size_t n) {
    heard_ = true;
    if (reader_.done())
      return;
    if (auto err = reader_.feed(data, n, *this)) {
      spdlog::info("ws {} protocol error: {} {}", conn_tag{params_.connection_id}, err->code,
                   err->reason);
      peer_closed_ = true; // nothing more will be read from this peer
      request_close(err->code, err->reason);
    }
  }

  void after_read() {
    flush();
    if (peer_closed_ && close_written_) // the closing handshake is complete
      close_socket();
    if (!lowest_socket().is_open())
      return end(error_code{});
    do_read();
  }

  void on_readable(error_code ec) {
    if (ec)
      return end(ec);
    auto& buffer = thread_read_buffer(read_size_);
    for (;;) {
      auto n = ::recv(socket_.native_handle(), buffer.data(), read_size_, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          break;
        if (errno == EINTR)
          continue;
        return end(error_code{errno, boost::system::system_category()});
      }
      if (n == 0)
        return end(net::error::eof);
      take_bytes(buffer.data(), static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < read_size_)
        break;
    }
    after_read();
  }

  // --- writing -------------------------------------------------------------

  // Queues a message frame; false when the connection does not take it.
  bool enqueue(const frame& f) {
    if (closing_ || !f || f->id <= last_queued_)
      return false;
    auto id = f->id;
    if (lag_skipped_ > 0 && policy_ == slow_policy::drop_newest && queue_.fits(f->json.size()))
      queue_lag_notice(false); // the gap lies between what is queued and `f`
    if (!queue_.push(f)) {
      // Full only counts once the kernel has taken what it will: a batch
      // larger than the limit must not close a client that keeps up.
      flush();
      if (closing_)
        return false;
      if (!queue_.push(f) && !make_room(f))
        return false;
    }
    last_queued_ = id;
    metrics_->deliveries.add();
    return true;
  }

  // The queue is full even after writing what the socket takes: the
  // channel's slow-consumer policy decides. True when `f` got queued.
  bool make_room(const frame& f) {
    if (policy_ == slow_policy::disconnect) {
      overflow();
      return false;
    }
    uint64_t gap_after = 0;
    std::size_t dropped = 0;
    if (policy_ == slow_policy::drop_oldest) {
      dropped = queue_.drop_oldest(f->json.size(), gap_after);
      if (dropped > 0)
        note_lag(dropped, gap_after);
      if (queue_.push(f))
        return true;
    }
    // drop_newest (or a message larger than the whole limit): `f` goes.
    note_lag(1, f->prev_id);
    last_queued_ = f->id; // dropped, not to be queued later either
    return false;
  }

  void note_lag(std::size_t skipped, uint64_t gap_after) {
    if (lag_skipped_ == 0)
      lag_after_ = gap_after;
    lag_skipped_ += skipped;
  }

  // {"type":"lagged",...} where the gap is: in front of every frame not yet
  // started (drop_oldest dropped those before them), or at the end
  // (drop_newest dropped what would have come next).
  void queue_lag_notice(bool in_front) {
    // A notice still waiting in front covers the gap just before this one:
    // the two become one, so the client sees one notice per gap.
    if (in_front && queue_.take_front_control()) {
      lag_after_ = front_notice_after_;
      lag_skipped_ += front_notice_skipped_;
    }
    if (in_front) {
      front_notice_after_ = lag_after_;
      front_notice_skipped_ = lag_skipped_;
    }
    auto text = lagged_notice(lag_skipped_, lag_after_);
    spdlog::debug("ws {} lagged: skipped={} resume_from={}", conn_tag{params_.connection_id},
                  lag_skipped_, lag_after_);
    auto h = ws::encode_header(ws::opcode::text, text.size());
    std::string frame_bytes{h.view()};
    frame_bytes += text;
    if (in_front)
      queue_.push_front_control(std::move(frame_bytes));
    else
      queue_.push_control(std::move(frame_bytes), true);
    lag_skipped_ = 0;
    metrics_->lagged_notices.add();
  }

  void on_replay_done() {
    if (!replaying_)
      return;
    replaying_ = false;
    auto held = std::move(held_);
    held_ = {};
    held_bytes_ = 0;
    for (auto& f : held)
      enqueue(f);
    flush();
  }

  // The peer is gone without a FIN (or hopelessly stuck): nothing will
  // answer a closing handshake, so the close frame is sent and the socket
  // closed at once.
  void ping_timed_out() {
    spdlog::info("ws {} peer={}: no answer to a ping within {} ms", conn_tag{params_.connection_id},
                 peer_, pong_timeout_.count());
    ping_timeout_ = true;
    peer_closed_ = true;
    request_close(1001, "ping timeout");
    flush();
    close_socket();
  }

  void overflow() {
    if (closing_)
      return;
    spdlog::warn("ws slow consumer {} queued={} limit={}", conn_tag{params_.connection_id},
                 queue_.queued_bytes() + held_bytes_, queue_.limit());
    slow_consumer_ = true;
    metrics_->slow_consumer_closes.add();
    request_close(close_slow_consumer, {});
    flush(); // the close frame goes out even if no flush follows
  }

  // Writes as much as the socket takes now; waits for room for the rest.
  void flush() {
    if (!accepted_ || write_waiting_ || !lowest_socket().is_open())
      return;
    std::array<iovec, gather_max> iov;
    for (;;) {
      if (lag_skipped_ > 0 && !closing_
          && (policy_ == slow_policy::drop_oldest || queue_.empty()))
        queue_lag_notice(policy_ == slow_policy::drop_oldest);
      if (queue_.empty())
        break;
      metrics_->queue_bytes.observe(queue_.queued_bytes());
      auto n = queue_.gather(iov.data(), iov.size(), write_size_);
      if (tls_)
        return write_tls(iov.data(), n);
      msghdr msg{};
      msg.msg_iov = iov.data();
      msg.msg_iovlen = n;
      auto written = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (written < 0) {
        if (errno == EINTR)
          continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          return wait_writable();
        return write_failed(error_code{errno, boost::system::system_category()});
      }
      queue_.consumed(static_cast<std::size_t>(written));
      metrics_->bytes_written.add(static_cast<uint64_t>(written));
    }
    check_drained();
    if (close_queued_ && !close_written_) {
      close_written_ = true;
      after_close_written();
    }
  }

  // The TLS layer takes one buffer per write: the gathered frames are
  // copied into it and count as written from here on (a close frame may
  // follow them, and the queue may drop what is not yet started). The
  // completion comes back to flush() for the rest.
  void write_tls(const iovec* iov, std::size_t n) {
    tls_out_.clear();
    for (std::size_t i = 0; i < n; ++i)
      tls_out_.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
    queue_.consumed(tls_out_.size());
    metrics_->bytes_written.add(tls_out_.size());
    write_waiting_ = true;
    net::async_write(*tls_, net::buffer(tls_out_),
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       self->write_waiting_ = false;
                       if (ec)
                         return self->write_failed(ec);
                       if (self->queue_.empty())
                         std::string{}.swap(self->tls_out_); // an idle connection holds none
                       self->flush();
                     });
  }

  void wait_writable() {
    write_waiting_ = true;
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code ec) {
      self->write_waiting_ = false;
      if (ec)
        return self->write_failed(ec);
      self->flush();
    });
  }

  // The socket is broken: whatever was queued is lost (the client resumes
  // with since=). Closing the socket wakes the read, which ends us.
  void write_failed(error_code ec) {
    fail(ec, "write");
    queue_.clear();
    closing_ = true;
    close_socket();
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

  // --- closing -------------------------------------------------------------

  void request_close(uint16_t code, std::string_view reason) {
    if (closing_)
      return;
    // A code that may not go on the wire would leave the close unsent.
    close_code_ = is_sendable_close_code(code) ? code : close_internal_error;
    close_reason_ = fit_close_reason(reason);
    if (!accepted_) {
      closing_ = true;
      if (!accept_started_)
        net::post(strand_, [self = shared_from_this()] { self->do_accept(); });
      return; // on_accept sends the close once the handshake is done
    }
    start_close(close_code_, close_reason_);
  }

  // Queues the close frame behind the frame being written (if any); every
  // other frame waiting is dropped. `code` 0 sends an empty close payload.
  void start_close(uint16_t code, std::string reason) {
    if (close_queued_)
      return;
    closing_ = true;
    close_queued_ = true;
    close_code_ = code;
    queue_.drop_pending();
    held_.clear();
    held_bytes_ = 0;
    // The resume point is the last frame before the close frame on the
    // wire (a frame partly written is finished first): the client has
    // everything up to it.
    if (slow_consumer_)
      reason = slow_consumer_reason(queue_.resume_id_when_written());
    close_reason_ = reason;
    queue_.push_control(ws::encode_close(code, reason), true);
  }

  void after_close_written() {
    if (peer_closed_) // the closing handshake is complete (or moot)
      return close_socket();
    // Wait for the client's answer, but not forever.
    close_timer_ = std::make_unique<net::steady_timer>(strand_, close_timeout_);
    close_timer_->async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->close_socket();
    });
  }

  void close_socket() {
    error_code ignored;
    auto& socket = lowest_socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  // The connection is over, whoever closed it. Runs once, from a handler.
  void end(error_code ec) {
    if (ended_)
      return;
    ended_ = true;
    closing_ = true;
    if (registered_) {
      registered_ = false;
      params_.shard->remove(params_.channel, this);
    }
    if (close_timer_)
      close_timer_->cancel();
    close_socket();
    queue_.clear();
    held_.clear();
    spdlog::info("ws close {} reason={}", conn_tag{params_.connection_id}, describe(ec));
    metrics_->closed(connection_kind::websocket, close_cause(ec));
    auto hooks = std::move(hooks_);
    hooks_ = {};
    if (opened_ && hooks.ended)
      hooks.ended();
  }

  // What herald_connections_closed_total counts this end as.
  close_reason close_cause(const error_code& ec) const {
    if (client_closed_first_)
      return close_reason::normal;
    if (ping_timeout_)
      return close_reason::ping_timeout;
    // We closed: with a close frame, or (before the upgrade was answered)
    // by dropping the handshake.
    if (close_queued_ || (closing_ && close_code_ != 0))
      return cause_of(close_code_);
    if (!accepted_ && ec == beast::error::timeout)
      return close_reason::handshake_timeout;
    if (!ec || peer_gone(ec))
      return close_reason::client_gone;
    return close_reason::server_error;
  }

  static close_reason cause_of(uint16_t code) {
    switch (code) {
      case 1000:
        return close_reason::normal;
      case 1001:
        return close_reason::shutdown;
      case close_slow_consumer:
        return close_reason::slow_consumer;
      case 1002:
      case 1003:
      case 1007:
      case 1009:
        return close_reason::protocol_error;
      default: // 1011 history unavailable, 1012 cluster log trimmed
        return close_reason::server_error;
    }
  }

  std::string describe(error_code ec) const {
    if (client_closed_first_)
      return "client " + std::to_string(peer_code_) + " '" + log_excerpt(peer_reason_) + "'";
    if (close_queued_)
      return "server " + std::to_string(close_code_) + " '" + log_excerpt(close_reason_) + "'";
    if (!ec)
      return "closed";
    return "error: " + ec.message();
  }

  // A peer that went away is normal life for a push server (the read loop
  // logs the close once); only the unexpected is worth a warning.
  void fail(error_code ec, const char* what) {
    if (ec == websocket::error::closed)
      return;
    if (peer_gone(ec)) {
      spdlog::debug("ws {} {} peer={}: {}", what, conn_tag{params_.connection_id}, peer_, ec.message());
      return;
    }
    spdlog::warn("ws {} {} peer={}: {}", what, conn_tag{params_.connection_id}, peer_, ec.message());
  }

  net::any_io_executor strand_; // the connection's strand, safe to use from any thread
  std::unique_ptr<ws_stream> handshake_;      // Beast's stream, until the 101 is out
  std::unique_ptr<wss_stream> tls_handshake_; // ... the same over TLS
  tcp::socket socket_;                        // the connection, after the 101
  std::unique_ptr<tls_stream> tls_;           // ... over TLS (then socket_ is unused)
  std::unique_ptr<char[]> tls_read_;          // TLS only: what one read takes
  std::string tls_out_;                       // TLS only: the write in flight
  std::unique_ptr<http::request<http::string_body>> req_; // during the handshake only
  ws_params params_;
  std::string peer_;
  write_queue queue_;
  ws::frame_reader reader_;
  ws_hooks hooks_;
  // Live messages that arrived during a replay, in id order.
  frame_list held_;
  std::size_t held_bytes_ = 0;
  std::unique_ptr<net::steady_timer> close_timer_; // only while closing
  std::chrono::milliseconds close_timeout_;
  std::chrono::milliseconds ping_interval_;
  std::chrono::milliseconds pong_timeout_;
  time_point next_ping_{};     // keepalive: when silence calls for a ping
  time_point ping_deadline_{}; // ... and when an unanswered one ends us
  std::size_t read_size_;
  std::size_t write_size_;
  bool replaying_;
  slow_policy policy_;
  // Messages dropped by the policy since the last lagged notice, and the id
  // the client has just before them.
  uint64_t lag_skipped_ = 0;
  uint64_t lag_after_ = 0;
  uint64_t front_notice_skipped_ = 0; // the drop_oldest notice queued last
  uint64_t front_notice_after_ = 0;
  // The highest message id queued (or `since`): nothing at or below it is
  // queued again, which makes the overlap of replay and live harmless.
  uint64_t last_queued_;
  // This I/O thread's block (the thread this connection lives on).
  io_metrics* metrics_;
  bool registered_ = false;     // in the shard's subscriber list
  bool opened_ = false;         // the owner knows the connection (hooks.opened ran)
  bool accept_started_ = false; // async_accept is running or done
  bool accepted_ = false;       // the handshake completed
  bool drain_wanted_ = false;   // the session waits for room in the queue
  bool flush_wanted_ = false;   // the shard will call flush_live
  bool write_waiting_ = false;  // waiting for the socket to take more
  bool closing_ = false;        // no more message frames are taken
  bool close_queued_ = false;   // our close frame is in the queue
  bool close_written_ = false;  // ... and on the wire
  bool peer_closed_ = false;    // the client's close (or garbage) arrived
  bool ended_ = false;
  bool slow_consumer_ = false;
  bool ping_timeout_ = false;     // closed for an unanswered ping
  bool client_closed_first_ = false;
  bool heard_ = false;            // a frame arrived since the last sweep
  bool ping_outstanding_ = false; // a keepalive ping waits for any answer
  uint16_t close_code_ = 0;
  uint16_t peer_code_ = 0;
  std::string close_reason_;
  std::string peer_reason_;
};

} // namespace

void start_ws_session(upgraded_stream stream, beast::flat_buffer buffer,
                      http::request<http::string_body> req, ws_params params,
                      const config& cfg, ws_hooks hooks) {
  auto session = std::make_shared<ws_session>(std::move(stream), std::move(params), cfg,
                                              std::move(hooks));
  session->run(std::move(req), cfg, buffer.size());
}

} // namespace herald

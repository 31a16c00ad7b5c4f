#include "net/listener.hpp"

#include <array>
#include <chrono>
#include <sstream>
#include <string_view>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "config/conn_tag.hpp"
#include "metrics/io_metrics.hpp"
#include "net/http_error.hpp"
#include "net/http_session.hpp"

namespace herald {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Out of descriptors or buffers: accepting again at once would spin.
constexpr auto accept_backoff = std::chrono::milliseconds(100);

// A refused connection lives at most this long, whatever its client does.
constexpr auto refusal_time = std::chrono::seconds(1);
constexpr std::size_t refusal_drain_limit = 64 * 1024;
constexpr auto refusal_log_interval = std::chrono::seconds(1);

std::string describe(const tcp::endpoint& ep) {
  auto addr = ep.address().to_string();
  if (ep.address().is_v6())
    addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}

bool out_of_resources(const beast::error_code& ec) {
  return ec == net::error::no_descriptors || ec == net::error::no_buffer_space
         || ec == net::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system;
}

// The whole answer to a refused connection, built once per reason.
const std::string& refusal_response(connection_refusal why) {
  auto build = [](unsigned status, std::string_view message) {
    std::ostringstream out;
    out << make_error(status, message, 11, false);
    return out.str();
  };
  static const std::string total = build(503, "too many connections");
  static const std::string per_address = build(429, "too many connections from this address");
  return why == connection_refusal::per_address ? per_address : total;
}

// Writes the refusal, then half-closes and reads what the client still sends
// until it closes, so a request already on its way does not turn the answer
// into a reset on the client's side. No http_session, no slot; refusal_time
// bounds it all.
class refused_connection : public std::enable_shared_from_this<refused_connection> {
public:
  explicit refused_connection(tcp::socket&& socket) : stream_(std::move(socket)) {}

  void run(const std::string& response) {
    stream_.expires_after(refusal_time);
    net::async_write(stream_, net::buffer(response),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return self->close();
                       beast::error_code ignored;
                       self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                       self->drain();
                     });
  }

private:
  void drain() {
    stream_.async_read_some(net::buffer(buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > refusal_drain_limit)
                                return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  std::array<char, 1024> buf_{};
  std::size_t drained_ = 0;
};

} // namespace

listener::listener(io_pool& pool, std::shared_ptr<server_state> state,
                   std::shared_ptr<connection_limits> limits,
                   std::shared_ptr<net::ssl::context> tls)
  : pool_(pool),
    acceptor_(net::make_strand(pool.main())),
    backoff_(acceptor_.get_executor()),
    state_(std::move(state)),
    limits_(std::move(limits)),
    tls_(std::move(tls)) {
}

bool listener::open(const tcp::endpoint& endpoint, std::string& error) {
  beast::error_code ec;
  auto failed = [&](const beast::error_code& e) {
    error = "cannot listen on " + describe(endpoint) + ": " + e.message();
    beast::error_code ignored;
    acceptor_.close(ignored);
    return false;
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec)
    return failed(ec);
  // Lets a restarted server bind while old connections sit in TIME_WAIT; on
  // Linux it does not let two servers share the port.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec)
    return failed(ec);
  acceptor_.bind(endpoint, ec);
  if (ec)
    return failed(ec);
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return failed(ec);
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec)
    return failed(ec);
  return true;
}

void listener::run() {
  net::dispatch(acceptor_.get_executor(),
                beast::bind_front_handler(&listener::do_accept, shared_from_this()));
}

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    self->stopped_ = true;
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void listener::do_accept() {
  if (stopped_ || !acceptor_.is_open())
    return;
  // Every connection gets its own strand on one I/O thread, for life.
  acceptor_.async_accept(net::make_strand(pool_.next()),
                         beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopped_ || ec == net::error::operation_aborted)
    return;
  if (ec) {
    spdlog::error("accept failed: {}", ec.message());
    if (out_of_resources(ec)) {
      backoff_.expires_after(accept_backoff);
      backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec)
          self->do_accept();
      });
      return;
    }
    return do_accept();
  }
  // Frames and responses leave as soon as they are written: the write
  // path already coalesces what is queued, so Nagle's algorithm would only
  // add delay (up to a delayed ACK, 40 ms) to every lone message.
  beast::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  beast::error_code peer_ec;
  auto peer = socket.remote_endpoint(peer_ec);
  if (peer_ec) {
    // Already gone (reset before we got to it): nothing to count or answer.
    spdlog::debug("accepted connection is gone: {}", peer_ec.message());
    beast::error_code ignored;
    socket.close(ignored);
    return do_accept();
  }
  auto slot = limits_->try_acquire(peer.address().to_string());
  // On the acceptor's strand: an I/O thread, whose block this is.
  auto& counts = io_metrics::local();
  if (!slot) {
    counts.refused(slot.refusal() == connection_refusal::per_address
                     ? refusal_reason::max_connections_per_ip
                     : refusal_reason::max_connections);
    log_refusal(describe(peer), slot);
    // Over TLS too the answer is plain text: a TLS handshake per refusal
    // is work for an overloaded server; the client sees a failed handshake.
    std::make_shared<refused_connection>(std::move(socket))->run(refusal_response(slot.refusal()));
    return do_accept();
  }
  counts.opened(connection_kind::http);
  auto id = state_->next_connection_id();
  spdlog::debug("{} opened from {}", conn_tag{id}, describe(peer));
  if (tls_)
    std::make_shared<https_session>(tls_stream{std::move(socket), *tls_}, state_, id,
                                    std::move(slot))
      ->run();
  else
    std::make_shared<http_session>(beast::tcp_stream{std::move(socket)}, state_, id,
                                   std::move(slot))
      ->run();
  do_accept();
}

void listener::log_refusal(const std::string& peer, const connection_slot& refused) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < refusal_log_interval) {
    ++unlogged_refusals_;
    return;
  }
  last_refusal_log_ = now;
  std::string left_out;
  if (unlogged_refusals_ > 0)
    left_out = " (" + std::to_string(unlogged_refusals_) + " more refused since the last report)";
  unlogged_refusals_ = 0;
  if (refused.refusal() == connection_refusal::per_address)
    spdlog::warn("refused connection from {}: max_connections_per_ip ({}) reached{}", peer,
                 limits_->per_address_limit(), left_out);
  else
    spdlog::warn("refused connection from {}: max_connections ({}) reached{}", peer,
                 limits_->total_limit(), left_out);
}

} // namespace herald

#include "net/listener.hpp"

#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <spdlog/spdlog.h>

#include "net/http_session.hpp"

namespace herald {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Out of descriptors or buffers: accepting again at once would spin.
constexpr auto accept_backoff = std::chrono::milliseconds(100);

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

} // namespace

listener::listener(io_pool& pool, std::shared_ptr<server_state> state)
  : pool_(pool),
    acceptor_(net::make_strand(pool.main())),
    backoff_(acceptor_.get_executor()),
    state_(std::move(state)) {
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
  auto id = state_->next_connection_id();
  beast::error_code peer_ec;
  auto peer = socket.remote_endpoint(peer_ec);
  spdlog::debug("connection {} opened from {}", id, peer_ec ? "?" : describe(peer));
  std::make_shared<http_session>(std::move(socket), state_, id)->run();
  do_accept();
}

} // namespace herald

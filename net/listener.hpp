#pragma once

// Accepts TCP connections and gives each an http_session (an https_session
// on a TLS listener) on a strand of the next I/O thread, where it stays, or,
// past the connection limits, a JSON 503/429 and a close. The acceptor lives on a strand of the first thread;
// stop() may be called from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

namespace boost::asio::ssl {
class context;
}

#include "net/connection_limits.hpp"
#include "net/io_pool.hpp"
#include "net/server_state.hpp"

namespace herald {

class listener : public std::enable_shared_from_this<listener> {
public:
  /// `limits` may be shared by several listeners (they count together);
  /// `tls` null: plain HTTP.
  listener(io_pool& pool, std::shared_ptr<server_state> state,
           std::shared_ptr<connection_limits> limits,
           std::shared_ptr<boost::asio::ssl::context> tls);

  /// Opens, binds and listens; false and one line in `error` on failure.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, std::string& error);
  /// The bound port (after open).
  uint16_t port() const { return port_; }

  /// Starts accepting.
  void run();
  /// Stops accepting and closes the listening socket. Thread-safe.
  void stop();

private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void log_refusal(const std::string& peer, const connection_slot& refused);

  io_pool& pool_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_; // after running out of file descriptors
  std::shared_ptr<server_state> state_;
  std::shared_ptr<connection_limits> limits_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  // Refusals come in floods: at most one log line a second, on the
  // acceptor's strand, with a count of those left out.
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::size_t unlogged_refusals_ = 0;
  uint16_t port_ = 0;
  bool stopped_ = false; // on the acceptor's strand
};

} // namespace herald

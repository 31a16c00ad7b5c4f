#pragma once

// One HTTP connection: reads requests (keep-alive), routes them, answers,
// and hands WebSocket upgrades over to start_ws_session. Everything but
// shutdown() runs on the connection's strand. The connection's life is in
// http_session.cpp, the endpoints in http_dispatch.cpp. The same code runs
// over plain TCP and over TLS (the stream type), instantiated for both there.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "metrics/reasons.hpp"
#include "net/connection_limits.hpp"
#include "net/http_error.hpp"
#include "net/server_state.hpp"
#include "net/tls_context.hpp"

namespace herald {

struct route;

template <class Stream>
class basic_http_session : public std::enable_shared_from_this<basic_http_session<Stream>> {
public:
  /// `slot`: the connection's place in the connection limits, held until
  /// the connection ends or handed on to the WebSocket at the upgrade.
  basic_http_session(Stream&& stream, std::shared_ptr<server_state> state, uint64_t id,
                     connection_slot slot);
  ~basic_http_session();

  /// Registers the connection, completes the TLS handshake (over TLS), and
  /// starts reading. Call once.
  void run();

  /// Thread-safe: closes the connection now if it waits for a request, or
  /// after the response it is working on.
  void shutdown();

private:
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

  void on_tls_handshake(boost::beast::error_code ec);
  void do_read();
  void read_request();
  void on_header(boost::beast::error_code ec, std::size_t);
  void on_continue(boost::beast::error_code ec, std::size_t);
  void on_read(boost::beast::error_code ec, std::size_t);
  void read_failed(boost::beast::error_code ec);

  // http_dispatch.cpp
  void handle_request();
  void handle_upgrade(route& r);
  void handle_publish(route& r);
  void handle_history(route& r);
  void handle_channels();
  void handle_metrics();
  void handle_readyz();
  /// Counts a publish refused before it reached its handler (413), if the
  /// request was one.
  void note_refused_publish(publish_refusal why);

  /// Answers the current request; `close` ends the connection afterwards.
  void send(http_response res, bool close = false);
  void send_error(unsigned status, std::string_view message, bool close = false);
  void on_write(bool close, boost::beast::error_code ec, std::size_t);

  /// Half-closes, then reads and discards what the client still sends for a
  /// moment, so an unread request body does not turn our last response into
  /// a connection reset on the client's side.
  void linger();
  void do_drain();
  /// Closes the connection; `why` is what /metrics counts it as.
  void end(std::string_view reason, close_reason why);

  Stream stream_;
  // The connection's strand (made at accept); a copy usable from any thread,
  // even after stream_ has been handed over to the WebSocket session.
  boost::asio::any_io_executor strand_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<http_response> res_;
  std::shared_ptr<server_state> state_;
  // The config snapshot of the request being read or answered (taken anew
  // for each one), so a reload never changes a request's rules halfway.
  std::shared_ptr<const config> cfg_;
  server_state::publish_ticket publish_; // declared after state_: released first
  uint64_t id_;
  connection_slot slot_;
  std::array<char, 4096> drain_buf_{};
  std::size_t drained_ = 0;
  uint64_t requests_ = 0; // requests answered or handed over so far
  bool reading_ = false;  // a request read is pending (the connection is idle)
  bool closing_ = false;  // shutdown asked; do not read another request
  bool ended_ = false;    // the connection is closed or handed over
  // What a connection that closes after its response counts as (/metrics).
  close_reason closing_why_ = close_reason::normal;
};

using http_session = basic_http_session<boost::beast::tcp_stream>;
using https_session = basic_http_session<tls_stream>;

} // namespace herald

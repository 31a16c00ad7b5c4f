#include "support/http_client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "support/io_wait.hpp"
#include "support/tls_context.hpp"

namespace herald::test_support {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool has_header(const header_list& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](auto& h) { return lower(h.first) == lower(name); });
}

} // namespace

std::string http_response::header(const std::string& name) const {
  auto i = headers.find(lower(name));
  return i == headers.end() ? std::string{} : i->second;
}

struct http_client::impl {
  net::io_context ioc;
  std::shared_ptr<net::ssl::context> tls_context; // set: https
  // A fresh one for every connection: a TLS stream is done once its
  // connection is.
  std::variant<beast::tcp_stream, tls_stream> stream{std::in_place_index<0>, ioc};
  beast::flat_buffer buffer;
  bool open = false;
  std::string error; // why the last connect failed

  /// Calls `f` with the stream requests go through (TLS or TCP).
  template <class F>
  void with_stream(F&& f) {
    std::visit(std::forward<F>(f), stream);
  }

  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream);
  }

  void abort() {
    beast::error_code ignored;
    tcp().socket().close(ignored);
    open = false;
  }

  // A timed-out call leaves the connection closed.
  template <class Initiate>
  beast::error_code run(std::chrono::milliseconds timeout, Initiate&& initiate) {
    bool timed_out = false;
    return run_bounded(ioc, timeout, initiate, [this] { abort(); }, timed_out);
  }
};

http_client::http_client(uint16_t port, std::chrono::milliseconds timeout)
  : http_client(port, std::nullopt, timeout) {
}

http_client::http_client(uint16_t port, std::optional<tls_options> tls,
                         std::chrono::milliseconds timeout)
  : port_(port), tls_(std::move(tls)), timeout_(timeout), impl_(std::make_unique<impl>()) {
  if (tls_)
    impl_->tls_context = make_client_tls_context(*tls_, impl_->error);
}

http_client::~http_client() {
  close();
}

bool http_client::connect(std::chrono::milliseconds timeout) {
  close();
  impl_->buffer.clear();
  if (tls_ && !impl_->tls_context)
    return false; // impl_->error says why since construction
  impl_->error.clear();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (tls_)
    impl_->stream.emplace<tls_stream>(impl_->ioc, *impl_->tls_context);
  else
    impl_->stream.emplace<beast::tcp_stream>(impl_->ioc);
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"), port_};
  auto ec = impl_->run(timeout, [&](auto handler) {
    impl_->tcp().async_connect(ep, std::move(handler));
  });
  if (ec) {
    impl_->error = "connect: " + ec.message();
    impl_->abort();
    return false;
  }
  if (auto* tls = std::get_if<tls_stream>(&impl_->stream)) {
    if (!prepare_tls_connection(tls->native_handle(), *tls_, impl_->error)) {
      impl_->abort();
      return false;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    ec = impl_->run(std::max(left, std::chrono::milliseconds{1}), [&](auto handler) {
      tls->async_handshake(net::ssl::stream_base::client, std::move(handler));
    });
    if (ec) {
      impl_->error = "tls handshake: " + ec.message();
      impl_->abort();
      return false;
    }
  }
  impl_->open = true;
  return true;
}

const std::string& http_client::last_error() const {
  return impl_->error;
}

bool http_client::is_open() const {
  return impl_->open;
}

void http_client::close() {
  if (impl_->open) {
    beast::error_code ignored;
    impl_->tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  impl_->abort();
}

http_response http_client::request(const std::string& method, const std::string& target,
                                   const std::string& body, const header_list& headers) {
  http_response res;
  if (!impl_->open && !connect()) {
    res.error = "connect failed: " + impl_->error;
    return res;
  }
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  if (!has_header(headers, "host"))
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (auto& [name, value] : headers)
    req.insert(name, value);
  req.body() = body;
  if (!has_header(headers, "content-length")
      && (!body.empty() || method == "POST" || method == "PUT"))
    req.content_length(body.size());
  auto ec = impl_->run(timeout_, [&](auto handler) {
    impl_->with_stream([&](auto& s) { http::async_write(s, req, std::move(handler)); });
  });
  if (ec) {
    impl_->abort();
    res.error = "write: " + ec.message();
    return res;
  }
  return read_response();
}

bool http_client::send_raw(const std::string& bytes) {
  if (!impl_->open && !connect())
    return false;
  auto ec = impl_->run(timeout_, [&](auto handler) {
    impl_->with_stream(
      [&](auto& s) { net::async_write(s, net::buffer(bytes), std::move(handler)); });
  });
  return !ec;
}

http_response http_client::read_response() {
  http_response res;
  if (!impl_->open) {
    res.error = "not connected";
    return res;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  auto ec = impl_->run(timeout_, [&](auto handler) {
    impl_->with_stream(
      [&](auto& s) { http::async_read(s, impl_->buffer, parser, std::move(handler)); });
  });
  if (ec) {
    impl_->abort();
    res.error = "read: " + ec.message();
    return res;
  }
  auto& msg = parser.get();
  res.status = static_cast<int>(msg.result_int());
  for (auto& field : msg) {
    auto name = lower(std::string{field.name_string()});
    auto& slot = res.headers[name];
    slot += (slot.empty() ? "" : ", ") + std::string{field.value()};
  }
  res.body = msg.body();
  res.keep_alive = msg.keep_alive();
  if (!res.keep_alive)
    close();
  return res;
}

bool http_client::wait_closed(std::chrono::milliseconds timeout) {
  if (!impl_->open)
    return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Whatever is already buffered was read by an earlier call: discard it.
  impl_->buffer.clear();
  std::array<char, 4096> scratch;
  for (int i = 0; i < 100000; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero())
      return false;
    bool timed_out = false;
    auto ec = run_bounded(
      impl_->ioc, left,
      [&](auto handler) {
        impl_->with_stream(
          [&](auto& s) { s.async_read_some(net::buffer(scratch), std::move(handler)); });
      },
      [this] { impl_->abort(); }, timed_out);
    if (timed_out)
      return false;
    if (ec) { // eof, reset, a TLS alert or close_notify: closed by the peer
      impl_->abort();
      return true;
    }
  }
  return false;
}

} // namespace herald::test_support

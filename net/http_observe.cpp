// The operators' endpoints of an http_session: GET /metrics (Prometheus text
// format, rendered from the metrics blocks on this thread, no actor asked)
// and GET /readyz (storage asked whether it can commit). Runs on the
// connection's strand unless marked otherwise.

#include "net/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "actors/hub.hpp"
#include "config/config.hpp"
#include "metrics/exposition.hpp"
#include "metrics/io_metrics.hpp"
#include "metrics/registry.hpp"
#include "net/routes.hpp"
#include "net/web_assets.hpp"

namespace herald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

constexpr std::string_view ready_json = R"({"status":"ready"})";

} // namespace

template <class Stream>
void basic_http_session<Stream>::handle_metrics() {
  const auto& req = parser_->get();
  auto registry = state_->metrics();
  if (!registry)
    return send_error(404, "not found");
  http_response res{http::status::ok, req.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, metrics::content_type);
  res.set(http::field::cache_control, "no-cache");
  res.keep_alive(req.keep_alive());
  res.body() = registry->render();
  res.prepare_payload();
  send(std::move(res));
}

template <class Stream>
void basic_http_session<Stream>::handle_readyz() {
  const auto& req = parser_->get();
  if (state_->stopping())
    return send_error(503, "server shutting down");
  state_->actors().ready([self = this->shared_from_this(), ex = strand_, version = req.version(),
                          keep_alive = req.keep_alive()](ready_result res) {
    // Runs on an actor thread.
    net::post(ex, [self, res = std::move(res), version, keep_alive] {
      if (res.status == 200)
        return self->send(make_json(200, std::string{ready_json}, version, keep_alive));
      self->send(make_error(res.status, res.error.empty() ? "not ready" : res.error, version,
                            keep_alive));
    });
  });
}

template <class Stream>
void basic_http_session<Stream>::note_refused_publish(publish_refusal why) {
  // The request line is in even when a header field ended the read (an
  // oversized Content-Length does).
  if (!parser_)
    return;
  const auto& req = parser_->get();
  auto r = resolve_route(req.method_string(), req.target(),
                         boost::beast::websocket::is_upgrade(req), web_assets(), cfg_->echo_path);
  if (r.status == 200 && (r.kind == endpoint::publish || r.kind == endpoint::send_message))
    io_metrics::local().publish_refused(why);
}

// The rest of basic_http_session is instantiated in http_session.cpp and
// http_dispatch.cpp.
#define HERALD_INSTANTIATE_OBSERVE(Stream)                                                 \
  template void basic_http_session<Stream>::handle_metrics();                              \
  template void basic_http_session<Stream>::handle_readyz();                               \
  template void basic_http_session<Stream>::note_refused_publish(publish_refusal);
HERALD_INSTANTIATE_OBSERVE(beast::tcp_stream)
HERALD_INSTANTIATE_OBSERVE(tls_stream)
#undef HERALD_INSTANTIATE_OBSERVE

} // namespace herald

// The endpoints of docs/api.md for one request of an http_session: routing,
// the WebSocket hand-over, and the calls into the actors whose answers come
// back on an actor thread and are posted onto the connection's strand.
// Everything here runs on the connection's strand unless marked otherwise.

#include "net/http_session.hpp"

#include <chrono>
#include <string_view>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "actors/hub.hpp"
#include "config/config.hpp"
#include "config/conn_tag.hpp"
#include "metrics/io_metrics.hpp"
#include "net/api_requests.hpp"
#include "net/api_responses.hpp"
#include "net/origin.hpp"
#include "net/query_redaction.hpp"
#include "net/routes.hpp"
#include "net/upgrade_auth.hpp"
#include "net/web_assets.hpp"
#include "net/ws_options.hpp"
#include "net/ws_session.hpp"

namespace herald {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view shorten(std::string_view s) {
  return s.size() > 200 ? s.substr(0, 200) : s;
}

int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

bool is_publish(endpoint e) {
  return e == endpoint::publish || e == endpoint::send_message;
}

/// What /metrics counts a publish answered by the actors with `status` as.
publish_refusal refusal_of(int status, bool stopping) {
  if (status == 429)
    return publish_refusal::channel_limit;
  // The only 503 the actors give besides storage's own is the answer to a
  // publish that met them gone, at shutdown.
  return stopping ? publish_refusal::shutting_down : publish_refusal::storage_unavailable;
}

/// The Sec-WebSocket-Protocol offer, its header lines joined by commas.
std::string offered_protocols(const http::request<http::string_body>& req) {
  std::string offered;
  for (auto it = req.find(http::field::sec_websocket_protocol);
       it != req.end() && it->name() == http::field::sec_websocket_protocol; ++it)
    offered.append(it->value().data(), it->value().size()).push_back(',');
  return offered;
}

} // namespace

template <class Stream>
void basic_http_session<Stream>::handle_request() {
  auto& req = parser_->get();
  bool upgrade = websocket::is_upgrade(req);
  auto r = resolve_route(req.method_string(), req.target(), upgrade, web_assets(),
                         cfg_->echo_path);
  // The query may hold a connection token: a credential, not for the log.
  if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("{} {} {} -> {}", conn_tag{id_}, req.method_string(),
                  shorten(redact_query_secrets(req.target())), r.status);
  if (r.status != 200) {
    // An invalid channel name (the only 400 that names its endpoint).
    if (r.status == 400 && is_publish(r.kind))
      io_metrics::local().publish_refused(publish_refusal::bad_request);
    if (r.status == 400 && r.kind == endpoint::socket && upgrade)
      io_metrics::local().refused(refusal_reason::bad_request);
    auto res = make_error(r.status, r.error, req.version(), req.keep_alive());
    if (!r.allow.empty())
      res.set(http::field::allow, r.allow);
    return send(std::move(res));
  }
  switch (r.kind) {
    case endpoint::socket:
    case endpoint::echo:
      return handle_upgrade(r);
    case endpoint::healthz:
      if (state_->stopping())
        return send_error(503, "server shutting down");
      return send(make_json(200, status_ok_json(), req.version(), req.keep_alive()));
    case endpoint::asset: {
      http_response res{http::status::ok, req.version()};
      res.set(http::field::server, "herald");
      res.set(http::field::content_type, r.asset->content_type);
      res.set(http::field::cache_control, "no-cache");
      res.set("X-Content-Type-Options", "nosniff");
      res.keep_alive(req.keep_alive());
      res.body().assign(r.asset->body.data(), r.asset->body.size());
      res.prepare_payload();
      return send(std::move(res));
    }
    case endpoint::send_message:
    case endpoint::publish:
      return handle_publish(r);
    case endpoint::history:
      return handle_history(r);
    case endpoint::channels:
      return handle_channels();
    case endpoint::readyz:
      return handle_readyz();
    case endpoint::metrics:
      return handle_metrics();
  }
  send_error(500, "unrouted endpoint");
}

template <class Stream>
void basic_http_session<Stream>::handle_upgrade(route& r) {
  auto& req = parser_->get();
  auto params = parse_socket_query(r.query);
  auto& counts = io_metrics::local();
  if (params.status != 200) {
    counts.refused(refusal_reason::bad_request);
    return send_error(params.status, params.error);
  }
  auto origin = req.find(http::field::origin);
  if (origin != req.end()
      && !origin_allowed(origin->value(), req[http::field::host], cfg_->allowed_origins)) {
    counts.refused(refusal_reason::origin);
    spdlog::info("{} refused WebSocket from Origin {}", conn_tag{id_}, shorten(origin->value()));
    return send_error(403, "origin not allowed");
  }
  // Before the 101, so a refused client never subscribes. When tokens are
  // not required, one sent anyway is ignored, not checked.
  auto auth = authorize_upgrade(params.token, offered_protocols(req), r.channel, *cfg_,
                                unix_seconds());
  if (auth.status != 200) {
    counts.refused(auth.status == 400 ? refusal_reason::bad_request : refusal_reason::auth);
    // The error never repeats the token, so it may be logged.
    spdlog::info("{} refused WebSocket on {}{}: {}", conn_tag{id_},
                 r.channel.empty() ? std::string{"(echo)"} : r.channel,
                 auth.username.empty() ? std::string{} : " for " + log_excerpt(auth.username, 64),
                 auth.error);
    return send_error(auth.status, auth.error);
  }
  if (state_->stopping()) {
    counts.refused(refusal_reason::shutting_down);
    return send_error(503, "server shutting down", true);
  }
  spdlog::debug("{} upgrading to WebSocket on channel {}{}", conn_tag{id_}, r.channel,
                auth.username.empty() ? std::string{} : " as " + log_excerpt(auth.username, 64));
  ended_ = true;
  state_->remove_connection(id_);
  // The WebSocket session sets its own timeouts.
  beast::get_lowest_layer(stream_).expires_never();
  if (r.kind == endpoint::echo) // no channel, no since, no session actor
    return start_ws_session(upgraded_stream{std::move(stream_)}, std::move(buffer_),
                            parser_->release(),
                            ws_params{"(echo)", std::nullopt, id_, nullptr,
                                      std::make_shared<connection_slot>(std::move(slot_)), true},
                            *cfg_, ws_hooks{});
  start_ws_session(upgraded_stream{std::move(stream_)}, std::move(buffer_), parser_->release(),
                   std::move(r.channel), params.since, id_, *cfg_, state_->actors(),
                   std::make_shared<connection_slot>(std::move(slot_)));
}

template <class Stream>
void basic_http_session<Stream>::handle_publish(route& r) {
  const auto& req = parser_->get();
  auto fields = parse_publish(req[http::field::authorization], req["Token"],
                              req[http::field::content_type], req.body(), cfg_->tokens);
  auto& counts = io_metrics::local();
  if (fields.status != 200) {
    counts.publish_refused(fields.status == 401 ? publish_refusal::unauthorized
                                                : publish_refusal::bad_request);
    return send_error(fields.status, fields.error);
  }
  // Before the actors: a refused publish is never stored.
  auto allowance =
    state_->publish_limit().try_take(fields.token, std::chrono::steady_clock::now());
  if (!allowance.allowed) {
    counts.publish_refused(publish_refusal::rate_limited);
    spdlog::info("{} publish by {} over the rate limit", conn_tag{id_}, fields.username);
    return send(make_rate_limited(retry_after_seconds(allowance.wait), req.version(),
                                  req.keep_alive()));
  }
  publish_ = state_->begin_publish();
  if (!publish_) {
    counts.publish_refused(publish_refusal::shutting_down);
    return send_error(503, "server shutting down", true);
  }
  draft d;
  d.channel = std::move(r.channel);
  d.username = std::move(fields.username);
  d.text = std::move(fields.text);
  d.time_ms = now_ms();
  // Runs on an actor thread: hop back onto the strand before touching anything.
  state_->actors().publish(
    std::move(d), [self = this->shared_from_this(), ex = strand_, version = req.version(),
                   keep_alive = req.keep_alive()](publish_result res) {
      net::post(ex, [self, res = std::move(res), version, keep_alive] {
        auto& counts = io_metrics::local(); // the strand's thread
        if (res.status == 200) {
          counts.publishes_accepted.add();
          return self->send(make_json(200, publish_ok_json(res.id), version, keep_alive));
        }
        counts.publish_refused(refusal_of(res.status, self->state_->stopping()));
        self->send(make_error(res.status, res.error.empty() ? "publish failed" : res.error,
                              version, keep_alive));
      });
    });
}

template <class Stream>
void basic_http_session<Stream>::handle_history(route& r) {
  const auto& req = parser_->get();
  auto params = parse_history_query(r.query);
  if (params.status != 200)
    return send_error(params.status, params.error);
  auto channel = r.channel;
  state_->actors().history(
    std::move(r.channel), params.since, params.limit,
    [self = this->shared_from_this(), ex = strand_, channel = std::move(channel),
     version = req.version(), keep_alive = req.keep_alive()](history_result res) {
      // Runs on an actor thread.
      net::post(ex, [self, channel, res = std::move(res), version, keep_alive] {
        if (res.status == 200)
          return self->send(
            make_json(200, history_json(channel, res.frames, res.gap), version, keep_alive));
        self->send(make_error(res.status, res.error.empty() ? "history failed" : res.error,
                              version, keep_alive));
      });
    });
}

template <class Stream>
void basic_http_session<Stream>::handle_channels() {
  const auto& req = parser_->get();
  state_->actors().channels([self = this->shared_from_this(), ex = strand_, version = req.version(),
                             keep_alive = req.keep_alive()](channels_result res) {
    // Runs on an actor thread.
    net::post(ex, [self, res = std::move(res), version, keep_alive] {
      if (res.status == 200)
        return self->send(make_json(200, channels_json(res.channels), version, keep_alive));
      self->send(make_error(res.status, res.error.empty() ? "channel list failed" : res.error,
                            version, keep_alive));
    });
  });
}

// The rest of basic_http_session is instantiated in http_session.cpp.
#define HERALD_INSTANTIATE_DISPATCH(Stream)                                                \
  template void basic_http_session<Stream>::handle_request();                              \
  template void basic_http_session<Stream>::handle_upgrade(route&);                        \
  template void basic_http_session<Stream>::handle_publish(route&);                        \
  template void basic_http_session<Stream>::handle_history(route&);                        \
  template void basic_http_session<Stream>::handle_channels();
HERALD_INSTANTIATE_DISPATCH(beast::tcp_stream)
HERALD_INSTANTIATE_DISPATCH(tls_stream)
#undef HERALD_INSTANTIATE_DISPATCH

} // namespace herald

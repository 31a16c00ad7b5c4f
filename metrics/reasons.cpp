#include "metrics/reasons.hpp"

namespace herald {

std::string_view name_of(connection_kind k) {
  switch (k) {
    case connection_kind::http:
      return "http";
    case connection_kind::websocket:
      return "websocket";
  }
  return "unknown";
}

std::string_view name_of(close_reason r) {
  switch (r) {
    case close_reason::normal:
      return "normal";
    case close_reason::client_gone:
      return "client_gone";
    case close_reason::slow_consumer:
      return "slow_consumer";
    case close_reason::ping_timeout:
      return "ping_timeout";
    case close_reason::idle_timeout:
      return "idle_timeout";
    case close_reason::handshake_timeout:
      return "handshake_timeout";
    case close_reason::shutdown:
      return "shutdown";
    case close_reason::protocol_error:
      return "protocol_error";
    case close_reason::server_error:
      return "server_error";
  }
  return "unknown";
}

std::string_view name_of(refusal_reason r) {
  switch (r) {
    case refusal_reason::max_connections:
      return "max_connections";
    case refusal_reason::max_connections_per_ip:
      return "max_connections_per_ip";
    case refusal_reason::bad_request:
      return "bad_request";
    case refusal_reason::origin:
      return "origin";
    case refusal_reason::auth:
      return "auth";
    case refusal_reason::shutting_down:
      return "shutting_down";
  }
  return "unknown";
}

std::string_view name_of(publish_refusal r) {
  switch (r) {
    case publish_refusal::bad_request:
      return "bad_request";
    case publish_refusal::unauthorized:
      return "unauthorized";
    case publish_refusal::rate_limited:
      return "rate_limited";
    case publish_refusal::too_large:
      return "too_large";
    case publish_refusal::channel_limit:
      return "channel_limit";
    case publish_refusal::storage_unavailable:
      return "storage_unavailable";
    case publish_refusal::shutting_down:
      return "shutting_down";
  }
  return "unknown";
}

} // namespace herald

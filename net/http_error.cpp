#include "net/http_error.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace herald {

namespace http = boost::beast::http;

std::string error_body(unsigned status, std::string_view message) {
  boost::json::object o;
  o["code"] = status;
  o["message"] = boost::json::string_view(message.data(), message.size());
  return boost::json::serialize(o);
}

http_response make_json(unsigned status, std::string body, unsigned version, bool keep_alive) {
  http_response res{static_cast<http::status>(status), version};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http_response make_error(unsigned status, std::string_view message, unsigned version,
                         bool keep_alive) {
  return make_json(status, error_body(status, message), version, keep_alive);
}

http_response make_rate_limited(uint64_t retry_after_seconds, unsigned version, bool keep_alive) {
  auto seconds = std::to_string(retry_after_seconds < 1 ? 1 : retry_after_seconds);
  auto res = make_error(429, "publish rate limit exceeded; retry after " + seconds + " s", version,
                        keep_alive);
  res.set(http::field::retry_after, seconds);
  return res;
}

} // namespace herald

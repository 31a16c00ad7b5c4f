#pragma once

// JSON error responses: {"code":N,"message":"..."} with the HTTP status N.
// Included by net/ .cpp files only (it brings Beast's message types).

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

namespace herald {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// The body alone; `message` is escaped as a JSON string.
std::string error_body(unsigned status, std::string_view message);

/// A complete response: status, Content-Type application/json, body, length.
/// `version` is the request's (10 or 11); `keep_alive` false adds
/// Connection: close.
http_response make_error(unsigned status, std::string_view message, unsigned version,
                         bool keep_alive);

/// 429 for a publish over the rate limit: the error body saying when to
/// retry and the same whole seconds in `Retry-After` (at least 1).
http_response make_rate_limited(uint64_t retry_after_seconds, unsigned version, bool keep_alive);

/// The same for a successful JSON body.
http_response make_json(unsigned status, std::string body, unsigned version, bool keep_alive);

} // namespace herald

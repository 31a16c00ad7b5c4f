#pragma once

#include <cstddef>

namespace herald::bench {

// One HTTP/1.1 response found at the start of a buffer.
struct http_response {
  enum class result { complete, incomplete, invalid };
  int status = 0;
  bool close = false;     // "Connection: close", or a body delimited by close
  std::size_t length = 0; // bytes of the whole response, headers and body
};

// Parses the response at the start of [data, data + size): Content-Length
// and chunked bodies, 1xx/204/304 without a body. Pipelined responses
// follow each other; call again after `length` bytes.
http_response::result parse_http_response(const char* data, std::size_t size, http_response& out);

} // namespace herald::bench

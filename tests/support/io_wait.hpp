#pragma once

// Bounded blocking calls on top of Asio's asynchronous operations: each
// client owns a private io_context and runs it for at most a timeout, so no
// read in a test can hang. Included only by the client .cpp files.

#include <chrono>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/error.hpp>

namespace herald::test_support {

/// Starts one asynchronous operation via `initiate(handler)` and runs `ioc`
/// until it completes or `timeout` passes. On timeout `abort()` must make the
/// operation complete (close the socket); the result is then `timed_out`.
/// Runs on the calling thread; the client is not shared between threads.
template <class Initiate, class Abort>
boost::beast::error_code run_bounded(boost::asio::io_context& ioc,
                                     std::chrono::milliseconds timeout, Initiate&& initiate,
                                     Abort&& abort, bool& timed_out) {
  std::optional<boost::beast::error_code> result;
  initiate([&result](boost::beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(timeout);
  timed_out = false;
  if (!result) {
    timed_out = true;
    abort();
    // Closing the socket completes the operation at once; the handler holds
    // a reference to `result`, so it must run before we return.
    ioc.restart();
    while (!result && ioc.run_one() > 0) {
    }
    return boost::beast::error::timeout;
  }
  return *result;
}

} // namespace herald::test_support

// Connection limits on the real binary: past max_connections_per_ip an
// address gets 429, past max_connections everyone gets 503, both as JSON
// with Connection: close; other addresses keep being served, WebSockets
// count, and a closed connection gives its place back.
#define CAF_SUITE integration_limits
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/api.hpp"

using namespace herald::test_support;
using namespace std::chrono_literals;

namespace {

constexpr int total_limit = 5;
constexpr int per_address_limit = 3;

herald_options limited() {
  herald_options opts;
  opts.extra_toml = "[limits]\nmax_connections = " + std::to_string(total_limit)
                    + "\nmax_connections_per_ip = " + std::to_string(per_address_limit) + "\n";
  return opts;
}

const std::string health_request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A TCP connection to herald from a chosen loopback address (the support
// clients always come from 127.0.0.1), with bounded reads.
class tcp_from {
public:
  tcp_from(const char* source, uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0
                 && ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
  }
  ~tcp_from() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  tcp_from(const tcp_from&) = delete;
  tcp_from& operator=(const tcp_from&) = delete;

  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
           == static_cast<ssize_t>(bytes.size());
  }

  /// One response (headers, then Content-Length bytes of body), or what
  /// arrived before the timeout or the close, with `error` set.
  http_response read_response(std::chrono::milliseconds timeout = 2s) {
    http_response res;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t body_start = std::string::npos;
    std::size_t length = 0;
    for (;;) {
      if (body_start == std::string::npos) {
        auto end = data_.find("\r\n\r\n");
        if (end != std::string::npos) {
          body_start = end + 4;
          parse_head(data_.substr(0, end), res);
          auto cl = res.header("content-length");
          length = cl.empty() ? 0 : std::stoul(cl);
        }
      }
      if (body_start != std::string::npos && data_.size() >= body_start + length) {
        res.body = data_.substr(body_start, length);
        data_.erase(0, body_start + length);
        return res;
      }
      auto got = read_some(deadline);
      if (got <= 0) {
        res.error = got == 0 ? "closed before a whole response" : "timeout or error";
        return res;
      }
    }
  }

  /// True if the server closes (or resets) the connection before `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = 2s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto got = read_some(deadline);
      if (got == 0 || got == -2)
        return true;
      if (got < 0)
        return false;
    }
  }

private:
  // Bytes read, 0 at end of stream, -1 on timeout, -2 on a reset.
  ssize_t read_some(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return -1;
    char buf[4096];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0)
      return -2;
    data_.append(buf, static_cast<std::size_t>(n));
    return n;
  }

  static void parse_head(const std::string& head, http_response& res) {
    auto line_end = head.find("\r\n");
    auto status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) == 0 && status_line.size() >= 12)
      res.status = std::atoi(status_line.c_str() + 9);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      if (next == std::string::npos)
        next = head.size();
      auto line = head.substr(pos, next - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        res.headers[lower(line.substr(0, colon))] = value;
      }
      pos = next + 2;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string data_;
};

// A connection that herald let in and keeps open: it answered /healthz and
// kept the connection alive. Retries for a moment, because places of
// connections that just closed (the start-up probe's, a closed WebSocket's)
// come back asynchronously. Null if none got in.
std::unique_ptr<tcp_from> hold(const char* source, uint16_t port,
                               std::chrono::milliseconds patience = 2s) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  do {
    auto c = std::make_unique<tcp_from>(source, port);
    if (c->connected() && c->send(health_request)) {
      auto res = c->read_response();
      if (res.status == 200 && lower(res.header("connection")) != "close")
        return c;
    }
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return nullptr;
}

// A new connection that sends a request and must be refused with `status`.
void check_refused(const char* source, uint16_t port, int status) {
  tcp_from c{source, port};
  CAF_REQUIRE(c.connected());
  c.send(health_request); // the refusal does not wait for it, but must survive it
  auto res = c.read_response();
  std::string why;
  CAF_CHECK(is_json_error(res, status, &why));
  CAF_CHECK_EQUAL(why, "");
  CAF_CHECK_EQUAL(lower(res.header("connection")), "close");
  CAF_CHECK(c.wait_closed());
}

} // namespace

CAF_TEST(past the per address limit an address gets 429 and others still get in) {
  herald_process server{limited()};
  CAF_REQUIRE(server.start());
  std::vector<std::unique_ptr<tcp_from>> held;
  for (int i = 0; i < per_address_limit; ++i) {
    held.push_back(hold("127.0.0.1", server.port()));
    CAF_REQUIRE(held.back() != nullptr);
  }
  check_refused("127.0.0.1", server.port(), 429);
  check_refused("127.0.0.1", server.port(), 429);
  auto other = hold("127.0.0.2", server.port(), 0ms);
  CAF_CHECK(other != nullptr);
  // The held connections were not disturbed by the refusals.
  for (auto& c : held) {
    CAF_REQUIRE(c->send(health_request));
    CAF_CHECK_EQUAL(c->read_response().status, 200);
  }
  CAF_CHECK(server.log_text().find("max_connections_per_ip (3) reached") != std::string::npos);
  // Closing one gives 127.0.0.1 its place back.
  held.pop_back();
  CAF_CHECK(hold("127.0.0.1", server.port()) != nullptr);
}

CAF_TEST(websockets count and give their place back when closed) {
  herald_process server{limited()};
  CAF_REQUIRE(server.start());
  // Wait until the start-up probe's place is free: hold one and let it go.
  CAF_REQUIRE(hold("127.0.0.1", server.port()) != nullptr);
  std::vector<std::unique_ptr<ws_client>> sockets;
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (sockets.size() < static_cast<std::size_t>(per_address_limit)
         && std::chrono::steady_clock::now() < deadline) {
    auto ws = std::make_unique<ws_client>(server.port());
    if (ws->connect("/socket/limits/x").upgraded)
      sockets.push_back(std::move(ws));
    else
      std::this_thread::sleep_for(20ms);
  }
  CAF_REQUIRE_EQUAL(sockets.size(), static_cast<std::size_t>(per_address_limit));
  ws_client refused{server.port()};
  auto hs = refused.connect("/socket/limits/x");
  CAF_CHECK(!hs.upgraded);
  CAF_CHECK_EQUAL(hs.status, 429);
  CAF_CHECK_EQUAL(hs.content_type, "application/json");
  http_response as_response;
  as_response.status = hs.status;
  as_response.headers["content-type"] = hs.content_type;
  as_response.body = hs.body;
  CAF_CHECK(is_json_error(as_response, 429));
  sockets.front()->close();
  sockets.erase(sockets.begin());
  auto again = std::make_unique<ws_client>(server.port());
  bool upgraded = false;
  deadline = std::chrono::steady_clock::now() + 2s;
  while (!upgraded && std::chrono::steady_clock::now() < deadline) {
    again = std::make_unique<ws_client>(server.port());
    upgraded = again->connect("/socket/limits/x").upgraded;
    if (!upgraded)
      std::this_thread::sleep_for(20ms);
  }
  CAF_CHECK(upgraded);
}

CAF_TEST(past the total limit every address gets 503) {
  herald_process server{limited()};
  CAF_REQUIRE(server.start());
  std::vector<std::unique_ptr<tcp_from>> held;
  for (auto source : {"127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2", "127.0.0.3"}) {
    held.push_back(hold(source, server.port()));
    CAF_REQUIRE(held.back() != nullptr);
  }
  check_refused("127.0.0.4", server.port(), 503);
  check_refused("127.0.0.1", server.port(), 503);
  CAF_CHECK(server.log_text().find("max_connections (5) reached") != std::string::npos);
  // Refused connections took no place: one close makes room for one more.
  held.pop_back();
  held.push_back(hold("127.0.0.4", server.port()));
  CAF_CHECK(held.back() != nullptr);
  check_refused("127.0.0.5", server.port(), 503);
  CAF_CHECK(server.running());
}

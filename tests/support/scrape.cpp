#include "support/scrape.hpp"

#include <thread>

namespace herald::test_support {

prom_exposition scrape_metrics(http_client& http) {
  auto res = http.request("GET", "/metrics");
  prom_exposition failed;
  if (res.status != 200) {
    failed.error = "GET /metrics answered " + std::to_string(res.status) + " " + res.error;
    return failed;
  }
  if (res.header("content-type") != metrics_content_type) {
    failed.error = "GET /metrics: Content-Type " + res.header("content-type");
    return failed;
  }
  return parse_prometheus_text(res.body);
}

prom_exposition scrape_metrics_until(http_client& http,
                                     const std::function<bool(const prom_exposition&)>& done,
                                     std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto p = scrape_metrics(http);
  while (!(p.ok && done(p)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    p = scrape_metrics(http);
  }
  return p;
}

http_response get_until(http_client& http, const std::string& target, int status,
                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto res = http.request("GET", target);
  while (res.status != status && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    res = http.request("GET", target);
  }
  return res;
}

} // namespace herald::test_support

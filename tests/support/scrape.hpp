#pragma once

// Reading a server's GET /metrics (strictly, see prometheus_text.hpp) and
// waiting, bounded, for a scrape or an endpoint to show what a test expects.

#include <chrono>
#include <functional>
#include <string>

#include "support/http_client.hpp"
#include "support/prometheus_text.hpp"

namespace herald::test_support {

/// The Content-Type of a scrape's answer (text format 0.0.4).
inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// GET /metrics, read strictly. `ok` false and `error` set when the status
/// is not 200, the Content-Type is not the text format's, or the text is
/// not valid.
prom_exposition scrape_metrics(http_client& http);

/// Scrapes every 20 ms until `done` holds for a valid scrape, at most
/// `timeout`; the last scrape.
prom_exposition scrape_metrics_until(http_client& http,
                                     const std::function<bool(const prom_exposition&)>& done,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// GET `target` every 50 ms until it answers `status`, at most `timeout`;
/// the last answer.
http_response get_until(http_client& http, const std::string& target, int status,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace herald::test_support

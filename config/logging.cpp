#include "config/logging.hpp"

#include <chrono>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/json_log_formatter.hpp"
#include "config/values.hpp"

namespace herald {

namespace {

std::unique_ptr<spdlog::formatter> make_formatter(const config& cfg) {
  if (cfg.log_format == "json")
    return std::make_unique<json_log_formatter>();
  return std::make_unique<spdlog::pattern_formatter>(log_pattern);
}

} // namespace

bool setup_logging(const config& cfg, std::string& error) {
  // spdlog::level::from_str maps unknown names to "off": check first, so a
  // typo never silences the log.
  if (!is_log_level(cfg.log_level)) {
    error = "unknown log level " + in_quotes(cfg.log_level) + " (expected one of "
            + log_levels_text + ")";
    return false;
  }
  if (cfg.log_format != "text" && cfg.log_format != "json") {
    error = "unknown log format " + in_quotes(cfg.log_format) + " (expected text or json)";
    return false;
  }
  auto level = spdlog::level::from_str(cfg.log_level);
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (cfg.log_file.empty()) {
      // color_mode::automatic: colours only when stderr is a terminal, so
      // redirected logs stay free of escape codes.
      auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
      logger = std::make_shared<spdlog::logger>("herald", std::move(sink));
    } else {
      auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        cfg.log_file, cfg.log_max_size, cfg.log_max_files);
      logger = std::make_shared<spdlog::logger>("herald", std::move(sink));
    }
  } catch (const spdlog::spdlog_ex& e) {
    error = "cannot open log file " + in_quotes(cfg.log_file) + ": " + e.what();
    return false;
  }
  logger->set_formatter(make_formatter(cfg));
  logger->set_level(level);
  // Warnings and errors reach the disk at once (they matter after a crash);
  // the rest is flushed every second by spdlog's flusher thread, so info
  // lines cost no syscall each.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  if (!cfg.log_file.empty())
    spdlog::flush_every(std::chrono::seconds(1));
  return true;
}

void update_logging(const config& cfg) {
  auto logger = spdlog::default_logger();
  // Both are thread-safe: the level is an atomic, and each sink swaps its
  // formatter under the lock its writes take.
  logger->set_formatter(make_formatter(cfg));
  logger->set_level(spdlog::level::from_str(cfg.log_level));
}

} // namespace herald

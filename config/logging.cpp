#include "config/logging.hpp"

#include <chrono>
#include <memory>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/values.hpp"

namespace herald {

bool setup_logging(const config& cfg, std::string& error) {
  // spdlog::level::from_str maps unknown names to "off": check first, so a
  // typo never silences the log.
  if (!is_log_level(cfg.log_level)) {
    error = "unknown log level " + in_quotes(cfg.log_level) + " (expected one of "
            + log_levels_text + ")";
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
  logger->set_pattern(log_pattern);
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

} // namespace herald

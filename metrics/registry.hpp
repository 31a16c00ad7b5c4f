#pragma once

// Every metrics block of one server, and the scrape: render() reads each
// block's cells (relaxed loads, no actor round trip), adds up the blocks of
// each kind and writes the families of docs/api.md in the text format.
// Thread-safe: blocks are added at start-up, render() runs on any thread.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/actor_metrics.hpp"
#include "metrics/io_metrics.hpp"

namespace herald {

class metrics_registry {
public:
  /// `version`: what herald_build_info shows. The start time is now.
  explicit metrics_registry(std::string version);

  void add(std::shared_ptr<const io_metrics> block);
  void add(std::shared_ptr<const storage_metrics> block);
  void add(std::shared_ptr<const cache_metrics> block);
  /// Cluster mode only; the cluster families appear once one is added.
  void add(std::shared_ptr<const cluster_metrics> block);

  /// The whole exposition (Content-Type metrics::content_type).
  std::string render() const;

private:
  std::string version_;
  int64_t start_time_seconds_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const io_metrics>> io_;
  std::vector<std::shared_ptr<const storage_metrics>> storage_;
  std::vector<std::shared_ptr<const cache_metrics>> cache_;
  std::vector<std::shared_ptr<const cluster_metrics>> cluster_;
};

} // namespace herald

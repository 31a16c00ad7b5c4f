#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace herald::bench {

// CPU and memory of a server made of one or more processes (nginx: master
// and worker), summed.
struct proc_sample {
  double cpu_seconds = 0;   // utime + stime (+ children already reaped)
  std::uint64_t rss_kb = 0; // VmRSS
  bool ok = false;          // every process could be read
};

proc_sample sample_processes(const std::vector<int>& pids);

// pids plus every live process whose parent is one of them.
std::vector<int> with_children(const std::vector<int>& pids);

// Parses the text of /proc/PID/stat; false if it does not look like one.
bool parse_proc_stat(const std::string& text, double ticks_per_second, double& cpu_seconds, int& ppid);

// This process's CPU time (user + system), in seconds.
double self_cpu_seconds();

} // namespace herald::bench

#include "bench/proc_stats.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace herald::bench {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

double ticks() {
  static const double t = static_cast<double>(sysconf(_SC_CLK_TCK));
  return t > 0 ? t : 100.0;
}

} // namespace

bool parse_proc_stat(const std::string& text, double ticks_per_second, double& cpu_seconds, int& ppid) {
  // The command name (field 2) may hold spaces and parentheses: fields
  // are counted from the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return false;
  std::istringstream in{text.substr(close + 1)};
  std::string field;
  std::vector<std::string> f; // f[0] is field 3 (state)
  while (in >> field && f.size() < 15)
    f.push_back(field);
  if (f.size() < 15)
    return false;
  ppid = std::atoi(f[1].c_str());
  double sum = 0;
  for (int i = 11; i <= 14; ++i) // utime stime cutime cstime = fields 14..17
    sum += std::strtod(f[static_cast<std::size_t>(i)].c_str(), nullptr);
  cpu_seconds = sum / ticks_per_second;
  return true;
}

proc_sample sample_processes(const std::vector<int>& pids) {
  proc_sample s;
  s.ok = !pids.empty();
  for (int pid : pids) {
    auto base = "/proc/" + std::to_string(pid);
    double cpu = 0;
    int ppid = 0;
    if (!parse_proc_stat(read_all(base + "/stat"), ticks(), cpu, ppid)) {
      s.ok = false;
      continue;
    }
    s.cpu_seconds += cpu;
    std::istringstream status{read_all(base + "/status")};
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmRSS:", 0) == 0)
        s.rss_kb += std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return s;
}

std::vector<int> with_children(const std::vector<int>& pids) {
  std::vector<int> out = pids;
  DIR* dir = opendir("/proc");
  if (dir == nullptr)
    return out;
  while (auto* e = readdir(dir)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0)
      continue;
    double cpu = 0;
    int ppid = 0;
    if (parse_proc_stat(read_all("/proc/" + std::to_string(pid) + "/stat"), ticks(), cpu, ppid)
        && std::find(pids.begin(), pids.end(), ppid) != pids.end()
        && std::find(out.begin(), out.end(), pid) == out.end())
      out.push_back(pid);
  }
  closedir(dir);
  return out;
}

double self_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

} // namespace herald::bench

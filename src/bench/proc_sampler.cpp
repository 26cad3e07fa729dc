#include "proc_sampler.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace alertgate::bench {

ProcSampler::ProcSampler(int pid) : pid_(pid) {}

bool ProcSampler::sample() {
  const std::string base = "/proc/" + std::to_string(pid_);
  std::ifstream stat(base + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted
  // from the last ')'. utime and stime are fields 14 and 15.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  std::uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return false;
  const double cpu_s =
      static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));

  std::ifstream status(base + "/status");
  std::string line;
  while (std::getline(status, line)) {
    const bool hwm = line.rfind("VmHWM:", 0) == 0;
    if (hwm || line.rfind("VmRSS:", 0) == 0) {
      std::istringstream words(line.substr(6));
      std::uint64_t kb = 0;
      words >> kb;
      rss_max_ = std::max(rss_max_, kb * 1024);
    }
  }
  const auto at = std::chrono::steady_clock::now();
  if (samples_ == 0) {
    first_cpu_s_ = cpu_s;
    first_at_ = at;
  }
  last_cpu_s_ = cpu_s;
  last_at_ = at;
  ++samples_;
  return true;
}

TargetUsage ProcSampler::usage() const {
  TargetUsage u;
  const double wall = std::chrono::duration<double>(last_at_ - first_at_).count();
  u.cpu_percent = wall > 0 ? 100.0 * (last_cpu_s_ - first_cpu_s_) / wall : 0;
  u.rss_max_bytes = rss_max_;
  return u;
}

}  // namespace alertgate::bench

// ProcSampler: CPU and memory of a local process from /proc/<pid>/stat and status, for
// `alertgate bench --target-pid`. Driver thread only. A process that went away keeps the
// last values (sample() returns false).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "alertgate/bench/bench_report.hpp"

namespace alertgate::bench {

class ProcSampler {
 public:
  explicit ProcSampler(int pid);

  // Reads the counters now; false if the process cannot be read.
  bool sample();
  // CPU % of one core from the first to the last successful sample, and the largest
  // resident set seen (VmHWM when the kernel reports it, else the largest VmRSS sampled).
  TargetUsage usage() const;
  bool ok() const { return samples_ > 0; }

 private:
  int pid_;
  std::uint64_t samples_ = 0;
  double first_cpu_s_ = 0, last_cpu_s_ = 0;
  std::chrono::steady_clock::time_point first_at_{}, last_at_{};
  std::uint64_t rss_max_ = 0;
};

}  // namespace alertgate::bench

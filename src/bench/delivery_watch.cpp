#include "alertgate/bench/delivery_watch.hpp"

namespace alertgate::bench {

std::string_view to_string(WaitEnd end) {
  switch (end) {
    case WaitEnd::waiting: return "waiting";
    case WaitEnd::expected: return "expected";
    case WaitEnd::timeout: return "timeout";
    case WaitEnd::idle: return "idle";
  }
  return "waiting";
}

WaitEnd DeliveryWatch::observe(std::uint64_t distinct, TimePoint now) {
  if (end_ != WaitEnd::waiting) return end_;
  if (distinct != last_count_) {
    last_count_ = distinct;
    last_growth_ = now;
  }
  if (options_.expected > 0 && distinct >= options_.expected) {
    end_ = WaitEnd::expected;
  } else if (now - start_ >= options_.timeout) {
    end_ = WaitEnd::timeout;
  } else if (distinct > 0 && now - last_growth_ >= options_.idle) {
    end_ = WaitEnd::idle;
  }
  return end_;
}

}  // namespace alertgate::bench

#include "alertgate/dead_letters.hpp"

#include <fmt/format.h>

#include "alertgate/alert_json.hpp"
#include "alertgate/json_text.hpp"
#include "alertgate/log.hpp"

namespace alertgate {

void DeadLetterStore::add(DeadLetter letter) {
  std::lock_guard lock(mutex_);
  letter.id = next_id_++;
  letters_.push_back(std::move(letter));
  if (letters_.size() > capacity_) {
    letters_.pop_front();
    ++evicted_;
    log::warn("dead-letter store full: the oldest entry was dropped",
              {{"capacity", capacity_}, {"evicted_total", evicted_}});
  }
}

std::vector<DeadLetter> DeadLetterStore::list(std::string_view tenant_id, std::size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<DeadLetter> out;
  for (auto it = letters_.rbegin(); it != letters_.rend() && out.size() < limit; ++it) {
    if (tenant_id.empty() || it->tenant_id == tenant_id) out.push_back(*it);
  }
  return out;
}

std::uint64_t DeadLetterStore::total() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

std::uint64_t DeadLetterStore::evicted() const {
  std::lock_guard lock(mutex_);
  return evicted_;
}

std::string DeadLetterStore::to_json(const std::vector<DeadLetter>& letters, std::uint64_t total,
                                     std::uint64_t evicted) {
  std::string out = "{\"dead_letters\":[";
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const DeadLetter& d = letters[i];
    if (i != 0) out.push_back(',');
    fmt::format_to(std::back_inserter(out), "{{\"id\":{},\"tenant_id\":", d.id);
    append_json_string(out, d.tenant_id);
    out.append(",\"destination\":");
    append_json_string(out, d.destination);
    out.append(",\"destination_type\":");
    append_json_string(out, d.destination_type);
    out.append(",\"reason\":");
    append_json_string(out, d.reason);
    fmt::format_to(std::back_inserter(out), ",\"attempts\":{},\"first_attempt\":\"", d.attempts);
    append_rfc3339(out, d.first_attempt);
    out.append("\",\"failed_at\":\"");
    append_rfc3339(out, d.failed_at);
    out.append("\",\"alerts\":[");
    for (std::size_t k = 0; k < d.alerts.size(); ++k) {
      if (k != 0) out.push_back(',');
      append_alert_json(out, d.alerts[k]);
    }
    out.append("]}");
  }
  fmt::format_to(std::back_inserter(out), "],\"total\":{},\"evicted\":{}}}", total, evicted);
  return out;
}

}  // namespace alertgate

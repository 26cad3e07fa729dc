#include "durable_log.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <future>
#include <string_view>
#include <unordered_map>

#include "alertgate/log.hpp"

namespace alertgate {

Result<std::unique_ptr<DurableLog>> DurableLog::open(const std::filesystem::path& data_dir,
                                                     unsigned shards) {
  const std::filesystem::path dir = data_dir / "wal";
  auto replay = wal::replay_wal(dir);
  if (!replay) return unexpected(Error{"write-ahead log: " + replay.error().message});
  for (const wal::WalDamage& d : replay->damage) {
    // Never silent: every repair is logged with where and why.
    log::error(d.action == wal::DamageAction::truncated ? "write-ahead log tail truncated"
                                                        : "write-ahead log segment quarantined",
               {{"file", d.file.string()},
                {"moved_to", d.moved_to.string()},
                {"offset", static_cast<unsigned long long>(d.offset)},
                {"bytes_dropped", static_cast<unsigned long long>(d.bytes_dropped)},
                {"reason", d.reason}});
  }
  unsigned count = shards;
  for (const auto& s : replay->shards) count = std::max(count, s.shard + 1);

  std::unique_ptr<DurableLog> out(new DurableLog());
  for (unsigned i = 0; i < count; ++i) {
    wal::WalOptions o;
    o.dir = dir;
    o.shard = i;
    for (const auto& s : replay->shards) {
      if (s.shard == i) o.recovered = s.segments;
    }
    auto w = wal::WalWriter::open(std::move(o));
    if (!w) return unexpected(Error{"write-ahead log: " + w.error().message});
    out->writers_.push_back(std::move(w).value());
  }
  out->replayed_ = std::move(replay->alerts);
  log::info("write-ahead log open",
            {{"dir", dir.string()},
             {"shards", count},
             {"segments_read", static_cast<unsigned long long>(replay->segments_read)},
             {"to_replay", static_cast<unsigned long long>(out->replayed_.size())},
             {"already_done", static_cast<unsigned long long>(replay->alerts_finished)},
             {"bad_payloads", static_cast<unsigned long long>(replay->bad_payloads)}});
  return out;
}

bool DurableLog::healthy() const {
  return std::all_of(writers_.begin(), writers_.end(), [](const auto& w) { return w->healthy(); });
}

std::size_t DurableLog::resubmit(const PolicySnapshot& snapshot, ShardSet& shards) {
  std::size_t resubmitted = 0, orphaned = 0, refused = 0;
  std::unordered_map<std::string_view, TenantIndex> index_of;
  for (std::size_t i = 0; i < snapshot.tenants.size(); ++i) {
    if (const auto& p = snapshot.tenants[i].policy) {
      index_of.emplace(p->tenant_id, static_cast<TenantIndex>(i));
    }
  }
  for (wal::ReplayedAlert& r : replayed_) {
    Alert& a = r.alert;
    a.wal_shard = r.shard;
    a.wal_segment = r.ticket.segment;
    if (!r.ticket.valid()) {
      // From a quarantined segment: log it again before it is routed.
      std::promise<wal::WalTicket> logged;
      writers_[r.shard]->append(a, [&logged](std::error_code ec, wal::WalTicket t) {
        logged.set_value(ec ? wal::WalTicket{} : t);
      });
      a.wal_segment = logged.get_future().get().segment;
    }
    if (!r.final_destinations.empty()) {
      std::lock_guard lock(finals_mutex_);
      finals_[a.alert_id] = std::move(r.final_destinations);
      has_finals_.store(true, std::memory_order_release);
    }
    const auto tenant = index_of.find(a.tenant_id);
    if (tenant == index_of.end()) {
      ++orphaned;
      release(a);
      continue;
    }
    if (shards.submit(tenant->second, std::span<Alert>(&a, 1)) != ShardSet::Submit::ok) {
      ++refused;  // stays in the log: replayed by the next start
      continue;
    }
    ++resubmitted;
  }
  if (!replayed_.empty()) {
    log::info("write-ahead log replayed",
              {{"resubmitted", static_cast<unsigned long long>(resubmitted)},
               {"tenant_gone", static_cast<unsigned long long>(orphaned)},
               {"queue_full", static_cast<unsigned long long>(refused)}});
  }
  replayed_.clear();
  replayed_.shrink_to_fit();
  return resubmitted;
}

void DurableLog::release(const Alert& alert) {
  if (closing_.load(std::memory_order_acquire)) return;
  if (alert.wal_segment == 0 || alert.wal_shard >= writers_.size()) return;
  writers_[alert.wal_shard]->complete(wal::WalTicket{alert.wal_segment}, alert.alert_id);
  if (has_finals_.load(std::memory_order_acquire)) {
    std::lock_guard lock(finals_mutex_);
    finals_.erase(alert.alert_id);
    if (finals_.empty()) has_finals_.store(false, std::memory_order_release);
  }
}

void DurableLog::delivery_final(const Alert& alert, std::uint64_t destination, bool delivered) {
  if (closing_.load(std::memory_order_acquire)) return;
  if (alert.wal_segment == 0 || alert.wal_shard >= writers_.size()) return;
  writers_[alert.wal_shard]->record_outcome(
      {alert.alert_id, destination,
       delivered ? wal::Outcome::delivered : wal::Outcome::dead_lettered});
}

bool DurableLog::already_final(const Alert& alert, std::uint64_t destination) const {
  if (!has_finals_.load(std::memory_order_acquire)) return false;
  std::lock_guard lock(finals_mutex_);
  const auto it = finals_.find(alert.alert_id);
  return it != finals_.end() &&
         std::find(it->second.begin(), it->second.end(), destination) != it->second.end();
}

void DurableLog::stop() {
  for (auto& w : writers_) w->stop();
}

}  // namespace alertgate

// LogNotifier: what becomes of notifications until the delivery engine lands. Each alert of
// a notification is written as one enriched-alert JSON line to every `log` destination of
// the notification's rule; a rule without a `log` destination writes to stdout, so every
// notified alert is visible somewhere. Counted per tenant under destination type `log`.
//
// Threads: notify() on any shard; open() on the control thread (start-up and reload) opens
// the files of new `log` destinations before a snapshot naming them is published.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alertgate/log_sink.hpp"
#include "alertgate/notifier.hpp"
#include "alertgate/result.hpp"
#include "alertgate/tenant_policy.hpp"

namespace alertgate {

class LogNotifier final : public Notifier {
 public:
  // Opens the file of every `log` destination of `policy` not open yet; errors name the
  // tenant and path.
  std::optional<Error> open(const TenantPolicy& policy);

  void notify(std::size_t shard, TenantIndex tenant, Notification& n,
              ReactorMetrics& metrics) override;

 private:
  Sink& sink_for(const Destination& d);

  LogSink stdout_;
  std::mutex mutex_;  // guards files_ (the sinks themselves lock their writes)
  std::map<std::string, std::unique_ptr<LogSink>> files_;
};

}  // namespace alertgate

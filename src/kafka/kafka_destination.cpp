#include "alertgate/kafka/kafka_destination.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace alertgate::kafka {

namespace {

// Collects the reports of one notification's messages; the last one answers.
struct Pending {
  explicit Pending(std::size_t n, std::function<void(SinkResult)> d)
      : left(n), done(std::move(d)) {}
  std::atomic<std::size_t> left;
  std::mutex mutex;  // guards `worst`
  SinkResult worst;  // delivered < retry < failed
  std::function<void(SinkResult)> done;

  void report(const DeliveryReport& r) {
    if (!r.delivered) {
      std::lock_guard lock(mutex);
      const NotifyOutcome o = r.retriable ? NotifyOutcome::retry : NotifyOutcome::failed;
      if (worst.outcome == NotifyOutcome::delivered ||
          (worst.outcome == NotifyOutcome::retry && o == NotifyOutcome::failed)) {
        worst.outcome = o;
        worst.reason = "kafka: " + r.reason;
      }
    }
    if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      SinkResult result;
      {
        std::lock_guard lock(mutex);
        result = worst;
      }
      done(std::move(result));
    }
  }
};

}  // namespace

void KafkaDestination::deliver(std::span<const Alert> alerts, std::string_view topic,
                               std::function<void(SinkResult)> done) {
  if (alerts.empty()) {
    done(SinkResult{});
    return;
  }
  auto pending = std::make_shared<Pending>(alerts.size(), std::move(done));
  for (const Alert& a : alerts) {
    producer_.produce_to(topic, a, [pending](const DeliveryReport& r) { pending->report(r); });
  }
}

}  // namespace alertgate::kafka

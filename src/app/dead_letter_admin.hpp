// DeadLetterAdmin: the dead-letter endpoints, all under the admin token (check_admin):
//   GET    /api/v1/deadletters?tenant=&destination=&id=&limit=   list, newest first
//   POST   /api/v1/deadletters/replay?tenant=&destination=&id=&limit=
//          deliver the matching letters again to the same destination of the tenant's
//          current policy (found by its identity, not its position); a letter leaves the
//          store once that delivery is final (delivered, or dead-lettered again as a new
//          letter); 202 with the ids being replayed and those skipped, with why
//   DELETE /api/v1/deadletters?tenant=&destination=&id=   (or ?all=true) purge
// `destination` matches a named destination's name or the shown form ("name: webhook(…)").
// Parameters are percent-decoded; a bad one is a 400 naming it.
//
// Owns nothing but references; built on the control thread before the reactors run.
// Handlers run on reactor threads; a replay is posted to the tenant's home shard.
#pragma once

#include <boost/asio/io_context.hpp>
#include <vector>

#include "alertgate/delivery_engine.hpp"
#include "alertgate/http_server.hpp"
#include "alertgate/policy_snapshot.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/wal/dead_letter_store.hpp"

namespace alertgate {

class DeadLetterAdmin {
 public:
  DeadLetterAdmin(const SnapshotHolder& snapshots, wal::DeadLetterStore& store,
                  DeliveryEngine& delivery, const ShardSet& shards,
                  std::vector<boost::asio::io_context*> reactors)
      : snapshots_(snapshots),
        store_(store),
        delivery_(delivery),
        shards_(shards),
        reactors_(std::move(reactors)) {}

  http::Handler list_handler();
  http::Handler replay_handler();
  http::Handler purge_handler();

  // {"dead_letters":[{...,"alerts":[enriched alerts]}],"stored":N,"total":N,...}
  static std::string to_json(const std::vector<wal::ListedDeadLetter>& letters,
                             const wal::DeadLetterStats& stats);

 private:
  struct Skipped {
    std::uint64_t id;
    std::string reason;
  };
  // Starts the redelivery of `letter`, or says why it cannot be.
  std::optional<std::string> replay(DeadLetter letter);

  const SnapshotHolder& snapshots_;
  wal::DeadLetterStore& store_;
  DeliveryEngine& delivery_;
  const ShardSet& shards_;
  std::vector<boost::asio::io_context*> reactors_;
};

}  // namespace alertgate

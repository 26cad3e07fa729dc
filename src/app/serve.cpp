#include <systemd/sd-daemon.h>

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <csignal>
#include <fstream>
#include <random>

#include "admin_endpoints.hpp"
#include "alertgate/app.hpp"
#include "alertgate/delivery_engine.hpp"
#include "alertgate/kafka/kafka_destination.hpp"
#include "alertgate/kafka/kafka_producer.hpp"
#include "alertgate/kafka/wal_forwarder.hpp"
#include "alertgate/log.hpp"
#include "alertgate/metrics.hpp"
#include "alertgate/rate_limiter.hpp"
#include "alertgate/shard.hpp"
#include "alertgate/shard_router.hpp"
#include "dead_letter_admin.hpp"
#include "dir_watch.hpp"
#include "durable_log.hpp"
#include "policy_manager.hpp"
#include "reactor.hpp"
#include "reload_service.hpp"
#include "router_intake.hpp"

#ifndef ALERTGATE_VERSION
#define ALERTGATE_VERSION "dev"
#endif

namespace alertgate {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Paths served, in metrics-index order (EndpointTable assigns indexes in add order).
struct DeadLetterHandlers {
  http::Handler list, replay, purge;
};

void add_endpoints(Reactor& r, Metrics& metrics, const std::function<bool()>& ready,
                   http::Handler reload, DeadLetterHandlers dead_letters) {
  IngestEndpoints* ingest = r.ingest.get();
  r.endpoints.add(http::Verb::post, "/api/v2/alerts", [ingest](http::Request& q, http::Reply p) {
    ingest->alertmanager_v2(q, std::move(p));
  });
  r.endpoints.add(http::Verb::post, "/v1/alerts",
                  [ingest](http::Request& q, http::Reply p) { ingest->native(q, std::move(p)); });
  r.endpoints.add(http::Verb::post, "/v2/enqueue", [ingest](http::Request& q, http::Reply p) {
    ingest->pagerduty(q, std::move(p));
  });
  auto healthy = [](http::Request&, http::Reply p) {
    p.send(http::json_response(200, "{\"status\":\"healthy\"}"));
  };
  r.endpoints.add(http::Verb::get, "/-/healthy", healthy);
  r.endpoints.add(http::Verb::head, "/-/healthy", healthy);
  auto readiness = [&ready](http::Request&, http::Reply p) {
    p.send(ready() ? http::json_response(200, "{\"status\":\"ready\"}")
                   : http::json_response(503, "{\"status\":\"not ready\"}"));
  };
  r.endpoints.add(http::Verb::get, "/-/ready", readiness);
  r.endpoints.add(http::Verb::head, "/-/ready", readiness);
  r.endpoints.add(http::Verb::post, "/-/reload", std::move(reload));
  r.endpoints.add(http::Verb::get, "/api/v1/deadletters", std::move(dead_letters.list));
  r.endpoints.add(http::Verb::delete_, "/api/v1/deadletters", std::move(dead_letters.purge));
  r.endpoints.add(http::Verb::post, "/api/v1/deadletters/replay", std::move(dead_letters.replay));
  r.endpoints.add(http::Verb::get, "/metrics", [&metrics](http::Request&, http::Reply p) {
    http::Response res{bhttp::status::ok, 11};
    res.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = metrics.render();
    p.send(std::move(res));
  });
}

std::vector<std::string> endpoint_paths() {
  // Built from a throwaway table so the list cannot drift from add_endpoints().
  Reactor probe;
  const std::function<bool()> ready = [] { return false; };
  Metrics none(0, {}, 0, "");
  const http::Handler nothing = [](http::Request&, http::Reply) {};
  add_endpoints(probe, none, ready, nothing, {nothing, nothing, nothing});
  return probe.endpoints.paths();
}

DeliverySettings delivery_settings(const MainConfig& config) {
  DeliverySettings s;
  s.external_url = effective_external_url(config);
  s.smtp.url = config.smtp.url;
  s.smtp.username = config.smtp.username;
  s.smtp.password = config.smtp.password;
  s.smtp.starttls = config.smtp.starttls;
  s.mail_from = config.smtp.from;
  return s;
}

Result<tcp::endpoint> resolve(const ListenAddress& a) {
  boost::system::error_code ec;
  const auto host = a.host == "localhost" ? std::string("127.0.0.1") : a.host;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) return unexpected(Error{"listen: \"" + a.host + "\" is not an IP address"});
  return tcp::endpoint(addr, a.port);
}

// The notification log between a process and the next (dispatcher.hpp NotifiedGroup).
std::shared_ptr<const ShardRouter::NotifiedByTenant> to_seeds(
    std::vector<wal::NotifyLogEntry> entries) {
  auto seeds = std::make_shared<ShardRouter::NotifiedByTenant>();
  for (wal::NotifyLogEntry& e : entries) {
    (*seeds)[e.tenant_id].push_back(NotifiedGroup{e.group_key, e.last_notify, std::move(e.firing)});
  }
  return seeds;
}

std::vector<wal::NotifyLogEntry> notification_log(const ShardRouter& router, std::size_t shards) {
  std::vector<std::pair<std::string, NotifiedGroup>> groups;
  for (std::size_t k = 0; k < shards; ++k) router.notification_log(k, groups);
  std::vector<wal::NotifyLogEntry> out;
  out.reserve(groups.size());
  for (auto& [tenant, g] : groups) {
    out.push_back({std::move(tenant), g.key, g.last_notify, std::move(g.firing)});
  }
  return out;
}

bool write_port_file(const std::filesystem::path& path, unsigned short port) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // atomic: readers never see a partial file
  return !ec;
}

}  // namespace

int serve(const MainConfig& config, const ServeOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);
  // A file size limit (RLIMIT_FSIZE) must fail the write-ahead log's write with EFBIG -- answered
  // with 503 until it clears -- instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  const unsigned threads =
      config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());

  std::atomic<bool> ready{false};
  Metrics metrics(config.max_tenants, endpoint_paths(), threads, ALERTGATE_VERSION);
  std::vector<std::unique_ptr<Reactor>> reactors;
  std::vector<asio::io_context*> contexts;
  for (unsigned i = 0; i < threads; ++i) {
    auto r = std::make_unique<Reactor>();
    r->index = i;
    r->work.emplace(r->io.get_executor());
    contexts.push_back(&r->io);
    reactors.push_back(std::move(r));
  }

  std::unique_ptr<DurableLog> durable;
  if (config.durability == Durability::wal) {
    wal::WalOptions wal_options;
    wal_options.commit_interval = config.wal.commit_interval;
    wal_options.max_batch_bytes = config.wal.max_batch_bytes;
    wal_options.segment_bytes = config.wal.segment_bytes;
    auto opened = DurableLog::open(config.data_dir, threads, wal_options);
    if (!opened) {
      log::error("cannot start", {{"error", opened.error().message}});
      return 1;
    }
    durable = std::move(opened).value();
  }
  wal::DeadLetterOptions dead_letter_options;
  dead_letter_options.dir = config.data_dir / "deadletters";
  dead_letter_options.max_age =
      std::chrono::duration_cast<std::chrono::seconds>(config.dead_letters.max_age);
  dead_letter_options.max_count = config.dead_letters.max_count;
  auto opened_letters = wal::DeadLetterStore::open(dead_letter_options);
  if (!opened_letters) {
    log::error("cannot start", {{"error", "dead-letter store: " + opened_letters.error().message}});
    return 1;
  }
  wal::DeadLetterStore& dead_letters = **opened_letters;
  // One Kafka producer per process, when brokers are configured (kafka destinations).
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<kafka::KafkaDestination> kafka_destination;
  if (!config.kafka.brokers.empty()) {
    kafka::ProducerSettings ps;
    ps.brokers = config.kafka.brokers;
    ps.topic_pattern = config.kafka.topic_pattern;
    ps.properties = config.kafka.properties;
    if (config.kafka.create_topics) {
      kafka::TopicProvisioning tp;
      tp.partitions = static_cast<int>(config.kafka.partitions);
      tp.replication_factor = static_cast<int>(config.kafka.replication_factor);
      tp.config.insert(config.kafka.topic_config.begin(), config.kafka.topic_config.end());
      ps.create_topics = std::move(tp);
    }
    auto opened_producer = kafka::Producer::open(std::move(ps));
    if (!opened_producer) {
      log::error("cannot start", {{"error", opened_producer.error().message}});
      return 1;
    }
    producer = std::move(opened_producer).value();
    kafka_destination = std::make_unique<kafka::KafkaDestination>(*producer);
  }
  // mode: ingest + durability: wal: logged alerts go to Kafka, their records kept until the
  // broker's report. At most as many wait as librdkafka's queue holds.
  std::unique_ptr<kafka::WalForwarder> forwarder;
  if (config.mode == Mode::ingest && durable) {
    kafka::WalForwarderSettings fs;
    const auto& props = config.kafka.properties;
    const auto limit = props.find("queue.buffering.max.messages");
    const std::string& max_messages =
        limit != props.end()
            ? limit->second
            : kafka::Producer::default_properties().at("queue.buffering.max.messages");
    // librdkafka accepted the value at open(); keep the default if it is not a plain count.
    std::size_t n = 0;
    const auto [end, err] =
        std::from_chars(max_messages.data(), max_messages.data() + max_messages.size(), n);
    if (err == std::errc() && end == max_messages.data() + max_messages.size() && n > 0) {
      fs.max_pending = n;
    }
    forwarder = std::make_unique<kafka::WalForwarder>(*producer, *durable, dead_letters, fs);
  }
  DeliverySettings delivery_config = delivery_settings(config);
  // mode: router: a record is a consumed Kafka message, done once its deliveries are final.
  std::unique_ptr<RouterIntake> intake;
  if (config.mode == Mode::router) intake = std::make_unique<RouterIntake>(dead_letters);
  AlertReleaser* releaser = intake ? static_cast<AlertReleaser*>(intake.get()) : durable.get();
  delivery_config.releaser = releaser;
  delivery_config.kafka = kafka_destination.get();
  DeliveryEngine delivery(contexts, delivery_config, dead_letters, metrics);
  PolicyManager policy(config, options.config_path, options.listen_from_cli,
                       [&delivery](const TenantPolicy& p) { return delivery.open_log_files(p); });
  ReloadReport initial;
  SnapshotHolder snapshots(policy.load_initial(initial));
  for (const auto& e : initial.errors) {
    log::error("tenant policy refused", {{"error", to_string(e)}});
  }

  ShardSettings shard_settings;
  shard_settings.max_queue_per_tenant = config.limits.max_queue_per_tenant;
  DispatcherSettings dispatcher_settings;
  dispatcher_settings.releaser = releaser;
  ShardRouter router(contexts, snapshots, dispatcher_settings, delivery, metrics);
  ShardSet shards(contexts, policy.capacity(), shard_settings, router, metrics);
  router.set_shards(shards);
  if (durable) {
    // What the previous process notified: its groups are not notified again.
    const auto seeds = to_seeds(durable->take_notify_log());
    for (unsigned k = 0; k < threads; ++k) router.seed(k, seeds);
  }
  DeadLetterAdmin dead_letter_admin(snapshots, dead_letters, delivery, shards, contexts);
  policy.attach(snapshots, shards, metrics);
  metrics.reload_finished(initial.success, std::chrono::system_clock::now());
  RateLimiter rate_limiter(policy.capacity());
  metrics.set_queue_depth_source(
      [&shards](std::size_t t) { return shards.queue_depth(static_cast<TenantIndex>(t)); });
  metrics.set_storage_source([&durable, &dead_letters, &producer, &forwarder, &intake] {
    StorageStats st;
    if (durable) {
      const wal::WalStats w = durable->stats();
      st.wal = true;
      st.wal_appended = w.appended;
      st.wal_append_failures = w.append_failures;
      st.wal_commits = w.commits;
      st.wal_bytes_written = w.bytes_written;
      st.wal_segments = w.segments;
      st.wal_compactions = w.compactions;
      st.wal_records_moved = w.records_moved;
      st.wal_io_errors = w.io_errors;
      st.wal_tails_truncated = durable->tails_truncated();
      st.wal_segments_quarantined = durable->segments_quarantined();
    }
    if (producer) {
      const kafka::ProducerStats k = producer->stats();
      st.kafka = true;
      st.kafka_up = producer->healthy();
      st.kafka_delivered = k.delivered;
      st.kafka_failed = k.failed;
      st.kafka_in_flight = k.in_flight;
    }
    if (forwarder) {
      const kafka::WalForwarderStats f = forwarder->stats();
      st.kafka_forwarder = true;
      st.kafka_forward_pending = f.pending;
      st.kafka_forward_retries = f.retries;
      st.kafka_forward_dead_lettered = f.dead_lettered;
    }
    if (intake) {
      st.consumer = true;
      st.consumer_assigned = intake->assigned();
      for (const kafka::PartitionLag& p : intake->lag()) {
        st.consumer_lag.push_back({p.topic, p.partition, p.lag});
      }
    }
    const wal::DeadLetterStats d = dead_letters.stats();
    st.dead_letters_stored = d.stored;
    st.dead_letter_write_errors = d.write_errors;
    return st;
  });
  // Ready: started, the log can write, and in ingest mode a Kafka broker answers.
  const std::function<bool()> is_ready = [&] {
    return ready.load(std::memory_order_acquire) && (!durable || durable->healthy()) &&
           (config.mode != Mode::ingest || producer->healthy()) && (!intake || intake->assigned());
  };
  metrics.set_ready_source(is_ready);

  RatingSettings rating;
  rating.resolve_timeout = config.resolve_timeout;
  DecodeLimits decode_limits;
  http::ServerSettings server_settings{config.limits.max_body_bytes, config.limits.max_header_bytes,
                                       config.limits.read_timeout, config.limits.max_connections};
  std::atomic<std::size_t> connections{0};
  std::random_device seed_source;
  asio::io_context control;
  ReloadService reload_service(control, policy, snapshots);
  for (auto& r : reactors) {
    const std::uint64_t seed = (std::uint64_t{seed_source()} << 32) ^ seed_source();
    r->ingest = std::make_unique<IngestEndpoints>(
        snapshots, shards, rate_limiter, metrics.reactor(r->index), decode_limits, rating, seed,
        r->io, durable ? &durable->writer(r->index) : nullptr);
    if (config.mode == Mode::ingest) {
      r->ingest->forward_to(producer.get(), config.durability == Durability::kafka,
                            forwarder.get());
    }
    add_endpoints(*r, metrics, is_ready, reload_service.handler(r->io),
                  {dead_letter_admin.list_handler(), dead_letter_admin.replay_handler(),
                   dead_letter_admin.purge_handler()});
    r->server = std::make_unique<http::HttpServer>(r->io, r->endpoints, server_settings,
                                                   metrics.reactor(r->index), connections);
  }

  // Every reactor listens on every address; the first one picks the port when it is 0.
  bool first_port_written = false;
  for (const auto& addr : config.listen) {
    auto at = resolve(addr);
    if (!at) {
      log::error("cannot start", {{"error", at.error().message}});
      return 1;
    }
    for (auto& r : reactors) {
      auto bound = r->server->listen(*at);
      if (!bound) {
        log::error("cannot start", {{"error", bound.error().message}});
        return 1;
      }
      at->port(bound->port());
    }
    log::info("listening", {{"address", at->address().to_string()},
                            {"port", static_cast<unsigned>(at->port())},
                            {"reactors", threads}});
    if (!options.port_file.empty() && !first_port_written) {
      if (!write_port_file(options.port_file, at->port())) {
        log::error("cannot write port file", {{"path", options.port_file.string()}});
        return 1;
      }
      first_port_written = true;
    }
  }

  std::atomic<unsigned> running{0};
  for (auto& r : reactors) {
    asio::post(r->io, [&running] { running.fetch_add(1, std::memory_order_acq_rel); });
    r->thread = std::thread([&io = r->io] { io.run(); });
  }

  // Where the log's replayed and adopted alerts go: Kafka in ingest mode, else their shard.
  const ReplayTarget replay_target = forwarder ? ReplayTarget([&forwarder](TenantIndex, Alert& a) {
    forwarder->forward(std::move(a));
    return true;
  })
                                               : shard_target(shards);

  // Control thread: readiness, signals, reloads, shutdown.
  asio::steady_timer timer(control);
  // Logs of a process that exits while this one runs (the old one of a zero-downtime
  // restart, which drains while this one serves) are adopted within a second.
  asio::steady_timer adopt_timer(control);
  std::function<void()> adopt = [&] {
    durable->adopt_orphans(
        *snapshots.load(), replay_target, [&](std::vector<wal::NotifyLogEntry> log) {
          const auto seeds = to_seeds(std::move(log));
          for (auto& r : reactors) {
            asio::post(r->io, [&router, k = r->index, seeds] { router.seed(k, seeds); });
          }
        });
    adopt_timer.expires_after(std::chrono::seconds(1));
    adopt_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) adopt();
    });
  };
  std::function<void()> wait_running = [&] {
    if (running.load(std::memory_order_acquire) == threads) {
      // What a previous process acknowledged but never routed goes first.
      if (durable) durable->resubmit(*snapshots.load(), replay_target);
      ready.store(true, std::memory_order_release);
      sd_notify(0, "READY=1");
      log::info("ready", {{"tenants", initial.tenants}, {"reactors", threads}});
      if (durable) adopt();
      if (intake) {
        kafka::ConsumerSettings cs;
        cs.brokers = config.kafka.brokers;
        cs.group_id = config.kafka.group_id;
        cs.topic_regex = config.kafka.topic_regex;
        cs.topic_pattern = config.kafka.topic_pattern;
        cs.properties = config.kafka.properties;
        if (auto err = intake->start(std::move(cs), snapshots, shards)) {
          log::error("cannot start", {{"error", err->message}});
          control.stop();
        }
      }
      return;
    }
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait([&](boost::system::error_code) { wait_running(); });
  };
  wait_running();

  asio::signal_set signals(control, SIGTERM, SIGINT, SIGHUP);
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload_service.reload("SIGHUP");
        wait_signal();
        return;
      }
      control.stop();
    });
  };
  wait_signal();
  DirWatch watch(control, std::chrono::milliseconds(200),
                 [&] { reload_service.reload("file watch"); });
  std::filesystem::path watched = policy.config().tenants_dir;
  reload_service.on_reload([&] {
    if (policy.config().tenants_dir == watched) return;
    watched = policy.config().tenants_dir;
    if (auto err = watch.watch(watched); !err.empty()) log::warn("no file watch", {{"error", err}});
  });
  if (auto err = watch.watch(watched); !err.empty()) {
    log::warn("no file watch: reload with SIGHUP or POST /-/reload", {{"error", err}});
  }
  control.run();

  // Shutdown: stop accepting, let in-flight requests finish, drain the queues.
  log::info("shutting down",
            {{"timeout_ms", static_cast<long long>(config.shutdown_timeout.count())}});
  sd_notify(0, "STOPPING=1");
  ready.store(false, std::memory_order_release);
  // A router leaves its group first: what it has not finished is consumed again by the
  // other members (or by the next start), nothing new comes in.
  if (intake) intake->stop();
  for (auto& r : reactors) asio::post(r->io, [&r] { r->server->stop(); });
  const auto deadline = std::chrono::steady_clock::now() + config.shutdown_timeout;
  auto wait_until = [&deadline](auto&& done) {
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return done();
  };
  const bool requests_done =
      wait_until([&] { return connections.load(std::memory_order_acquire) == 0; });
  const bool queues_done = wait_until([&] { return shards.total_depth() == 0; });
  // Groups with pending changes are flushed into deliveries; let those finish too.
  for (auto& r : reactors) asio::post(r->io, [&router, k = r->index] { router.stop(k); });
  const bool deliveries_done = wait_until([&] { return delivery.pending_total() == 0; }) &&
                               (!forwarder || forwarder->drain(deadline));
  // Deliveries cut short from here on keep their records: the next start replays them.
  if (durable) durable->closing();
  // Logged alerts not in Kafka yet stay in the log (produced again by the next owner).
  if (forwarder) forwarder->stop();
  for (auto& r : reactors) {
    asio::post(r->io, [&delivery, k = r->index] { delivery.stop(k); });
    r->work.reset();
  }
  if (!requests_done || !queues_done || !deliveries_done) {
    log::warn("shutdown timeout reached",
              {{"open_connections", connections.load()},
               {"queued_alerts", shards.total_depth()},
               {"pending_deliveries", delivery.pending_total()},
               {"waiting_for_kafka", forwarder ? forwarder->pending() : 0}});
    for (auto& r : reactors) r->io.stop();
  }
  for (auto& r : reactors) r->thread.join();
  // Outstanding Kafka reports (delivered within its stop timeout, or purged) post their
  // outcomes to the reactors; the run below lets them finish while everything exists.
  if (producer) producer->stop();
  // Letters still being written are finished (and release their alerts' records) before
  // the log closes.
  dead_letters.stop();
  if (durable) {
    // For whoever takes this log over: what each group notified.
    durable->write_notify_log(notification_log(router, threads));
    durable->stop();
  }  // syncs what is queued; undelivered alerts replay next start
  // After a forced stop, let what is left finish closing while the servers still exist.
  for (auto& r : reactors) {
    r->io.restart();
    r->server->close_all();
    r->io.run_for(std::chrono::milliseconds(200));
  }
  const bool clean = requests_done && queues_done && deliveries_done;
  log::info("stopped", {{"clean", clean}});
  // With the log, what the timeout cut short is not lost: it is in the WAL and resumes on
  // the next start (or in the process that took over). Without it, it is lost: say so.
  return clean || durable ? 0 : 1;
}

}  // namespace alertgate

// Routing: route() over realistic tenant policies, and TenantDispatcher::ingest for
// re-sent (deduplicated) and new ungrouped alerts.
//
// Route: 1,200 tenants x 20 rules (severity lists, 1-3 matchers with regexes, min_rating on
// some, a few `continue`, a default rule); alerts with 8 labels drawn from a pool; each
// iteration routes one alert for a pseudo-random tenant. Target: >= 2,000,000 decisions/s.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "alertgate/dispatcher.hpp"
#include "alertgate/rating.hpp"
#include "alertgate/route.hpp"

using namespace alertgate;
using namespace std::chrono_literals;

namespace {

constexpr int kTenants = 1200;
constexpr int kRulesPerTenant = 20;
constexpr std::size_t kAlerts = 4096;    // distinct (tenant, alert) pairs per pass
constexpr std::size_t kAlertPool = 256;  // alerts: the one being routed was just decoded (hot)

const char* const kMatchers[] = {
    R"(service=~"db|cache")",
    R"(env="prod")",
    R"(team!="data")",
    R"(alertname=~"High.*")",
    R"(cluster=~"eu-.*")",
    R"(instance=~"host-[0-9]+:9100")",
    R"(job="node")",
    R"(env!~"dev|staging")",
    R"(service="api")",
    R"m(region=~"(eu|us)-(west|east)")m",
    R"(alertname="DiskFull")",
    R"(team=~"payments|core")",
    R"(cluster="us-1")",
    R"(service!="search")",
    R"(alertname=~".*Latency")",
    R"(job=~"app|blackbox")",
};
const char* const kAlertnames[] = {"HighCPU",    "HighMemory", "DiskFull",   "HighLatency",
                                   "TargetDown", "ErrorRate",  "QueueDepth", "CertExpiry",
                                   "ApiLatency", "Saturation", "Restarting", "NodeNotReady"};
const char* const kServices[] = {"db", "cache", "api", "web", "queue", "auth", "search", "billing"};
const char* const kEnvs[] = {"prod", "prod", "staging", "dev"};
const char* const kClusters[] = {"eu-1", "eu-2", "us-1", "us-2", "ap-1"};
const char* const kJobs[] = {"node", "app", "blackbox"};
const char* const kTeams[] = {"payments", "core", "infra", "data"};
const char* const kRegions[] = {"eu-west", "eu-east", "us-west", "us-east", "ap-south"};

template <class T, std::size_t N>
const T& pick(const T (&a)[N], std::mt19937_64& rng) {
  return a[rng() % N];
}

Rule random_rule(std::mt19937_64& rng, std::uint64_t key) {
  Rule r;
  r.key = key;
  const int sev = static_cast<int>(rng() % 10);
  if (sev < 3) {
    // any severity
  } else if (sev < 7) {
    r.severities.push_back(static_cast<Severity>(rng() % 4));
  } else {
    r.severities = {Severity::critical, Severity::error};
  }
  const int n = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < n; ++i) r.match.push_back(parse_matcher(pick(kMatchers, rng)).value());
  if (rng() % 5 == 0) r.min_rating = rng() % 2 ? 60 : 80;
  r.continue_matching = rng() % 10 == 0;
  r.destinations.push_back(Destination{});
  return r;
}

std::shared_ptr<TenantPolicy> random_policy(std::mt19937_64& rng, int tenant) {
  auto p = std::make_shared<TenantPolicy>();
  p->tenant_id = "t-" + std::to_string(tenant);
  for (int i = 0; i < kRulesPerTenant; ++i) {
    p->rules.push_back(random_rule(rng, static_cast<std::uint64_t>(tenant) * 100 + i + 1));
  }
  Rule d;
  d.key = static_cast<std::uint64_t>(tenant) * 100;
  d.destinations.push_back(Destination{});
  p->default_rule = d;
  p->content_hash = static_cast<std::uint64_t>(tenant) + 1;
  return p;
}

Alert random_alert(std::mt19937_64& rng, int host) {
  Alert a;
  a.labels = {{"alertname", pick(kAlertnames, rng)},
              {"cluster", pick(kClusters, rng)},
              {"env", pick(kEnvs, rng)},
              {"instance", "host-" + std::to_string(host) + ":9100"},
              {"job", pick(kJobs, rng)},
              {"region", pick(kRegions, rng)},
              {"service", pick(kServices, rng)},
              {"team", pick(kTeams, rng)}};
  sort_labels(a.labels);
  a.severity = static_cast<Severity>(rng() % 4);
  a.rating = static_cast<std::uint8_t>(10 + rng() % 91);
  a.fingerprint = fingerprint(a.labels);
  return a;
}

struct RouteFixture {
  RouteFixture() {
    std::mt19937_64 rng(42);
    for (int t = 0; t < kTenants; ++t) policies.push_back(random_policy(rng, t));
    for (std::size_t i = 0; i < kAlertPool; ++i) {
      alerts.push_back(random_alert(rng, static_cast<int>(rng() % 500)));
    }
    for (std::size_t i = 0; i < kAlerts; ++i) tenants.push_back(static_cast<int>(rng() % kTenants));
  }
  std::vector<std::shared_ptr<TenantPolicy>> policies;
  std::vector<Alert> alerts;
  std::vector<int> tenants;  // a tenant per alert slot, so the loop draws no random numbers
};

const RouteFixture& route_fixture() {
  static const RouteFixture f;
  return f;
}

void BM_Route(benchmark::State& state) {
  const RouteFixture& f = route_fixture();
  const int tenants = static_cast<int>(state.range(0));
  std::vector<const Rule*> out;
  out.reserve(kRulesPerTenant + 1);
  std::size_t i = 0, taken = 0;
  for (auto _ : state) {
    // Walk the tenants with a stride co-prime to kAlerts: every (tenant, alert) pair differs.
    const std::size_t a = i % kAlertPool;
    const std::size_t t = (i * 7 + i / kAlerts) % kAlerts;
    const int tenant = f.tenants[t] % tenants;
    taken += route(*f.policies[static_cast<std::size_t>(tenant)], f.alerts[a], out);
    ++i;
  }
  benchmark::DoNotOptimize(taken);
  state.SetItemsProcessed(state.iterations());
  state.counters["rules/alert"] =
      benchmark::Counter(static_cast<double>(taken) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Route)->Arg(kTenants)->Arg(1);  // all tenants; one (hot caches)

// The same decisions from each tenant's RouteTable (what TenantDispatcher uses).
void BM_RouteTable(benchmark::State& state) {
  const RouteFixture& f = route_fixture();
  const int tenants = static_cast<int>(state.range(0));
  std::vector<RouteTable> tables;
  tables.reserve(f.policies.size());
  for (const auto& p : f.policies) tables.emplace_back(*p);
  std::vector<const Rule*> out;
  out.reserve(kRulesPerTenant + 1);
  std::size_t i = 0, taken = 0;
  for (auto _ : state) {
    const std::size_t a = i % kAlertPool;
    const std::size_t t = (i * 7 + i / kAlerts) % kAlerts;
    const int tenant = f.tenants[t] % tenants;
    taken += tables[static_cast<std::size_t>(tenant)].route(f.alerts[a], out);
    ++i;
  }
  benchmark::DoNotOptimize(taken);
  state.SetItemsProcessed(state.iterations());
  state.counters["rules/alert"] =
      benchmark::Counter(static_cast<double>(taken) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_RouteTable)->Arg(kTenants)->Arg(1);

// Alerts are copied in batches outside the timed region: ingest consumes its argument.
constexpr std::size_t kBatch = 1 << 14;

void BM_RouteDispatcherResend(benchmark::State& state) {
  std::mt19937_64 rng(7);
  auto policy = random_policy(rng, 1);
  TenantDispatcher d(policy, DispatcherSettings{});
  std::vector<Alert> pool;
  for (std::size_t i = 0; i < 10'000; ++i) pool.push_back(random_alert(rng, static_cast<int>(i)));
  TimePoint now = alertgate::now();
  std::vector<Notification> out;
  for (Alert a : pool) {
    a.ends_at = now + 5min;
    d.ingest(std::move(a), now, out);
  }
  out.clear();
  std::vector<Alert> batch;
  std::size_t next = 0, k = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (std::size_t j = 0; j < kBatch; ++j) batch.push_back(pool[(k++) % pool.size()]);
      next = 0;
      out.clear();
      state.ResumeTiming();
    }
    now += 1us;  // Prometheus-style: each re-send moves ends_at forward
    Alert& a = batch[next++];
    a.ends_at = now + 5min;
    d.ingest(std::move(a), now, out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["notifications"] = static_cast<double>(d.stats().notifications);
  state.counters["deduplicated"] = static_cast<double>(d.stats().deduplicated);
}
BENCHMARK(BM_RouteDispatcherResend);

void BM_RouteDispatcherNewUngrouped(benchmark::State& state) {
  std::mt19937_64 rng(9);
  auto policy = random_policy(rng, 2);
  auto d = std::make_unique<TenantDispatcher>(policy, DispatcherSettings{});
  TimePoint now = alertgate::now();
  std::vector<Notification> out;
  std::vector<Alert> batch;
  std::size_t next = 0;
  int host = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (std::size_t j = 0; j < kBatch; ++j) batch.push_back(random_alert(rng, host++));
      next = 0;
      out.clear();
      if (d->active_alerts() > 200'000)
        d = std::make_unique<TenantDispatcher>(policy, DispatcherSettings{});
      state.ResumeTiming();
    }
    now += 1us;
    d->ingest(std::move(batch[next++]), now, out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["groups"] = static_cast<double>(d->group_count());
}
BENCHMARK(BM_RouteDispatcherNewUngrouped);

}  // namespace

#!/usr/bin/env bash
# Issue 7's benchmark, in one run on this machine, against librdkafka's mock cluster (its
# own process, tests/support/kafka_mock_cluster.cpp; a real Kafka protocol broker):
#   ingest   `mode: ingest` with durability kafka (answer after the broker's report), wal
#            (the local WAL) and memory (answer once produced): `alertgate bench` offers
#            alerts at 1 and 100 per request and measures acked alerts/s, ack latency and
#            ingest -> Kafka latency (its Kafka probe consumes ^alerts-.*);
#   router   (first, on the empty cluster) `mode: router`: a backlog written by ingest is
#            consumed, routed and delivered to the embedded webhook sink of `alertgate
#            bench --sink-only`; consumption alerts/s = distinct alerts delivered / time
#            from the sink's start (just before the router's) to the last delivery.
# Everything on 127.0.0.1, every process stopped on exit, every wait bounded.
#
# Usage: bench/kafka.sh [ALERTGATE_BIN [KAFKA_MOCK_CLUSTER_BIN]]
#   env (defaults): DURATION=10s, RATES_1="20000 45000", RATES_100="45000 100000",
#   CONNECTIONS=1024 (a request waits for its broker report with durability kafka: the
#   concurrency a fleet of senders gives), TENANTS=16, BACKLOG=200000 (router; 0 = none),
#   ROUTER_TIMEOUT=300s (the longest the router phase waits for the backlog),
#   ROUTER_IDLE=10s (it ends early when no new alert arrived for this long after the first),
#   PROBE=0 (1: also consume ^alerts-.* to measure ingest -> Kafka latency; the consumer
#   then shares the 2 cores and lowers the throughput measured),
#   DURABILITIES="kafka wal memory", OUT=bench/out/kafka-<UTC time>,
#   KAFKA_PROPERTIES='' (librdkafka overrides for every daemon, e.g. 'linger.ms: "5"')
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$root/build/alertgate}")
MOCK=$(realpath "${2:-$root/build/tests/kafka_mock_cluster}")
DURATION=${DURATION:-10s}
RATES_1=${RATES_1-"20000 45000"}
RATES_100=${RATES_100-"45000 100000"}
CONNECTIONS=${CONNECTIONS:-1024}
PROBE=${PROBE:-0}
KAFKA_PROPERTIES=${KAFKA_PROPERTIES:-}
TENANTS=${TENANTS:-16}
BACKLOG=${BACKLOG:-200000}
DURABILITIES=${DURABILITIES:-"kafka wal memory"}
ROUTER_TIMEOUT=${ROUTER_TIMEOUT:-300s}
ROUTER_IDLE=${ROUTER_IDLE:-10s}
OUT=${OUT:-$root/bench/out/kafka-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
die() { echo "kafka.sh: $*" >&2; exit 1; }

wait_file() {  # file seconds
  for _ in $(seq $(($2 * 50))); do [ -s "$1" ] && return 0; sleep 0.02; done
  return 1
}
wait_ready() {  # port seconds
  for _ in $(seq $(($2 * 10))); do
    curl -sf "http://127.0.0.1:$1/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

start_cluster() {  # sets $bootstrap
  mkfifo "$work/mock.in"
  "$MOCK" --brokers 1 <"$work/mock.in" >"$work/mock.out" 2>"$OUT/mock.stderr" &
  pids+=($!)
  exec 7>"$work/mock.in"  # keeps the mock's stdin open (its end of stdin means quit)
  wait_file "$work/mock.out" 10 || die "mock cluster printed no bootstrap"
  bootstrap=$(head -1 "$work/mock.out")
}

# A daemon config for `mode` from `alertgate bench --write-config` (tenants, tokens, a
# webhook rule to the sink), with the mode, durability and brokers appended. Returns 1 (and
# says why) when this build refuses it (`check-config`).
# `data_dir: data` (what --write-config writes) is relative to the config's directory: each
# daemon gets its own, new and empty (wal's log, dead letters).
write_config() {  # dir mode durability bootstrap sink_url
  rm -rf "$1"
  "$BIN" bench --write-config "$1" --sink-url "$5" --tenants "$TENANTS" --durability memory \
    >"$1.write-config.log" 2>&1 || die "write-config failed: $(cat "$1.write-config.log")"
  sed -i '/^durability:/d' "$1/alertgate.yaml"
  printf 'mode: %s\ndurability: %s\nkafka:\n  brokers: "%s"\n' "$2" "$3" "$4" >>"$1/alertgate.yaml"
  [ -n "$KAFKA_PROPERTIES" ] && printf '  properties: {%s}\n' "$KAFKA_PROPERTIES" >>"$1/alertgate.yaml"
  "$BIN" check-config --config "$1/alertgate.yaml" >>"$1.write-config.log" 2>&1 && return 0
  echo "kafka.sh: mode $2 durability $3 refused: $(tail -2 "$1.write-config.log")" >&2
  return 1
}

start_daemon() {  # dir name; sets $port and $daemon_pid
  "$BIN" serve --config "$1/alertgate.yaml" --port-file "$1/port" 2>"$OUT/$2.stderr" >/dev/null &
  daemon_pid=$!
  pids+=("$daemon_pid")
  wait_file "$1/port" 20 || die "$2 did not start: $(tail -3 "$OUT/$2.stderr")"
  port=$(cat "$1/port")
}

results=()
start_cluster
echo "kafka.sh: mock cluster $bootstrap, out: $OUT" >&2

# --- router: consume a backlog ---
# First, while the cluster is empty: the router consumes every tenant topic from the
# start, so the backlog must be the fill's alerts alone. (Every bench run numbers its
# alerts from 0 and the sink counts them by that number: alerts of the ingest runs in the
# topics would be consumed too and counted as the fill's.)
if [ "$BACKLOG" -gt 0 ]; then
# Fill: a fast ingest (memory) writes BACKLOG alerts (each with its bench marker), then a
# router consumes them into the embedded sink of `alertgate bench --sink-only`, which
# offers nothing, counts the distinct alerts delivered and writes router.json.
d=$work/fill
write_config "$d" ingest memory "$bootstrap" "http://127.0.0.1:9/unused" || die "fill config"
start_daemon "$d" fill
wait_ready "$port" 20 || die "fill ingest not ready"
# 100,000 alerts/s for BACKLOG / 100,000 s, in ms so that a small BACKLOG still runs.
"$BIN" bench --target "http://127.0.0.1:$port/api/v2/alerts" --rate 100000 --batch 100 \
  --duration "$(((BACKLOG + 99) / 100))ms" --connections 32 --tenants "$TENANTS" \
  --tokens-file "$d/tokens.txt" --json "$OUT/fill.json" >"$OUT/fill.log" 2>&1 || true
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
backlog=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("alerts_acked") or 0)' \
  "$OUT/fill.json" 2>/dev/null || echo 0)
[ "$backlog" -gt 0 ] || die "the fill wrote no backlog: $(tail -3 "$OUT/fill.log")"
echo "kafka.sh: backlog of $backlog alerts written, starting the sink and the router" >&2
# The sink first (its port goes into the router's config); it ends by itself once every
# backlog alert arrived, ROUTER_IDLE after the last new one, or after ROUTER_TIMEOUT.
"$BIN" bench --sink-only --sink-listen 127.0.0.1:0 --expect-alerts "$backlog" \
  --duration "$ROUTER_TIMEOUT" --idle "$ROUTER_IDLE" --port-file "$work/sink.port" \
  --json "$OUT/router.json" >"$OUT/router-sink.log" 2>&1 &
sink_pid=$!
pids+=("$sink_pid")
wait_file "$work/sink.port" 10 || die "sink-only bench did not start: $(tail -3 "$OUT/router-sink.log")"
d=$work/router
write_config "$d" router kafka "$bootstrap" "http://127.0.0.1:$(cat "$work/sink.port")/hook" ||
  die "router config"
start_daemon "$d" router
wait "$sink_pid" || echo "kafka.sh: sink-only bench failed: $(tail -3 "$OUT/router-sink.log")" >&2
kill "$daemon_pid" 2>/dev/null || true
wait "$daemon_pid" 2>/dev/null || true
fi

# --- ingest ---
probe_args=()
[ "$PROBE" = 1 ] && probe_args=(--kafka-brokers "$bootstrap")
for durability in $DURABILITIES; do
  for batch in 1 100; do
    rates=$RATES_1
    [ "$batch" = 100 ] && rates=$RATES_100
    [ -z "$rates" ] && continue
    for rate in $rates; do
      d=$work/ingest-$durability-$batch-$rate
      if ! write_config "$d" ingest "$durability" "$bootstrap" "http://127.0.0.1:9/unused"; then
        results+=("refused $durability $batch $rate -")  # e.g. a build without ingest + wal
        continue
      fi
      start_daemon "$d" "ingest-$durability-$batch-$rate"
      wait_ready "$port" 20 || die "ingest not ready"
      json=$OUT/ingest-$durability-b$batch-r$rate.json
      echo "kafka.sh: ingest durability=$durability batch=$batch rate=$rate" >&2
      "$BIN" bench --target "http://127.0.0.1:$port/api/v2/alerts" --rate "$rate" \
        --duration "$DURATION" --batch "$batch" --connections "$CONNECTIONS" \
        --tenants "$TENANTS" --tokens-file "$d/tokens.txt" \
        ${probe_args[@]+"${probe_args[@]}"} --target-pid "$daemon_pid" --json "$json" \
        >"$json.log" 2>&1 || true
      kill "$daemon_pid" 2>/dev/null || true
      wait "$daemon_pid" 2>/dev/null || true
      results+=("ingest $durability $batch $rate $json")
    done
  done
done

# --- table ---
python3 - "$OUT" "${results[@]}" <<'PY'
import json, sys
out = sys.argv[1]
rows = [r.split() for r in sys.argv[2:]]
print("| mode | durability | batch | offered/s | acked/s | ack p50 ms | ack p99 ms | ingest->Kafka p99 ms | errors |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
for what, dur, batch, rate, path in rows:
    if what == "refused":
        print(f"| ingest | {dur} | {batch} | {int(float(rate)):,} | (config refused by this build) | | | | |")
        continue
    try:
        r = json.load(open(path))
    except Exception:
        print(f"| ingest | {dur} | {batch} | {rate} | (no report) | | | | |"); continue
    ack = r.get("ack_latency_ms") or {}
    kafka = r.get("kafka_latency_ms") or {}
    sent = r.get("requests_sent") or 0
    bad = sum(n for c, n in (r.get("status_counts") or {}).items()
              if not (c.isdigit() and 200 <= int(c) < 300))
    # acked/s over the real span (the timeline runs until the last answer), as compare.sh.
    span = r.get("duration_s") or 0
    for t in r.get("timeline") or []:
        if (t.get("acked_rate") or 0) > 0:
            span = max(span, t.get("t_s") or 0)
    acked = r.get("alerts_acked") or 0
    rate_acked = acked / span if span else 0
    print(f"| ingest | {dur} | {batch} | {int(float(rate)):,} | {rate_acked:,.0f} | "
          f"{ack.get('p50', 0):.2f} | {ack.get('p99', 0):.2f} | "
          f"{(format(kafka['p99'], '.2f') if kafka.get('p99') is not None and kafka.get('count') else 'n/a')} | "
          f"{bad / sent * 100 if sent else 0:.1f}% |")
import os
if not os.path.exists(f"{out}/router.json"):
    sys.exit(0)
r = json.load(open(f"{out}/router.json"))
def rate(v):
    return f"{v:,.0f} alerts/s" if v is not None else "n/a"
print(f"\nrouter: {r['distinct']:,} of {r['expected']:,} backlog alerts delivered to the webhook "
      f"sink ({r['duplicates']:,} duplicates) in {r['seconds_start_to_last']:.1f} s from the "
      f"sink's start ({rate(r['alerts_per_second_from_start'])}, the router's start and group "
      f"join included; {rate(r['alerts_per_second_first_to_last'])} from the first delivery "
      f"to the last; the wait ended by: {r['stopped_by']})")
PY

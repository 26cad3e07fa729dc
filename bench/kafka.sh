#!/usr/bin/env bash
# Issue 7's benchmark, in one run on this machine, against librdkafka's mock cluster (its
# own process, tests/support/kafka_mock_cluster.cpp; a real Kafka protocol broker):
#   ingest   `mode: ingest` with durability kafka (answer after the broker's report) and
#            memory (answer once produced): `alertgate bench` offers alerts at 1 and 100
#            per request and measures acked alerts/s, ack latency and ingest -> Kafka
#            latency (its Kafka probe consumes ^alerts-.*);
#   router   `mode: router`: a backlog written by ingest is consumed, routed and delivered
#            to the bench's embedded webhook sink; consumption alerts/s = alerts delivered /
#            time from the router's start to the last delivery.
# Everything on 127.0.0.1, every process stopped on exit, every wait bounded.
#
# Usage: bench/kafka.sh [ALERTGATE_BIN [KAFKA_MOCK_CLUSTER_BIN]]
#   env (defaults): DURATION=10s, RATES_1="20000 45000", RATES_100="45000 100000",
#   CONNECTIONS=1024 (a request waits for its broker report with durability kafka: the
#   concurrency a fleet of senders gives), TENANTS=16, BACKLOG=200000 (router; 0 = none),
#   PROBE=0 (1: also consume ^alerts-.* to measure ingest -> Kafka latency; the consumer
#   then shares the 2 cores and lowers the throughput measured),
#   DURABILITIES="kafka memory", OUT=bench/out/kafka-<UTC time>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${1:-$root/build/alertgate}")
MOCK=$(realpath "${2:-$root/build/tests/kafka_mock_cluster}")
DURATION=${DURATION:-10s}
RATES_1=${RATES_1-"20000 45000"}
RATES_100=${RATES_100-"45000 100000"}
CONNECTIONS=${CONNECTIONS:-1024}
PROBE=${PROBE:-0}
TENANTS=${TENANTS:-16}
BACKLOG=${BACKLOG:-200000}
DURABILITIES=${DURABILITIES:-"kafka memory"}
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
# webhook rule to the sink), with the mode, durability and brokers appended.
write_config() {  # dir mode durability bootstrap sink_url
  "$BIN" bench --write-config "$1" --sink-url "$5" --tenants "$TENANTS" --durability memory \
    >"$1.write-config.log" 2>&1 || die "write-config failed: $(cat "$1.write-config.log")"
  sed -i '/^durability:/d' "$1/alertgate.yaml"
  printf 'mode: %s\ndurability: %s\nkafka:\n  brokers: "%s"\n' "$2" "$3" "$4" >>"$1/alertgate.yaml"
  "$BIN" check-config --config "$1/alertgate.yaml" >>"$1.write-config.log" 2>&1 ||
    die "config refused: $(cat "$1.write-config.log")"
}

start_daemon() {  # dir name; sets $port and $daemon_pid
  "$BIN" serve --config "$1/alertgate.yaml" --port-file "$1/port" 2>"$OUT/$2.stderr" >/dev/null &
  daemon_pid=$!
  pids+=("$daemon_pid")
  wait_file "$1/port" 20 || die "$2 did not start: $(tail -3 "$OUT/$2.stderr")"
  port=$(cat "$1/port")
}

results=()
sink_port=""
start_cluster
echo "kafka.sh: mock cluster $bootstrap, out: $OUT" >&2

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
      write_config "$d" ingest "$durability" "$bootstrap" "http://127.0.0.1:9/unused"
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

# --- router: consume a backlog ---
if [ "$BACKLOG" -gt 0 ]; then
# Fill: a fast ingest (memory) writes BACKLOG alerts, then a router consumes them into the
# embedded sink of a bench run that offers nothing but counts deliveries.
d=$work/fill
write_config "$d" ingest memory "$bootstrap" "http://127.0.0.1:9/unused"
start_daemon "$d" fill
wait_ready "$port" 20 || die "fill ingest not ready"
"$BIN" bench --target "http://127.0.0.1:$port/api/v2/alerts" --rate 100000 --batch 100 \
  --duration "$((BACKLOG / 100000))s" --connections 32 --tenants "$TENANTS" \
  --tokens-file "$d/tokens.txt" --json "$OUT/fill.json" >"$OUT/fill.log" 2>&1 || true
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
echo "kafka.sh: backlog written, starting the router" >&2
python3 - "$OUT" "$BIN" "$bootstrap" "$TENANTS" "$work" <<'PY'
import http.server, json, os, subprocess, sys, threading, time
out, binary, bootstrap, tenants, work = sys.argv[1:6]
count = {"alerts": 0, "first": None, "last": None}
lock = threading.Lock()
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        n = len(json.loads(body).get("alerts", []))
        with lock:
            now = time.monotonic()
            count["alerts"] += n
            count["first"] = count["first"] or now
            count["last"] = now
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
threading.Thread(target=srv.serve_forever, daemon=True).start()
d = os.path.join(work, "router")
subprocess.run([binary, "bench", "--write-config", d, "--sink-url",
                f"http://127.0.0.1:{srv.server_port}/hook", "--tenants", tenants,
                "--durability", "memory"], check=True, capture_output=True)
cfg = os.path.join(d, "alertgate.yaml")
text = "".join(l for l in open(cfg) if not l.startswith("durability:"))
text += f'mode: router\ndurability: kafka\nkafka:\n  brokers: "{bootstrap}"\n'
open(cfg, "w").write(text)
fill = json.load(open(os.path.join(out, "fill.json")))
expected = fill.get("alerts_acked") or 0
start = time.monotonic()
p = subprocess.Popen([binary, "serve", "--config", cfg], stdout=subprocess.DEVNULL,
                     stderr=open(os.path.join(out, "router.stderr"), "w"))
deadline = start + 300
while time.monotonic() < deadline:
    with lock:
        done = count["alerts"]
    if done >= expected:
        break
    time.sleep(0.2)
p.terminate(); p.wait(timeout=30)
with lock:
    c = dict(count)
span = (c["last"] - start) if c["last"] else 0
rate = c["alerts"] / span if span > 0 else 0
json.dump({"backlog": expected, "delivered": c["alerts"], "seconds_from_start": span,
           "alerts_per_second": rate,
           "seconds_first_to_last": (c["last"] - c["first"]) if c["first"] else 0},
          open(os.path.join(out, "router.json"), "w"), indent=1)
PY
fi

# --- table ---
python3 - "$OUT" "${results[@]}" <<'PY'
import json, sys
out = sys.argv[1]
rows = [r.split() for r in sys.argv[2:]]
print("| mode | durability | batch | offered/s | acked/s | ack p50 ms | ack p99 ms | ingest->Kafka p99 ms | errors |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
for _, dur, batch, rate, path in rows:
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
first_last = r["seconds_first_to_last"]
print(f"\nrouter: {r['delivered']:,} of {r['backlog']:,} backlog alerts delivered to the webhook "
      f"sink in {r['seconds_from_start']:.1f} s from the router's start "
      f"({r['alerts_per_second']:,.0f} alerts/s, group join included; "
      f"{(r['delivered'] / first_last if first_last else 0):,.0f} alerts/s from the first "
      f"delivery to the last)")
PY

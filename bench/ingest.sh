#!/usr/bin/env bash
# HTTP ingest throughput: alertgate vs nginx answering `return 202`, same machine, same run.
# Drives POST /api/v2/alerts with wrk at 1 alert/request and 100 alerts/request and prints
# requests/s, alerts/s and the alertgate/nginx ratio. Loopback only; every run is bounded.
#
# Only answered-2xx requests count: when the home shards cannot keep up, tenant queues fill
# to limits.max_queue_per_tenant (the default) and alertgate answers 429, so the figure is
# a sustainable rate, not a backlog growing in memory.
#
# Usage: bench/ingest.sh [ALERTGATE_BIN]
#   env: DURATION=10s CONNECTIONS=64 THREADS=2 (wrk), TENANTS=16 (tokens used round-robin)
set -euo pipefail
BIN=${1:-build/alertgate}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${THREADS:-2}
TENANTS=${TENANTS:-16}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/alertgate-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk missing: run scripts/install-deps.sh"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- nginx: the HTTP ceiling on this machine ---
ngx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGX
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_buffer_size 1m;
  client_max_body_size 1m;
  client_body_temp_path $work/nginx/body;
  server { listen 127.0.0.1:$ngx_port reuseport; location / { return 202; } }
}
NGX
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)

# --- alertgate: TENANTS tenants, each routing to a log destination on /dev/null ---
mkdir -p "$work/ag/tenants"
for i in $(seq "$TENANTS"); do
  hash=$(printf %s "bench-token-$i" | sha256sum | cut -d' ' -f1)
  cat > "$work/ag/tenants/bench-$i.yaml" <<T
tenant_id: bench-$i
tokens: ["sha256:$hash"]
rules:
  - destinations:
      - type: log
        path: /dev/null
T
done
cat > "$work/ag/alertgate.yaml" <<C
listen: ["127.0.0.1:0"]
threads: auto
tenants_dir: tenants
data_dir: data
log_level: warn
C
"$BIN" serve --config "$work/ag/alertgate.yaml" --port-file "$work/ag/port" &
pids+=($!)
for _ in $(seq 500); do [ -s "$work/ag/port" ] && break; sleep 0.01; done
ag_port=$(cat "$work/ag/port")
for _ in $(seq 500); do curl -sf "http://127.0.0.1:$ngx_port/" -o /dev/null -X POST && break || sleep 0.01; done

# --- request bodies and the wrk script ---
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def alert(i):
    return {"labels": {"alertname": "BenchAlert", "instance": f"host-{i % 500}:9100",
                       "job": "node", "severity": "warning"},
            "annotations": {"summary": "bench alert"}, "startsAt": "2026-08-20T10:00:00Z"}
for n in (1, 100):
    with open(f"{work}/body-{n}.json", "w") as f:
        json.dump([alert(i) for i in range(n)], f)
PY
cat > "$work/post.lua" <<'LUA'
-- Each request takes the next tenant's token: every tenant, so every shard, gets load.
local f = io.open(os.getenv("BODY_FILE"), "rb")
local body = f:read("*a")
f:close()
local tenants = tonumber(os.getenv("TENANTS"))
local requests = {}
local n = 0
-- init runs per thread once wrk knows the URL (so the requests carry Host and the path).
init = function(args)
  for i = 1, tenants do
    requests[i] = wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                           ["Authorization"] = "Bearer bench-token-" .. i}, body)
  end
  n = math.random(tenants)
end
request = function()
  n = n % tenants + 1
  return requests[n]
end
LUA

run() {  # name port batch → prints 2xx requests/s
  local out
  out=$(BODY_FILE="$work/body-$3.json" TENANTS="$TENANTS" wrk -t"$WRK_THREADS" \
        -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" "http://127.0.0.1:$2/api/v2/alerts")
  echo "$out" > "$work/wrk-$1-$3.txt"
  # "N requests in 10.00s, ..." and "Non-2xx or 3xx responses: M"
  awk '/ requests in / {n=$1; t=$4; sub(/s,$/, "", t)}
       /Non-2xx/ {bad=$NF}
       END {printf "%.0f\n", (n-bad)/t}' <<<"$out"
}

printf "%-10s %6s %14s %14s %12s\n" target batch "requests/s" "alerts/s" "vs nginx"
for batch in 1 100; do
  ngx=$(run nginx "$ngx_port" "$batch")
  ag=$(run alertgate "$ag_port" "$batch")
  printf "%-10s %6s %14.0f %14.0f %12s\n" nginx "$batch" "$ngx" "$(echo "$ngx*$batch" | bc -l)" "1.00"
  printf "%-10s %6s %14.0f %14.0f %12.2f\n" alertgate "$batch" "$ag" "$(echo "$ag*$batch" | bc -l)" \
    "$(echo "$ag/$ngx" | bc -l)"
done
metrics=$(curl -s "http://127.0.0.1:$ag_port/metrics")
queue_full=$(awk '/^alertgate_alerts_rejected_total.*queue_full/ {s+=$2} END {print s+0}' <<<"$metrics")
invalid=$(awk '/^alertgate_alerts_rejected_total.*invalid/ {s+=$2} END {print s+0}' <<<"$metrics")
rss=$(awk '/VmHWM/ {print $2/1024 " MiB"}' "/proc/${pids[1]}/status")
echo "alertgate: $queue_full alerts answered 429 (queue full), $invalid invalid, peak RSS $rss"
echo "(wrk outputs in $work)"

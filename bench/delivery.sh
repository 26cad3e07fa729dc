#!/usr/bin/env bash
# Delivery throughput from ONE shard (threads: 1) to a local webhook receiver:
#   fast: nginx answering `return 200` with keep-alive (the HTTP ceiling of this machine);
#   slow: tests/support/sink_server.py answering every request after 50 ms, where the
#         in-flight bound (max_in_flight) and natural batching decide the rate.
# wrk posts a new, unique alert per request (so every one is routed and notified: no
# dedup) for DURATION; the figure is webhook notifications delivered per second, read from
# alertgate_notifications_total before and after. Loopback only; every run is bounded.
#
# Usage: bench/delivery.sh [ALERTGATE_BIN]     env: DURATION=10s CONNECTIONS=16
set -euo pipefail
BIN=${1:-build/alertgate}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/alertgate-delivery.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

ngx_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_buffer_size 1m;
  client_max_body_size 8m;
  client_body_temp_path $work/nginx/body;
  server { listen 127.0.0.1:$ngx_port; location / { return 200 'ok'; } }
}
NGX
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
/usr/bin/python3 "$root/tests/support/sink_server.py" \
  --script '{"responses": [], "default": {"status": 200, "body": "ok", "delay_ms": 50}}' \
  > "$work/slow.port" &
pids+=($!)
for _ in $(seq 500); do [ -s "$work/slow.port" ] && break; sleep 0.01; done
slow_port=$(head -1 "$work/slow.port")

run() {  # name url → prints "notifications/s"
  local dir="$work/ag-$1"
  mkdir -p "$dir/tenants"
  hash=$(printf %s bench-token | sha256sum | cut -d' ' -f1)
  cat > "$dir/tenants/bench.yaml" <<T
tenant_id: bench
tokens: ["sha256:$hash"]
rules:
  - destinations: [{type: webhook, url: "$2", max_alerts: 500}]
T
  printf 'listen: ["127.0.0.1:0"]\nthreads: 1\ntenants_dir: tenants\ndata_dir: data\nlog_level: warn\nshutdown_timeout: 1s\nlimits: {max_queue_per_tenant: 1000000}\n' \
    > "$dir/alertgate.yaml"
  "$BIN" serve --config "$dir/alertgate.yaml" --port-file "$dir/port" 2>"$dir/stderr" &
  local pid=$!
  for _ in $(seq 500); do [ -s "$dir/port" ] && break; sleep 0.01; done
  local port
  port=$(cat "$dir/port")
  cat > "$dir/post.lua" <<'LUA'
local counter = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("id", id) end
request = function()
  counter = counter + 1
  local body = '[{"labels":{"alertname":"Bench' .. id .. '-' .. counter ..
               '","severity":"warning","instance":"host:9100"}}]'
  return wrk.format("POST", "/api/v2/alerts", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer bench-token"}, body)
end
LUA
  delivered() {
    curl -s "http://127.0.0.1:$port/metrics" |
      awk '/^alertgate_notifications_total.*destination_type="webhook".*outcome="delivered"/ {s+=$2} END {print s+0}'
  }
  local before after t0 t1
  before=$(delivered)
  t0=$(date +%s.%N)
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s "$dir/post.lua" "http://127.0.0.1:$port/" > "$dir/wrk.txt"
  after=$(delivered)
  t1=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$after $before $t1 $t0" | awk '{printf "%.0f", ($1-$2)/($3-$4)}'
}

fast=$(run fast "http://127.0.0.1:$ngx_port/hook")
slow=$(run slow "http://127.0.0.1:$slow_port/hook")
printf "%-40s %16s\n" "receiver (one shard, webhook)" "notifications/s"
printf "%-40s %16s\n" "nginx return 200, keep-alive" "$fast"
printf "%-40s %16s\n" "sink answering after 50 ms" "$slow"

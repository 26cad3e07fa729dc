#!/usr/bin/env bash
# The comparison of issue 5, in ONE run on this machine: `alertgate bench` (open loop,
# latency from the intended send time) offers the same alert rates, at 1 and 100 alerts per
# request, to
#   nginx             `return 202` on the alerts path: the HTTP ceiling (no sink, e2e n/a);
#   alertgate-memory  `durability: memory`, every alert to the bench's embedded webhook sink;
#   alertgate-wal     the same with `durability: wal` (a row says so if this build lacks it);
#   alertmanager      Debian prometheus-alertmanager, every alert its own group, notified at
#                     once (group_wait 0s) to the same sink;
# then ramps Alertmanager and alertgate-memory (batch 1) up to the highest rate each sustains
# within the same SLO (e2e p99, error share, achieved share) and prints the table and the
# ratios alertgate/nginx (acked alerts/s at the same offered rate) and alertgate/Alertmanager
# (sustainable alerts/s at the same p99). bench/README.md explains how to read it.
#
# Each point gets a fresh target (no state carried over, RSS is that point's), started on
# 127.0.0.1 with a free port in a temp dir removed on exit; every process is stopped on exit,
# every wait and every run is bounded in count and time. A watchdog kills a target whose RSS
# passes MAX_RSS_MB (Alertmanager keeps ~60 KB per alert group) and the row says so.
#
# Usage: bench/compare.sh [ALERTGATE_BIN]
#   env (defaults): DURATION=10s per point, RATES_1="2000 10000 45000" (batch 1),
#   RATES_100="10000 45000 100000" (batch 100), TARGETS="nginx alertgate-memory
#   alertgate-wal alertmanager", AM_MAX_RATE=10000 (higher points are skipped for
#   Alertmanager), SLO_P99=200ms, SLO_ERRORS=0.001, RAMPS="alertmanager alertgate-memory",
#   AM_RAMP="250 250" and AG_RAMP="10000 6000" (start step, alerts/s), RAMP_STEPS=8,
#   STEP_DURATION=5s, CONNECTIONS=128, LOAD_THREADS=1, TENANTS=16 (alertgate tenants),
#   DRAIN=5s, MAX_RSS_MB=4096, OUT=bench/out/compare-<UTC time>, AG_EXTRA_CONFIG="" (YAML
#   appended to every alertgate config, e.g. 'wal: {commit_interval: 0s}')
set -euo pipefail

BIN=${1:-build/alertgate}
DURATION=${DURATION:-10s}
RATES_1=${RATES_1:-"2000 10000 45000"}
RATES_100=${RATES_100:-"10000 45000 100000"}
TARGETS=${TARGETS:-"nginx alertgate-memory alertgate-wal alertmanager"}
AM_MAX_RATE=${AM_MAX_RATE:-10000}
SLO_P99=${SLO_P99:-200ms}
SLO_ERRORS=${SLO_ERRORS:-0.001}
RAMPS=${RAMPS-"alertmanager alertgate-memory"}
AM_RAMP=${AM_RAMP:-"250 250"}
AG_RAMP=${AG_RAMP:-"10000 6000"}
RAMP_STEPS=${RAMP_STEPS:-8}
STEP_DURATION=${STEP_DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-128}
LOAD_THREADS=${LOAD_THREADS:-1}
TENANTS=${TENANTS:-16}
DRAIN=${DRAIN:-5s}
MAX_RSS_MB=${MAX_RSS_MB:-4096}
root=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$root/bench/out/compare-$(date -u +%Y%m%dT%H%M%SZ)}

die() { echo "compare.sh: $*" >&2; exit 1; }

# --- tools ---
[ -x "$BIN" ] || die "$BIN is not an executable alertgate: build it first (make build)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
"$BIN" bench --help 2>&1 | grep -q -- --sink-listen ||
  die "$BIN has no 'bench' subcommand with --sink-listen (too old a build?)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
AM=$(command -v prometheus-alertmanager || command -v alertmanager || true)
for tool in "$NGINX" curl python3 timeout; do
  command -v "$tool" >/dev/null || die "$tool missing: run scripts/install-deps.sh"
done
[ -n "$AM" ] || die "prometheus-alertmanager missing: run scripts/install-deps.sh"

# "10s" / "500ms" / "1m" / "10" -> whole seconds, rounded up.
to_seconds() {
  case $1 in
    *ms) echo $(( (${1%ms} + 999) / 1000 )) ;;
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *) echo "$1" ;;
  esac
}
dur_s=$(to_seconds "$DURATION")
drain_s=$(to_seconds "$DRAIN")
step_s=$(to_seconds "$STEP_DURATION")
[[ $dur_s =~ ^[0-9]+$ && $drain_s =~ ^[0-9]+$ && $step_s =~ ^[0-9]+$ ]] ||
  die "DURATION, DRAIN and STEP_DURATION take 10s, 500ms or 1m"
(( RAMP_STEPS >= 1 && RAMP_STEPS <= 20 )) || die "RAMP_STEPS must be 1..20"

# --- work dir, processes, cleanup ---
work=$(mktemp -d /tmp/alertgate-compare.XXXXXX)
mkdir -p "$OUT/json" "$OUT/logs"
target_pid=""
watchdog_pid=""
bench_pid=""
stop_pid() {  # pid: TERM, up to 5 s, then KILL
  local p=$1
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
stop_target() {
  stop_pid "$watchdog_pid"
  stop_pid "$target_pid"
  watchdog_pid=""
  target_pid=""
}
cleanup() { stop_pid "$bench_pid"; stop_target; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() {  # url seconds: until it answers 2xx
  local tries=$(( $2 * 20 ))
  for _ in $(seq "$tries"); do
    curl -sf -o /dev/null --max-time 1 "$1" && return 0
    kill -0 "$target_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
# Kills the target when its RSS passes MAX_RSS_MB, leaving a note; ends with the target.
start_watchdog() {  # note-file
  local pid=$target_pid limit_kb=$(( MAX_RSS_MB * 1024 )) note=$1
  (
    while kill -0 "$pid" 2>/dev/null; do
      rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      if [ "${rss:-0}" -gt "$limit_kb" ]; then
        echo "killed: RSS > $MAX_RSS_MB MB" > "$note"
        kill -9 "$pid" 2>/dev/null
        break
      fi
      sleep 0.2
    done
  ) &
  watchdog_pid=$!
}

sink_port=$(free_port)
sink_url="http://127.0.0.1:$sink_port/hook"

# --- targets: each start_* sets target_pid, target_url, target_sink (1: deliver to sink) ---
start_nginx() {  # log-prefix
  local d=$work/nginx port
  rm -rf "$d" && mkdir -p "$d"
  port=$(free_port)
  cat > "$d/nginx.conf" <<NGX
worker_processes $(nproc);
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_buffer_size 1m;
  client_max_body_size 8m;
  client_body_temp_path $d/body;
  server {
    listen 127.0.0.1:$port reuseport;
    location /api/v2/alerts { return 202; }
    location / { return 404; }
  }
}
NGX
  "$NGINX" -p "$d" -c "$d/nginx.conf" -g 'daemon off;' 2>"$1.stderr" &
  target_pid=$!
  target_url="http://127.0.0.1:$port/api/v2/alerts"
  target_sink=0
  wait_http "http://127.0.0.1:$port/api/v2/alerts" 10
}

# Writes the bench config for a durability mode into $1 and checks it; fails if refused.
# A build without the `durability` key only has memory: then memory is written without it.
write_ag_config() {  # dir mode
  local durability=(--durability "$2")
  [ "$2" = memory ] && [ "$memory_key" = 0 ] && durability=()
  rm -rf "$1"
  "$BIN" bench --write-config "$1" --sink-url "$sink_url" --tenants "$TENANTS" \
    "${durability[@]}" >"$1.write-config.log" 2>&1 || return 1
  # e.g. AG_EXTRA_CONFIG='wal: {commit_interval: 0s}' to compare log settings.
  [ -n "${AG_EXTRA_CONFIG:-}" ] && printf '%s\n' "$AG_EXTRA_CONFIG" >>"$1/alertgate.yaml"
  "$BIN" check-config --config "$1/alertgate.yaml" >>"$1.write-config.log" 2>&1
}
memory_key=1

start_alertgate() {  # mode log-prefix
  local d=$work/ag-$1 port
  if ! write_ag_config "$d" "$1"; then
    cat "$d.write-config.log" >&2
    die "alertgate bench --write-config --durability $1: refused (see above)"
  fi
  "$BIN" serve --config "$d/alertgate.yaml" --port-file "$d/port" 2>"$2.stderr" &
  target_pid=$!
  for _ in $(seq 500); do
    [ -s "$d/port" ] && break
    kill -0 "$target_pid" 2>/dev/null || break
    sleep 0.02
  done
  [ -s "$d/port" ] || return 1
  port=$(cat "$d/port")
  target_url="http://127.0.0.1:$port/api/v2/alerts"
  target_sink=1
  bench_tokens=(--tenants "$TENANTS" --tokens-file "$d/tokens.txt")
  wait_http "http://127.0.0.1:$port/-/ready" 10
}

start_alertmanager() {  # log-prefix
  local d=$work/am port
  rm -rf "$d" && mkdir -p "$d/data"
  port=$(free_port)
  sed -e "s#@SINK_URL@#$sink_url#" -e "s#@GROUP_INTERVAL@#1s#" \
    "$root/bench/alertmanager/alertmanager.yml.in" > "$d/alertmanager.yml"
  "$AM" --config.file="$d/alertmanager.yml" --storage.path="$d/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
    --log.level=warn 2>"$1.stderr" &
  target_pid=$!
  target_url="http://127.0.0.1:$port/api/v2/alerts"
  target_sink=1
  wait_http "http://127.0.0.1:$port/-/ready" 20
}

start_target() {  # target log-prefix
  bench_tokens=()
  case $1 in
    nginx) start_nginx "$2" ;;
    alertgate-memory) start_alertgate memory "$2" ;;
    alertgate-wal) start_alertgate wal "$2" ;;
    alertmanager) start_alertmanager "$2" ;;
    *) die "unknown target '$1' in TARGETS/RAMPS" ;;
  esac
}

points=$OUT/points.tsv  # target batch rate kind json note
: > "$points"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$points"; }

# Runs `alertgate bench` against a fresh target; records the point. Extra args follow.
run_point() {  # target batch rate kind name limit_s bench-args...
  local target=$1 batch=$2 rate=$3 kind=$4 name=$5 limit=$6
  shift 6
  local json=$OUT/json/$name.json log=$OUT/logs/$name note=$work/$name.note rc=0
  rm -f "$note"
  if ! start_target "$target" "$log"; then
    stop_target
    record "$target" "$batch" "$rate" "$kind" "" "did not start (logs/$name.stderr)"
    return 0
  fi
  start_watchdog "$note"
  local sink=()
  [ "$target_sink" = 1 ] && sink=(--sink-listen "127.0.0.1:$sink_port" --drain "$DRAIN")
  local pid_arg=()
  [ "$target" != nginx ] && pid_arg=(--target-pid "$target_pid")  # nginx: workers, not one pid
  # In the background so that a signal to this script runs its trap at once (bash defers
  # traps until a foreground child exits); `timeout` passes TERM on to the bench.
  timeout --kill-after=5 "$limit" "$BIN" bench --target "$target_url" --batch "$batch" \
    --connections "$CONNECTIONS" --threads "$LOAD_THREADS" "${bench_tokens[@]}" \
    "${sink[@]}" "${pid_arg[@]}" --json "$json" --quiet "$@" \
    >"$log.bench.txt" 2>"$log.bench.stderr" &
  bench_pid=$!
  wait "$bench_pid" || rc=$?
  bench_pid=""
  stop_target
  local msg=""
  [ -s "$note" ] && msg=$(cat "$note")
  case $rc in
    0) ;;
    2) msg="unreachable${msg:+; $msg}" ;;
    124 | 137) msg="bench timed out after ${limit}s${msg:+; $msg}" ;;
    1)  # a usage error is ours and the same for every point, except a sink port in use
      if grep -q -- --sink-listen "$log.bench.stderr"; then
        msg="bench: $(head -1 "$log.bench.stderr")"
      else
        cat "$log.bench.stderr" >&2
        die "alertgate bench refused the arguments of $name (above)"
      fi
      ;;
    *) cat "$log.bench.stderr" >&2; die "alertgate bench failed (exit $rc) for $name" ;;
  esac
  if [ ! -s "$json" ]; then
    json=""
    [ -n "$msg" ] || msg="no JSON report (logs/$name.bench.stderr)"
  fi
  record "$target" "$batch" "$rate" "$kind" "$json" "$msg"
}

# --- the run ---
{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm), $(nproc) cores," \
    "$(awk '/MemTotal/ {print int($2/1024) " MB"}' /proc/meminfo)"
  echo "alertgate: $("$BIN" version 2>&1)"
  echo "nginx: $("$NGINX" -v 2>&1)"
  echo "alertmanager: $("$AM" --version 2>&1 | head -1)"
  for v in DURATION RATES_1 RATES_100 TARGETS AM_MAX_RATE SLO_P99 SLO_ERRORS RAMPS AM_RAMP \
           AG_RAMP RAMP_STEPS STEP_DURATION CONNECTIONS LOAD_THREADS TENANTS DRAIN MAX_RSS_MB; do
    echo "$v=${!v}"
  done
} > "$OUT/environment.txt"

if [[ " $TARGETS $RAMPS " == *" alertgate-memory "* ]] && ! write_ag_config "$work/probe" memory
then
  memory_key=0
  echo "durability: this build refuses the key; alertgate-memory runs without it" \
    >> "$OUT/environment.txt"
fi
wal_available=1
if [[ " $TARGETS $RAMPS " == *" alertgate-wal "* ]] && ! write_ag_config "$work/probe-wal" wal; then
  wal_available=0
  cp "$work/probe-wal.write-config.log" "$OUT/logs/wal-probe.log" 2>/dev/null || true
fi

n_points=0
for t in $TARGETS; do for b in 1 100; do
  rates=$RATES_1; [ "$b" = 100 ] && rates=$RATES_100
  for r in $rates; do n_points=$((n_points + 1)); done
done; done
echo "compare.sh: $n_points points of ${dur_s}s + ramps ($RAMPS), sink :$sink_port, out: $OUT" >&2

i=0
for t in $TARGETS; do
  if [ "$t" = alertgate-wal ] && [ "$wal_available" = 0 ]; then
    record "$t" - 0 point "" "not available in this build (logs/wal-probe.log)"
    continue
  fi
  for b in 1 100; do
    rates=$RATES_1; [ "$b" = 100 ] && rates=$RATES_100
    for r in $rates; do
      i=$((i + 1))
      if [ "$t" = alertmanager ] && [ "$r" -gt "$AM_MAX_RATE" ]; then
        record "$t" "$b" "$r" point "" "skipped: above AM_MAX_RATE=$AM_MAX_RATE"
        continue
      fi
      echo "compare.sh: [$i/$n_points] $t batch $b at $r alerts/s" >&2
      run_point "$t" "$b" "$r" point "$t-b$b-r$r" $((dur_s + drain_s + 60)) \
        --rate "$r" --duration "$DURATION"
    done
  done
done

for t in $RAMPS; do
  case $t in
    alertmanager) read -r start step <<<"$AM_RAMP" ;;
    alertgate-*) read -r start step <<<"$AG_RAMP" ;;
    *) die "RAMPS takes alertmanager and alertgate-memory|wal, not '$t'" ;;
  esac
  if [ "$t" = alertgate-wal ] && [ "$wal_available" = 0 ]; then
    record "$t" 1 "$start" ramp "" "not available in this build (logs/wal-probe.log)"
    continue
  fi
  max=$((start + (RAMP_STEPS - 1) * step))
  echo "compare.sh: ramp $t batch 1 from $start by $step to $max alerts/s, ${step_s}s steps" >&2
  run_point "$t" 1 "$start" ramp "$t-ramp" $((RAMP_STEPS * step_s + drain_s + 60)) \
    --rate "$start" --ramp --ramp-step "$step" --max-rate "$max" \
    --step-duration "$STEP_DURATION" --duration "$((RAMP_STEPS * step_s))s" \
    --slo-p99 "$SLO_P99" --slo-errors "$SLO_ERRORS"
done

python3 "$root/bench/compare/report.py" --points "$points" --slo-p99 "$SLO_P99" \
  --slo-errors "$SLO_ERRORS" --environment "$OUT/environment.txt" | tee "$OUT/table.md"
echo "(JSON reports, logs and table.md in $OUT)" >&2

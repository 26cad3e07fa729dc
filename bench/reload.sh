#!/usr/bin/env bash
# Policy reload time for a large installation: TENANTS tenant files with RULES rules each
# (severity lists, matchers with regexes, grouping, named destinations). Starts alertgate on
# loopback, then times POST /-/reload three ways: nothing changed (every file's bytes equal:
# policies are reused), every file changed (all parsed and compiled again), and one file
# changed. Prints the daemon's own `took_ms` and the HTTP round trip.
#
# Usage: bench/reload.sh [ALERTGATE_BIN]      env: TENANTS=1200 RULES=20
set -euo pipefail
BIN=${1:-build/alertgate}
TENANTS=${TENANTS:-1200}
RULES=${RULES:-20}
work=$(mktemp -d /tmp/alertgate-reload.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/tenants"
python3 - "$work/tenants" "$TENANTS" "$RULES" <<'PY'
import hashlib, sys
out, tenants, rules = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
matchers = ['service=~"db|cache"', 'env="prod"', 'team!="data"', 'alertname=~"High.*"',
            'instance=~"host-[0-9]+:9100"', 'region=~"(eu|us)-(west|east)"']
sev = ['critical', '[critical, error]', 'warning', 'info']
for t in range(tenants):
    token = hashlib.sha256(f"token-{t}".encode()).hexdigest()
    lines = [f'tenant_id: "t-{t}"', f'tokens: ["sha256:{token}"]', 'destinations:',
             '  ops: {type: log, path: /dev/null}', 'rules:']
    for r in range(rules):
        lines.append(f'  - severity: {sev[r % 4]}')
        lines.append(f"    match: ['{matchers[r % 6]}', '{matchers[(r + 1) % 6]}']")
        if r % 3 == 0:
            lines.append('    group_by: [alertname, cluster]')
            lines.append('    group_wait: 10s')
        if r % 5 == 0:
            lines.append('    continue: true')
        lines.append('    destinations: ["ops"]')
    lines.append('default: {destinations: ["ops"]}')
    with open(f"{out}/t-{t}.yaml", "w") as f:
        f.write("\n".join(lines) + "\n")
PY
admin=$(printf %s bench-admin | sha256sum | cut -d' ' -f1)
cat > "$work/alertgate.yaml" <<C
listen: ["127.0.0.1:0"]
threads: 2
tenants_dir: tenants
data_dir: data
log_level: warn
admin_token: "sha256:$admin"
C
start=$(date +%s.%N)
"$BIN" serve --config "$work/alertgate.yaml" --port-file "$work/port" 2>"$work/stderr" &
pid=$!
for _ in $(seq 3000); do [ -s "$work/port" ] && break; sleep 0.01; done
port=$(cat "$work/port")
until curl -sf "http://127.0.0.1:$port/-/ready" -o /dev/null; do sleep 0.01; done
echo "$TENANTS tenants x $RULES rules: ready after $(echo "$(date +%s.%N) - $start" | bc -l | cut -c1-5) s"

reload() {  # label → prints took_ms (daemon) and round trip
  local t0 t1 body
  t0=$(date +%s.%N)
  body=$(curl -s -XPOST "http://127.0.0.1:$port/-/reload" -H "Authorization: Bearer bench-admin")
  t1=$(date +%s.%N)
  printf "%-22s took_ms=%-9s round trip %.1f ms  %s\n" "$1" \
    "$(sed -E 's/.*"took_ms":([0-9.]+).*/\1/' <<<"$body")" "$(echo "($t1 - $t0) * 1000" | bc -l)" \
    "$(sed -E 's/.*"status":"([a-z]+)".*/\1/' <<<"$body")"
}
reload "nothing changed"
for f in "$work"/tenants/*.yaml; do echo "# touched" >> "$f"; done
reload "every file changed"
echo "# again" >> "$work/tenants/t-0.yaml"
reload "one file changed"
rss=$(awk '/VmHWM/ {print $2/1024 " MiB"}' "/proc/$pid/status")
echo "peak RSS $rss"

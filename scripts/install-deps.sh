#!/usr/bin/env bash
# Installs every Debian 12 package that alertgate's build, tests and benchmarks need.
# Idempotent: packages already present are skipped. Works as root or through sudo.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  # libraries
  libboost-dev libsimdjson-dev librdkafka-dev libconcurrentqueue-dev libfmt-dev
  libcurl4-openssl-dev libyaml-cpp-dev libxxhash-dev libssl-dev libcli11-dev
  libsystemd-dev prometheus-cpp-dev libjemalloc-dev libhowardhinnant-date-dev tzdata
  # tests
  catch2 python3 python3-yaml python3-jsonschema curl prometheus python3-aiosmtpd kcat
  # benchmarks
  libbenchmark-dev wrk nginx-light bc prometheus-alertmanager
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts nginx and prometheus as services on install; tests run their own instances.
for svc in nginx prometheus prometheus-node-exporter prometheus-alertmanager; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done
echo "install-deps: done"

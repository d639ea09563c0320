#!/usr/bin/env bash
# Start-up time of the standalone default: `java -jar gerbang.jar`, from launch to the "Gerbang is ready on"
# line. Builds nothing. Each run starts every jar given twice, alternately (so a before/after pair meets
# the same machine load):
#   first  - on a fresh data directory: the H2 database and its schema are made, the issuer's key created;
#   second - on the directory the first start left: the database and the key are kept.
# It prints, per jar and case, the median wall time to ready and the median CPU time the process had used
# by then (user + sys, from /proc): on a shared machine the wall time moves with the neighbours' load, the
# CPU time much less. It reports; it asserts nothing.
#
#   bench/startup.sh [--runs 5] [JAR ...]        (default: gateway/target/gerbang.jar)
#
# JAVA_OPTS adds JVM flags to every start (e.g. an operator's -XX:SharedArchiveFile, docs/operations.md).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=5
JARS=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) JARS+=("$(realpath "$1")"); shift ;;
  esac
done
[ ${#JARS[@]} -gt 0 ] || JARS=("$ROOT/gateway/target/gerbang.jar")
for jar in "${JARS[@]}"; do
  [ -f "$jar" ] || { echo "startup: no jar at $jar (this script builds nothing)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/gerbang-startup.XXXXXX)
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

TICK=$(getconf CLK_TCK)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start JAR DATA_DIR: sets WALL and CPU (ms) once the node says it is ready, then stops it
start() {
  local jar=$1 data=$2 log="$WORK/log" t0 t1 stat cpu
  : > "$log"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -jar "$jar" --server.port="$(free_port)" --gerbang.sandbox.port="$(free_port)" \
      --gerbang.data-dir="$data" > "$log" 2>&1 &
  PID=$!
  until grep -q "Gerbang is ready on" "$log"; do
    if ! kill -0 "$PID" 2>/dev/null; then
      echo "startup: $jar did not start; its log:" >&2
      tail -40 "$log" >&2
      exit 1
    fi
    sleep 0.02
  done
  t1=$(date +%s%N)
  # utime and stime of every thread of the process, fields 14 and 15 (the name in field 2 has no spaces)
  stat=$(cat "/proc/$PID/stat")
  cpu=$(echo "$stat" | awk -v tick="$TICK" '{printf "%d", ($14 + $15) * 1000 / tick}')
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=""
  WALL=$(( (t1 - t0) / 1000000 )) CPU=$cpu
}

median() {
  sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%d\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

echo "# bench/startup.sh, $(date -u '+%Y-%m-%d %H:%M') UTC, $RUNS runs"
echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory"
echo "- JDK: $(java -version 2>&1 | head -1); JAVA_OPTS: ${JAVA_OPTS:-none}"
echo "- load before (uptime): $(uptime | sed 's/.*load average/load average/')"
for run in $(seq 1 "$RUNS"); do
  for i in "${!JARS[@]}"; do
    data="$WORK/data-$i-$run"
    for kase in first second; do
      start "${JARS[$i]}" "$data"
      echo "$WALL" >> "$WORK/wall-$i-$kase"
      echo "$CPU" >> "$WORK/cpu-$i-$kase"
      echo "  run $run $(basename "${JARS[$i]}") $kase start: $WALL ms wall, $CPU ms CPU" >&2
    done
    rm -rf "$data"
  done
done
echo "- load after (uptime): $(uptime | sed 's/.*load average/load average/')"
echo
echo "| jar | start | median wall to ready (ms) | median CPU to ready, user+sys (ms) | wall, every run (ms) |"
echo "|---|---|---:|---:|---|"
for i in "${!JARS[@]}"; do
  for kase in first second; do
    echo "| ${JARS[$i]#"$ROOT/"} | $kase | $(median < "$WORK/wall-$i-$kase") | $(median < "$WORK/cpu-$i-$kase") | $(paste -sd' ' "$WORK/wall-$i-$kase") |"
  done
done

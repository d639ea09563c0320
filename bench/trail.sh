#!/usr/bin/env bash
# What the request trail costs: the same gateway, same route, same token, with the durable hash-chained
# trail on (the default) and off (gerbang.trail.enabled=false, a benchmark-only switch), against the
# upstream called directly, all in one invocation on this machine.
#
#   bench/trail.sh [--duration 30] [--connections 32] [--max-warmup 180]
source "$(dirname "$0")/lib.sh"

DURATION=30 CONNECTIONS=32 MAX_WARMUP=180
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --max-warmup) MAX_WARMUP=$2; shift 2 ;;
    *) echo "usage: $0 [--duration s] [--connections n] [--max-warmup s]" >&2; exit 2 ;;
  esac
done

need_tools
UPSTREAM=18181 GATEWAY=18280
start_upstream $UPSTREAM
machine >&2
echo "bench: wrk -t1 -c$CONNECTIONS, ${DURATION}s per measurement, after warm-up" >&2

DIRECT=$(measure "http://127.0.0.1:$UPSTREAM/status" "$DURATION" "$CONNECTIONS")
declare -A RESULT WARM
for mode in on off; do
  start_gateway "trail-$mode" $GATEWAY $UPSTREAM --gerbang.trail.enabled=$([ $mode = on ] && echo true || echo false)
  AUTH="Authorization: Bearer $(token $GATEWAY)"
  URL="http://127.0.0.1:$GATEWAY/api/bench/status-pajak"
  warm_up "trail $mode" "$URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
  WARM[$mode]=$WARMUP_SECONDS
  RESULT[$mode]=$(measure "$URL" "$DURATION" "$CONNECTIONS" "$AUTH")
  stop_gateway
done

read -r d_rps d_p50 d_p99 _ <<<"$DIRECT"
read -r on_rps on_p50 on_p99 _ <<<"${RESULT[on]}"
read -r off_rps off_p50 off_p99 _ <<<"${RESULT[off]}"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "| configuration | req/s | p50 ms | p99 ms | vs direct | vs trail off | warm-up |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| upstream called directly (nginx) | $d_rps | $d_p50 | $d_p99 | 1.00 | | |"
echo "| gateway, trail off | $off_rps | $off_p50 | $off_p99 | $(ratio "$off_rps" "$d_rps") | 1.00 | ${WARM[off]} s |"
echo "| gateway, trail on (H2, group commit) | $on_rps | $on_p50 | $on_p99 | $(ratio "$on_rps" "$d_rps") | $(ratio "$on_rps" "$off_rps") | ${WARM[on]} s |"
echo
echo "trail on / trail off throughput: $(ratio "$on_rps" "$off_rps")"

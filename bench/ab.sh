#!/usr/bin/env bash
# Two builds of the gateway side by side on its full chain (JWT, access list, rate limit, trail on H2 or
# PostgreSQL), in
# alternating rounds of one invocation (A, B, A, B, ...), so that the machine's drift falls on both alike.
# Each run warms its JVM until throughput stops rising, measures at fixed concurrency, then at a fixed
# rate. Prints every run and the medians of B against A. It reports; it asserts nothing.
#
#   bench/ab.sh A.jar B.jar [--rounds 2] [--duration 15] [--repeat 3] [--connections 32]
#                           [--max-warmup 150] [--rate 1000] [--fixed-seconds 20] [--store h2|postgres]
#
# With --store postgres one PostgreSQL server (as bench/compare.sh starts it) serves every run, each in a
# schema of its own.
#
# A typical use: the jar of the last commit on main against the jar of a change (`cp
# gateway/target/gerbang.jar /tmp/before.jar` before the change, then build it).
source "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || { echo "usage: $0 A.jar B.jar [--rounds n] [--duration s] [--repeat n] [--connections n] [--max-warmup s] [--rate r] [--fixed-seconds s] [--store h2|postgres]" >&2; exit 2; }
JAR_A=$(realpath "$1") JAR_B=$(realpath "$2"); shift 2
ROUNDS=2 DURATION=15 REPEAT=3 CONNECTIONS=32 MAX_WARMUP=150 RATE=1000 FIXED_SECONDS=20 STORE=h2
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2 ;; --duration) DURATION=$2 ;; --repeat) REPEAT=$2 ;; --connections) CONNECTIONS=$2 ;;
    --max-warmup) MAX_WARMUP=$2 ;; --rate) RATE=$2 ;; --fixed-seconds) FIXED_SECONDS=$2 ;;
    --store) STORE=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

UPSTREAM=18181 GATEWAY=18280 POSTGRES=18432
URL="http://127.0.0.1:$GATEWAY/api/bench/status-pajak"
say() { echo "bench: $*" >&2; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

need_tools
start_upstream $UPSTREAM
case $STORE in
  h2) STORE_NAME=H2 ;;
  postgres) STORE_NAME=PostgreSQL; start_postgres $POSTGRES ;;
  *) echo "unknown store $STORE (h2 or postgres)" >&2; exit 2 ;;
esac
echo "## Two builds of Gerbang, full chain on $STORE_NAME ($(date -u '+%Y-%m-%d %H:%M') UTC)"
echo
machine
echo "- A: $JAR_A"
echo "- B: $JAR_B"
echo "- wrk -t1 -c$CONNECTIONS, $REPEAT × $DURATION s per run after warm-up (at most $MAX_WARMUP s); fixed rate $RATE req/s for $FIXED_SECONDS s"
echo
echo "| round | build | req/s | p50 ms | p99 ms | fixed-rate p50 ms | p99 ms | p99.9 ms | errors |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"

declare -A RPS_OF P99_OF FIXED99_OF
run() { # round build jar
  local round=$1 build=$2 name="gerbang-$1-$2" rows="" i r auth fixed
  JAR=$3
  mkdir -p "$WORK/$name/routes"
  bench_route $UPSTREAM "rateLimit: { requests: 1000000, perSeconds: 1 }" > "$WORK/$name/routes/bench.yaml"
  say "round $round, build $build: starting"
  local store_args=()
  if [ "$STORE" = postgres ]; then
    # a schema of its own for each run, which Flyway creates
    store_args=(--spring.datasource.url="$PG_URL?currentSchema=r${round}_${build,,}" --spring.flyway.schemas="r${round}_${build,,}"
      --spring.datasource.username=gerbang --spring.datasource.password=)
  fi
  start_gateway "$name" $GATEWAY $UPSTREAM "${store_args[@]}"
  auth="Authorization: Bearer $(token $GATEWAY)"
  warm_up "$build" "$URL" "$auth" "$CONNECTIONS" "$MAX_WARMUP"
  for i in $(seq "$REPEAT"); do
    r=$(measure "$URL" "$DURATION" "$CONNECTIONS" "$auth")
    say "  round $round, build $build, run $i/$REPEAT: $r (req/s p50 p99 p99.9 ms)"
    rows+="$r"$'\n'
  done
  fixed=$(java "$BENCH/FixedRate.java" "$URL" "$RATE" "$FIXED_SECONDS" "$CONNECTIONS" "$auth")
  say "  round $round, build $build, fixed rate: $fixed"
  stop_gateway
  local rps p50 p99 f50 f99 f999 errors
  rps=$(echo -n "$rows" | awk '{print $1}' | median)
  p50=$(echo -n "$rows" | awk '{print $2}' | median)
  p99=$(echo -n "$rows" | awk '{print $3}' | median)
  f50=$(echo "$fixed" | tr ' ' '\n' | awk -F= '$1 == "p50" { print $2 }')
  f99=$(echo "$fixed" | tr ' ' '\n' | awk -F= '$1 == "p99" { print $2 }')
  f999=$(echo "$fixed" | tr ' ' '\n' | awk -F= '$1 == "p99.9" { print $2 }')
  errors=$(echo "$fixed" | tr ' ' '\n' | awk -F= '$1 == "errors" { print $2 }')
  echo "| $round | $build | $rps | $p50 | $p99 | $f50 | $f99 | $f999 | $errors |"
  RPS_OF[$build]+="$rps"$'\n'
  P99_OF[$build]+="$p99"$'\n'
  FIXED99_OF[$build]+="$f99"$'\n'
}

for round in $(seq "$ROUNDS"); do
  run "$round" A "$JAR_A"
  run "$round" B "$JAR_B"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ra=$(echo -n "${RPS_OF[A]}" | median) rb=$(echo -n "${RPS_OF[B]}" | median)
fa=$(echo -n "${FIXED99_OF[A]}" | median) fb=$(echo -n "${FIXED99_OF[B]}" | median)
echo
echo "- throughput B / A: $(ratio "$rb" "$ra") (medians over rounds: A $ra, B $rb req/s)"
echo "- fixed-rate p99 B / A: $(ratio "$fb" "$fa") (A $fa ms, B $fb ms)"
echo "- load average at the end: $(uptime | sed 's/.*load average: //')"

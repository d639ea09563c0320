#!/usr/bin/env bash
# Where a trail record's time goes, measured inside the gateway: the packaged gateway's full chain (JWT,
# access list, a rate limit it never reaches, the trail) on PostgreSQL (or H2), loaded by wrk at fixed
# concurrency, then at a fixed rate. Around each measurement it reads the writer's phase timers
# (gerbang_trail_phase_seconds: queued, connect, chain, insert, tree, commit, release, wake), the batch
# sizes, the JVM's GC pauses, and the CPU time of every process on the machine (the gateway, PostgreSQL's
# processes, the upstream, the load generator, everything else). Proportions, not absolute figures, are
# what a shared machine lets one read. It reports; it asserts nothing.
#
#   bench/trail-phases.sh [--store postgres|h2] [--duration 20] [--connections 32] [--max-warmup 60]
#                         [--rate 500] [--fixed-seconds 20] [--url-params 'reWriteBatchedInserts=true']
#
# --url-params are appended to the PostgreSQL JDBC URL (driver settings); PG_SETTINGS='-c name=value'
# sets the server's (bench/lib.sh).
source "$(dirname "$0")/lib.sh"

STORE=postgres DURATION=20 CONNECTIONS=32 MAX_WARMUP=60 RATE=500 FIXED_SECONDS=20 URL_PARAMS=""
while [ $# -gt 0 ]; do
  case $1 in
    --store) STORE=$2 ;; --duration) DURATION=$2 ;; --connections) CONNECTIONS=$2 ;; --max-warmup) MAX_WARMUP=$2 ;;
    --rate) RATE=$2 ;; --fixed-seconds) FIXED_SECONDS=$2 ;; --url-params) URL_PARAMS=$2 ;;
    *) echo "usage: $0 [--store postgres|h2] [--duration s] [--connections n] [--max-warmup s] [--rate r] [--fixed-seconds s]" >&2; exit 2 ;;
  esac
  shift 2
done

UPSTREAM=18181 GATEWAY=18280 POSTGRES=18432
URL="http://127.0.0.1:$GATEWAY/api/bench/status-pajak"
METRICS="http://127.0.0.1:$GATEWAY/actuator/prometheus"
say() { echo "bench: $*" >&2; }
PHASES=(queued connect chain insert tree commit release wake)

need_tools
start_upstream $UPSTREAM
ARGS=()
if [ "$STORE" = postgres ]; then
  start_postgres $POSTGRES
  ARGS=(--spring.datasource.url="$PG_URL${URL_PARAMS:+?$URL_PARAMS}" --spring.datasource.username=gerbang --spring.datasource.password=)
fi
mkdir -p "$WORK/gerbang/routes"
bench_route $UPSTREAM "rateLimit: { requests: 1000000, perSeconds: 1 }" > "$WORK/gerbang/routes/bench.yaml"
start_gateway gerbang $GATEWAY $UPSTREAM "${ARGS[@]}"
AUTH="Authorization: Bearer $(token $GATEWAY)"

# CPU seconds (user + system) used so far by a set of processes
ticks() { # pid...
  local t=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
pg_pids() { # the postmaster and its children (backends, WAL writer, checkpointer, ...)
  [ "$STORE" = postgres ] || return 0
  local pm
  pm=$(head -1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 0
  echo "$pm" $(pgrep -P "$pm" || true)
}
nginx_pids() { pgrep -d ' ' -f "nginx.*$WORK/upstream.conf" || true; }
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# sum and count of each phase, the batch summary, GC pause seconds, as "name value" lines
scrape() {
  curl -fs "$METRICS" | awk '
    /^gerbang_trail_phase_seconds_(sum|count)\{/ {
      match($0, /phase="[a-z]+"/); ph = substr($0, RSTART + 7, RLENGTH - 8)
      kind = ($0 ~ /_sum\{/) ? "sum" : "count"; print ph "_" kind, $NF }
    /^gerbang_trail_batch_records_(sum|count)[{ ]/ { kind = ($0 ~ /_sum/) ? "sum" : "count"; print "batch_" kind, $NF }
    /^jvm_gc_pause_seconds_sum\{/ { gc += $NF } /^jvm_gc_pause_seconds_count\{/ { gcn += $NF }
    END { print "gc_sum", gc + 0; print "gc_count", gcn + 0 }'
}

report() { # label seconds before-file after-file cpu-line
  local label=$1 seconds=$2
  echo
  echo "### $label"
  echo
  awk -v secs="$seconds" '
    FNR == NR { before[$1] = $2; next } { after[$1] = $2 }
    END {
      n = split("queued connect chain insert tree commit release wake", ph, " ")
      batches = after["batch_count"] - before["batch_count"]; records = after["batch_sum"] - before["batch_sum"]
      if (batches <= 0 || records <= 0) { print "no record stored"; exit }
      total = 0
      for (i = 1; i <= n; i++) {
        c = after[ph[i] "_count"] - before[ph[i] "_count"]; s = after[ph[i] "_sum"] - before[ph[i] "_sum"]
        mean[ph[i]] = c > 0 ? s / c * 1000 : 0
        # a record waits for the whole of its batch, but on average for half of its batch'"'"'s release
        wait[ph[i]] = (ph[i] == "release") ? mean[ph[i]] / 2 : mean[ph[i]]
        total += wait[ph[i]]
        busy[ph[i]] = (ph[i] == "queued" || ph[i] == "wake") ? 0 : s
      }
      printf "%d records in %d batches (%.1f a batch), %.0f records/s\n\n", records, batches, records / batches, records / secs
      print "| phase | mean ms (per batch; queued and wake per record) | a record waits ms | share of its wait | writer busy |"
      print "|---|---:|---:|---:|---:|"
      for (i = 1; i <= n; i++) {
        b = (busy[ph[i]] > 0) ? sprintf("%.0f %%", busy[ph[i]] / secs * 100) : ""
        printf "| %s | %.3f | %.3f | %.0f %% | %s |\n", ph[i], mean[ph[i]], wait[ph[i]], wait[ph[i]] / total * 100, b
      }
      printf "| **total** | | %.3f | 100 %% | |\n", total
      gcs = after["gc_sum"] - before["gc_sum"]; gcn = after["gc_count"] - before["gc_count"]
      printf "\nGC: %d pauses, %.1f ms in all (%.2f %% of the time), %.1f ms each on average\n", gcn, gcs * 1000, gcs / secs * 100, (gcn > 0 ? gcs / gcn * 1000 : 0)
    }' "$3" "$4"
  echo
  echo "CPU over the $seconds s, in cores (of $(nproc)): $5"
}

measure_with_phases() { # label seconds command...
  local label=$1 seconds=$2; shift 2
  local b="$WORK/before" a="$WORK/after" g0 p0 n0 m0 g1 p1 n1 m1 l0 l1 hz out
  hz=$(getconf CLK_TCK)
  scrape > "$b"
  g0=$(ticks "$GATEWAY_PID") p0=$(ticks $(pg_pids)) n0=$(ticks $(nginx_pids)) m0=$(machine_ticks)
  local start=$(date +%s.%N)
  out=$("$@")
  local end=$(date +%s.%N)
  g1=$(ticks "$GATEWAY_PID") p1=$(ticks $(pg_pids)) n1=$(ticks $(nginx_pids)) m1=$(machine_ticks)
  scrape > "$a"
  say "  $label: $out"
  local wall
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  local cpu
  cpu=$(awk -v hz="$hz" -v w="$wall" -v g=$((g1 - g0)) -v p=$((p1 - p0)) -v n=$((n1 - n0)) -v m=$((m1 - m0)) 'BEGIN {
    printf "gateway %.2f, PostgreSQL %.2f, upstream %.2f, the load generator and everything else %.2f; the machine %.2f", g / hz / w, p / hz / w, n / hz / w, (m - g - p - n) / hz / w, m / hz / w }')
  report "$label ($out)" "$wall" "$b" "$a" "$cpu"
}

echo "## Where a trail record's time goes, $STORE ($(date -u '+%Y-%m-%d %H:%M') UTC)"
echo
machine
[ -z "$URL_PARAMS$([ "$STORE" = postgres ] && echo "${PG_SETTINGS:-}")" ] || echo "- PostgreSQL: URL parameters '${URL_PARAMS}', server settings '${PG_SETTINGS:-}'"
warm_up "full chain" "$URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
measure_with_phases "wrk -t1 -c$CONNECTIONS, $DURATION s" "$DURATION" measure "$URL" "$DURATION" "$CONNECTIONS" "$AUTH"
# FixedRate's own unrecorded warm-up seconds fall inside this measurement too: the same rate throughout
measure_with_phases "fixed rate $RATE req/s, $FIXED_SECONDS s" "$FIXED_SECONDS" \
  java "$BENCH/FixedRate.java" "$URL" "$RATE" "$FIXED_SECONDS" "$CONNECTIONS" "$AUTH"
stop_gateway
echo
echo "- load average at the end: $(uptime | sed 's/.*load average: //')"

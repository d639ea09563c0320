#!/usr/bin/env bash
# Gerbang side by side with what an operator could run instead, on this machine, in one invocation: the
# upstream called directly, a plain nginx reverse proxy, Spring Cloud Gateway Server MVC (without auth,
# and with Spring Security's JWT validation) and the packaged gateway in three configurations. Every JVM
# is warmed until its throughput stops rising; wrk drives each target at fixed concurrency; a fixed-rate
# run at half of Gerbang's measured maximum gives the latency it adds, and one at 500 req/s (a busy
# kabupaten's peak: PEAK_RATE) the latency it adds at a realistic load. It reports; it asserts nothing.
#
#   bench/compare.sh [--duration 15] [--repeat 3] [--connections 32] [--max-warmup 150]
#                    [--fixed-seconds 30] [--quick] [--jfr FILE]
#
# Gerbang's full chain runs twice: on H2 (the standalone default) and on PostgreSQL (production's store, the
# same PostgreSQL 17 binaries as the tests, started here with its default settings).
#
# --quick is a smoke run (about 5 minutes, figures not worth quoting). --jfr FILE records a JFR profile
# of Gerbang's full chain during its measurement (FILE outside /tmp/gerbang-bench.*, which is removed).
source "$(dirname "$0")/lib.sh"

DURATION=15 REPEAT=3 CONNECTIONS=32 MAX_WARMUP=150 FIXED_SECONDS=30 JFR_FILE=""
usage() {
  echo "usage: $0 [--duration s] [--repeat n] [--connections n] [--max-warmup s] [--fixed-seconds s] [--quick] [--jfr file]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --max-warmup) MAX_WARMUP=$2; shift 2 ;;
    --fixed-seconds) FIXED_SECONDS=$2; shift 2 ;;
    --quick) DURATION=5 REPEAT=1 MAX_WARMUP=10 FIXED_SECONDS=10 WARMUP_SLICE=5; shift ;;
    --jfr) JFR_FILE=$(realpath -m "$2"); shift 2 ;;
    *) usage ;;
  esac
done

UPSTREAM=18181 PROXY=18182 GATEWAY=18280 SCG=18380 POSTGRES=18432
# a busy kabupaten's peak: every target gets this fixed rate too, whatever its maximum
PEAK_RATE=500
API_PATH=/api/bench/status-pajak
SCG_JAR="$BENCH/scg/target/scg-peer.jar"
STARTED=$(date +%s)

say() { echo "bench: $*" >&2; }

build_peer() {
  if [ ! -f "$SCG_JAR" ] || [ -n "$(find "$BENCH/scg/pom.xml" "$BENCH/scg/src" -newer "$SCG_JAR" -type f | head -1)" ]; then
    say "building the Spring Cloud Gateway peer (bench/scg)"
    (cd "$ROOT" && ./mvnw -q -B -f bench/scg/pom.xml -DskipTests package)
  fi
}

# A plain nginx reverse proxy, as a competent operator sets one up: a worker per core, HTTP/1.1 and a pool
# of idle keep-alive connections to the upstream, no access log (the ceiling, not a production setup).
start_proxy() { # port upstream-port
  cat > "$WORK/proxy.conf" <<CONF
worker_processes auto;
pid $WORK/nginx-proxy.pid;
error_log $WORK/nginx-proxy-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream opd {
    server 127.0.0.1:$2;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$1;
    location $API_PATH {
      proxy_pass http://opd/status;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  "$NGINX" -c "$WORK/proxy.conf"
  wait_http "http://127.0.0.1:$1$API_PATH"
}

start_peer() { # name [args...]
  local name=$1; shift
  mkdir -p "$WORK/$name"
  java "${JVM_OPTS[@]}" -jar "$SCG_JAR" --server.port=$SCG --peer.upstream-url="http://127.0.0.1:$UPSTREAM" "$@" \
    > "$WORK/$name/peer.log" 2>&1 &
  PIDS+=($!)
  PEER_PID=$!
  LOG="$WORK/$name/peer.log"
  local deadline=$(( $(date +%s) + 120 ))
  until curl -s -o /dev/null "http://127.0.0.1:$SCG/"; do
    [ "$(date +%s)" -lt "$deadline" ] || { say "the peer did not come up"; tail -20 "$LOG" >&2; return 1; }
    sleep 0.5
  done
}

stop_peer() {
  kill "$PEER_PID" 2>/dev/null || true
  wait "$PEER_PID" 2>/dev/null || true
}

expect_status() { # status url [header]
  local got
  got=$(curl -s -o "$WORK/last-body" -w '%{http_code}' ${3:+-H "$3"} "$2")
  if [ "$got" != "$1" ]; then
    say "$2 answered $got, expected $1:"; cat "$WORK/last-body" >&2; echo >&2; tail -20 "$LOG" >&2 || true
    return 1
  fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

LABELS=() RPS=() P50=() P99=() P999=() WARM=() ALONG=()
# REPEAT measurements of one warm target; the row is the median of each column. After a JVM target
# (one with a warm-up), the nginx proxy is measured once more: the machine is shared and its load drifts,
# so a ratio to nginx measured minutes apart can mislead, and this one was measured alongside.
measure_target() { # label url header warm-up-label
  local i r rows="" along=""
  for i in $(seq "$REPEAT"); do
    r=$(measure "$2" "$DURATION" "$CONNECTIONS" "$3")
    say "  $1, run $i/$REPEAT: $r (req/s p50 p99 p99.9 ms)"
    rows+="$r"$'\n'
  done
  LABELS+=("$1")
  RPS+=("$(echo -n "$rows" | awk '{print $1}' | median)")
  P50+=("$(echo -n "$rows" | awk '{print $2}' | median)")
  P99+=("$(echo -n "$rows" | awk '{print $3}' | median)")
  P999+=("$(echo -n "$rows" | awk '{print $4}' | median)")
  WARM+=("$4")
  if [ -n "$4" ]; then
    along=$(measure "http://127.0.0.1:$PROXY$API_PATH" "$DURATION" "$CONNECTIONS" | awk '{print $1}')
    say "  nginx proxy alongside: $along req/s"
  fi
  ALONG+=("$along")
}

fixed_rate() { # label url rate [header]
  local out
  out=$(java "$BENCH/FixedRate.java" "$2" "$3" "$FIXED_SECONDS" "$CONNECTIONS" ${4:+"$4"})
  say "  fixed rate, $1: $out"
  echo "$out"
}

field() { echo "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
added() { awk -v a="$(field "$1" "$2")" -v b="$(field "$1" "$3")" 'BEGIN { printf "%.2f", a - b }'; } # percentile run direct
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row_of() { local i; for i in "${!LABELS[@]}"; do [ "${LABELS[$i]}" != "$1" ] || { echo "$i"; return; }; done; }

need_tools
build_peer
start_upstream $UPSTREAM
start_proxy $PROXY $UPSTREAM
LOAD_AT_START=$(uptime | sed 's/.*load average: //')

echo "## Gerbang side by side ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
machine
echo "- wrk -t1 -c$CONNECTIONS on the same cores; per target $REPEAT × ${DURATION} s after warm-up (slices of ${WARMUP_SLICE} s until two in a row gain < 3 %, at most ${MAX_WARMUP} s); each column is the median of the runs"
echo

L_DIRECT="upstream called directly (nginx, fixed JSON)"
L_PROXY="nginx reverse proxy (keep-alive pool to the upstream)"
L_AUTH="Gerbang: JWT + access, trail off"
L_TRAIL="Gerbang: JWT + access + trail (H2)"
L_FULL="Gerbang: full chain, JWT + access + rate limit + trail (H2)"
L_FULL_PG="Gerbang: full chain on PostgreSQL"
L_SCG="Spring Cloud Gateway MVC, no auth"
L_SCG_JWT="Spring Cloud Gateway MVC + Spring Security JWT"

say "target: the upstream called directly"
measure "http://127.0.0.1:$UPSTREAM/status" 5 "$CONNECTIONS" > /dev/null
measure_target "$L_DIRECT" "http://127.0.0.1:$UPSTREAM/status" "" ""
say "target: nginx reverse proxy"
measure "http://127.0.0.1:$PROXY$API_PATH" 5 "$CONNECTIONS" > /dev/null
measure_target "$L_PROXY" "http://127.0.0.1:$PROXY$API_PATH" "" ""

GATEWAY_URL="http://127.0.0.1:$GATEWAY$API_PATH"
gerbang_target() { # label name [args...]
  local label=$1 name=$2; shift 2
  say "target: $label (starting)"
  start_gateway "$name" $GATEWAY $UPSTREAM "$@"
  AUTH="Authorization: Bearer $(token $GATEWAY)"
  expect_status 200 "$GATEWAY_URL" "$AUTH"
  expect_status 401 "$GATEWAY_URL"
}

gerbang_target "$L_AUTH" gerbang-auth --gerbang.trail.enabled=false
# the issuer's public keys and its name, for the peer that validates tokens (one key for every instance)
curl -fs "http://127.0.0.1:$GATEWAY/oauth2/jwks" > "$WORK/public/jwks.json"
chmod 644 "$WORK/public/jwks.json"
ISSUER=$(curl -fs "http://127.0.0.1:$GATEWAY/.well-known/openid-configuration" | sed -E 's/.*"issuer":"([^"]+)".*/\1/')
warm_up "$L_AUTH" "$GATEWAY_URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
measure_target "$L_AUTH" "$GATEWAY_URL" "$AUTH" "${WARMUP_SECONDS} s$WARMUP_NOTE"
stop_gateway

gerbang_target "$L_TRAIL" gerbang-trail
warm_up "$L_TRAIL" "$GATEWAY_URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
measure_target "$L_TRAIL" "$GATEWAY_URL" "$AUTH" "${WARMUP_SECONDS} s$WARMUP_NOTE"
stop_gateway

# The full chain: the same route with a budget it never reaches (so the limiter's cost is measured, not
# its refusals), and a second route with a budget of one call per hour to see whether the limiter acts.
mkdir -p "$WORK/gerbang-full/routes"
bench_route $UPSTREAM "rateLimit: { requests: 1000000, perSeconds: 1 }" > "$WORK/gerbang-full/routes/bench.yaml"
cat > "$WORK/gerbang-full/routes/tiny.yaml" <<YAML
id: bench-tiny-budget
owner: bapenda
path: /bench/tiny-budget
upstream: { url: "http://127.0.0.1:$UPSTREAM/status" }
access: { opds: [dinkes] }
rateLimit: { requests: 1, perSeconds: 3600 }
YAML
gerbang_target "$L_FULL" gerbang-full
CODES=""
for i in 1 2 3; do
  CODES+="$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$GATEWAY/api/bench/tiny-budget") "
done
if [[ "$CODES" == *429* ]]; then
  RATE_LIMIT_NOTE="active: a route with a budget of 1 call per hour answered ${CODES% }"
else
  RATE_LIMIT_NOTE="NOT active on this build: a route with a budget of 1 call per hour answered ${CODES% } (the field is accepted, nothing enforces it yet), so the full-chain row measures no limiter"
fi
say "rate limit $RATE_LIMIT_NOTE"
warm_up "$L_FULL" "$GATEWAY_URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
if [ -n "$JFR_FILE" ]; then
  jcmd "$GATEWAY_PID" JFR.start name=bench settings=default filename="$JFR_FILE" > /dev/null
  say "recording a JFR profile of the full chain into $JFR_FILE"
fi
measure_target "$L_FULL" "$GATEWAY_URL" "$AUTH" "${WARMUP_SECONDS} s$WARMUP_NOTE"
[ -z "$JFR_FILE" ] || jcmd "$GATEWAY_PID" JFR.stop name=bench > /dev/null
FULL_RPS=${RPS[$(row_of "$L_FULL")]}
FIXED_RATE=$(awk -v r="$FULL_RPS" 'BEGIN { printf "%d", r / 2 }')
say "fixed rate at half of the full chain's maximum: $FIXED_RATE req/s, ${FIXED_SECONDS} s each"
FR_FULL=$(fixed_rate "Gerbang full chain" "$GATEWAY_URL" "$FIXED_RATE" "$AUTH")
FR_DIRECT=$(fixed_rate "direct" "http://127.0.0.1:$UPSTREAM/status" "$FIXED_RATE")
FR_PROXY=$(fixed_rate "nginx proxy" "http://127.0.0.1:$PROXY$API_PATH" "$FIXED_RATE")
say "fixed rate at a busy kabupaten's peak: $PEAK_RATE req/s, ${FIXED_SECONDS} s each"
PEAK_FULL=$(fixed_rate "Gerbang full chain at $PEAK_RATE req/s" "$GATEWAY_URL" "$PEAK_RATE" "$AUTH")
PEAK_DIRECT=$(fixed_rate "direct at $PEAK_RATE req/s" "http://127.0.0.1:$UPSTREAM/status" "$PEAK_RATE")
PEAK_PROXY=$(fixed_rate "nginx proxy at $PEAK_RATE req/s" "http://127.0.0.1:$PROXY$API_PATH" "$PEAK_RATE")
stop_gateway

# The same full chain with its trail, registry and rate-limit budgets on PostgreSQL, as in production.
start_postgres $POSTGRES
mkdir -p "$WORK/gerbang-full-pg"
cp -r "$WORK/gerbang-full/routes" "$WORK/gerbang-full-pg/"
gerbang_target "$L_FULL_PG" gerbang-full-pg --spring.datasource.url="$PG_URL" --spring.datasource.username=gerbang \
  --spring.datasource.password=
warm_up "$L_FULL_PG" "$GATEWAY_URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
measure_target "$L_FULL_PG" "$GATEWAY_URL" "$AUTH" "${WARMUP_SECONDS} s$WARMUP_NOTE"
FR_FULL_PG=$(fixed_rate "Gerbang full chain on PostgreSQL" "$GATEWAY_URL" "$FIXED_RATE" "$AUTH")
PEAK_FULL_PG=$(fixed_rate "Gerbang full chain on PostgreSQL at $PEAK_RATE req/s" "$GATEWAY_URL" "$PEAK_RATE" "$AUTH")
stop_gateway
stop_postgres

PEER_URL="http://127.0.0.1:$SCG$API_PATH"
say "target: $L_SCG (starting)"
start_peer scg-open
expect_status 200 "$PEER_URL"
warm_up "$L_SCG" "$PEER_URL" "" "$CONNECTIONS" "$MAX_WARMUP"
measure_target "$L_SCG" "$PEER_URL" "" "${WARMUP_SECONDS} s$WARMUP_NOTE"
stop_peer

say "target: $L_SCG_JWT (starting)"
start_peer scg-jwt --spring.profiles.active=jwt --peer.jwk-set-uri="http://127.0.0.1:$UPSTREAM/jwks.json" --peer.issuer="$ISSUER"
expect_status 200 "$PEER_URL" "$AUTH"
expect_status 401 "$PEER_URL"
warm_up "$L_SCG_JWT" "$PEER_URL" "$AUTH" "$CONNECTIONS" "$MAX_WARMUP"
measure_target "$L_SCG_JWT" "$PEER_URL" "$AUTH" "${WARMUP_SECONDS} s$WARMUP_NOTE"
stop_peer

say "nginx reverse proxy again, to see how far the machine drifted during the run"
DRIFT=$(measure "http://127.0.0.1:$PROXY$API_PATH" "$DURATION" "$CONNECTIONS" | awk '{print $1}')

D=$(row_of "$L_DIRECT") P=$(row_of "$L_PROXY")
echo "| target | req/s | p50 ms | p99 ms | p99.9 ms | vs nginx proxy | vs nginx alongside | vs direct | warm-up |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for i in "${!LABELS[@]}"; do
  along=""
  [ -z "${ALONG[$i]}" ] || along="$(ratio "${RPS[$i]}" "${ALONG[$i]}") (${ALONG[$i]})"
  echo "| ${LABELS[$i]} | ${RPS[$i]} | ${P50[$i]} | ${P99[$i]} | ${P999[$i]} | $(ratio "${RPS[$i]}" "${RPS[$P]}") | $along | $(ratio "${RPS[$i]}" "${RPS[$D]}") | ${WARM[$i]:--} |"
done
echo
echo "\"vs nginx alongside\": against the nginx proxy measured once right after that target (its req/s in brackets)."
echo
F=$(row_of "$L_FULL") S=$(row_of "$L_SCG") J=$(row_of "$L_SCG_JWT")
echo "Fixed rate, $FIXED_RATE req/s (half of the full chain's maximum) for ${FIXED_SECONDS} s on $CONNECTIONS connections, latency from each request's intended send time (bench/FixedRate.java):"
echo
echo "| target | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | p99 added vs direct |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for pair in "upstream called directly|$FR_DIRECT" "nginx reverse proxy|$FR_PROXY" "Gerbang: full chain (H2)|$FR_FULL" \
    "Gerbang: full chain on PostgreSQL|$FR_FULL_PG"; do
  l=${pair%%|*} r=${pair#*|}
  echo "| $l | $(field p50 "$r") | $(field p90 "$r") | $(field p99 "$r") | $(field p99.9 "$r") | $(field max "$r") | $(field errors "$r") | $(awk -v a="$(field p99 "$r")" -v b="$(field p99 "$FR_DIRECT")" 'BEGIN { printf "%.2f", a - b }') |"
done
echo
echo "Fixed rate, $PEAK_RATE req/s (a busy kabupaten's peak) for ${FIXED_SECONDS} s on $CONNECTIONS connections, the same way:"
echo
echo "| target | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | p99 added vs direct | p99.9 added vs direct |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for pair in "upstream called directly|$PEAK_DIRECT" "nginx reverse proxy|$PEAK_PROXY" "Gerbang: full chain (H2)|$PEAK_FULL" \
    "Gerbang: full chain on PostgreSQL|$PEAK_FULL_PG"; do
  l=${pair%%|*} r=${pair#*|}
  echo "| $l | $(field p50 "$r") | $(field p90 "$r") | $(field p99 "$r") | $(field p99.9 "$r") | $(field max "$r") | $(field errors "$r") | $(added p99 "$r" "$PEAK_DIRECT") | $(added p99.9 "$r" "$PEAK_DIRECT") |"
done
echo
echo "Reading (the product's bars in brackets; reported, not asserted):"
echo
G=$(row_of "$L_FULL_PG")
echo "- full chain / nginx proxy: $(ratio "${RPS[$F]}" "${RPS[$P]}"), against nginx measured alongside $(ratio "${RPS[$F]}" "${ALONG[$F]}") (bar: at least 0.30)"
echo "- full chain on PostgreSQL / nginx proxy: $(ratio "${RPS[$G]}" "${RPS[$P]}"), against nginx measured alongside $(ratio "${RPS[$G]}" "${ALONG[$G]}")"
norm() { awk -v a="$1" -v na="$2" -v b="$3" -v nb="$4" 'BEGIN { printf "%.2f", (a / na) / (b / nb) }'; }
echo "- full chain / Spring Cloud Gateway MVC without auth: $(ratio "${RPS[$F]}" "${RPS[$S]}"), each first divided by nginx measured alongside $(norm "${RPS[$F]}" "${ALONG[$F]}" "${RPS[$S]}" "${ALONG[$S]}") (bar: about 1)"
echo "- full chain / Spring Cloud Gateway MVC with JWT validation: $(ratio "${RPS[$F]}" "${RPS[$J]}"), each first divided by nginx measured alongside $(norm "${RPS[$F]}" "${ALONG[$F]}" "${RPS[$J]}" "${ALONG[$J]}") (bar: 3)"
echo "- p99 added by the full chain at half load: $(awk -v a="$(field p99 "$FR_FULL")" -v b="$(field p99 "$FR_DIRECT")" 'BEGIN { printf "%.2f", a - b }') ms on H2, $(awk -v a="$(field p99 "$FR_FULL_PG")" -v b="$(field p99 "$FR_DIRECT")" 'BEGIN { printf "%.2f", a - b }') ms on PostgreSQL (bar: at most 3 ms)"
echo "- p99 added by the full chain at $PEAK_RATE req/s: $(added p99 "$PEAK_FULL" "$PEAK_DIRECT") ms on H2, $(added p99 "$PEAK_FULL_PG" "$PEAK_DIRECT") ms on PostgreSQL (bar: at most 1.5 ms); p99.9 added $(added p99.9 "$PEAK_FULL" "$PEAK_DIRECT") and $(added p99.9 "$PEAK_FULL_PG" "$PEAK_DIRECT") ms"
echo "- rate limit: $RATE_LIMIT_NOTE"
if grep -l OutOfMemoryError "$WORK"/*/*.log > /dev/null 2>&1; then
  echo "- heap: OutOfMemoryError in $(grep -l OutOfMemoryError "$WORK"/*/*.log | xargs -n1 dirname | xargs -n1 basename | tr '\n' ' ')"
else
  echo "- heap: every JVM ran in ${JVM_OPTS[*]}, no OutOfMemoryError in any log"
fi
echo "- nginx proxy at the start ${RPS[$P]} req/s, at the end $DRIFT req/s; load average at the start $LOAD_AT_START, at the end $(uptime | sed 's/.*load average: //')"
echo "- wall time: $(( ($(date +%s) - STARTED) / 60 )) min"

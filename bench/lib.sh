# Shared helpers of the benchmark scripts: loopback only, processes started here are stopped here.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="$ROOT/gateway/target/gerbang.jar"
WORK=$(mktemp -d /tmp/gerbang-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

need_tools() {
  if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "bench: installing wrk and nginx from Debian's packages" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk nginx >/dev/null; else sudo apt-get install -y -qq wrk nginx >/dev/null; fi
  fi
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  if [ ! -f "$JAR" ]; then
    echo "bench: building the gateway" >&2
    (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
  fi
}

# A trivial upstream: a fixed JSON answer, as an OPD service that answers at once.
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
  local deadline=$(( $(date +%s) + ${2:-90} ))
  until curl -fs -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "bench: $1 did not come up" >&2; return 1; }
    sleep 0.5
  done
}

# Starts the packaged gateway with one route to the upstream; extra arguments are passed on.
start_gateway() { # name port upstream-port [args...]
  local name=$1 port=$2 upstream=$3; shift 3
  mkdir -p "$WORK/$name/routes"
  cat > "$WORK/$name/routes/bench.yaml" <<YAML
id: bench-status-pajak
owner: bapenda
path: /bench/status-pajak
upstream: { url: "http://127.0.0.1:$upstream/status" }
access: { opds: [dinkes] }
YAML
  java -Xms512m -Xmx512m -jar "$JAR" --server.port="$port" --gerbang.data-dir="$WORK/$name/data" \
    --gerbang.sandbox.enabled=false --gerbang.routes.directory="$WORK/$name/routes" \
    --gerbang.issuer.token-ttl=3h --logging.level.root=WARN "$@" > "$WORK/$name/gateway.log" 2>&1 &
  PIDS+=($!)
  GATEWAY_PID=$!
  wait_http "http://127.0.0.1:$port/actuator/health"
}

stop_gateway() {
  kill "$GATEWAY_PID" 2>/dev/null || true
  wait "$GATEWAY_PID" 2>/dev/null || true
}

token() { # port
  curl -fs -u dinkes-simpus:dinkes-simpus-secret -d grant_type=client_credentials "http://127.0.0.1:$1/oauth2/token" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}

# wrk at fixed concurrency; prints "req/s p50_ms p99_ms"
measure() { # url seconds connections [header]
  local out
  if [ -n "${4:-}" ]; then
    out=$(wrk -t1 -c"$3" -d"$2"s --latency -H "$4" "$1")
  else
    out=$(wrk -t1 -c"$3" -d"$2"s --latency "$1")
  fi
  if echo "$out" | grep -q "Non-2xx"; then
    echo "bench: non-2xx answers from $1:" >&2; echo "$out" >&2; return 1
  fi
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $(ms "$p50") $(ms "$p99")"
}

ms() { # wrk duration (123.45us, 1.23ms, 1.02s) in milliseconds
  echo "$1" | awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 } printf "%.2f", v }'
}

# Loads a JVM in slices until its throughput stops rising (the JIT needs minutes on 2 cores).
warm_up() { # label url header connections max-seconds
  local label=$1 url=$2 header=$3 conns=$4 max=$5 slice=20 spent=0 last=0 rps
  while [ "$spent" -lt "$max" ]; do
    rps=$(measure "$url" "$slice" "$conns" "$header" | awk '{print $1}')
    spent=$((spent + slice))
    echo "  warm-up $label: ${spent}s ${rps} req/s" >&2
    if awk -v a="$rps" -v b="$last" 'BEGIN { exit !(b > 0 && a < b * 1.03) }'; then break; fi
    last=$rps
  done
  echo "  $label warmed up after ${spent}s" >&2
  WARMUP_SECONDS=$spent
}

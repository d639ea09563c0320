#!/usr/bin/env bash
# What a composed call costs against a plain forward: one gateway, one nginx upstream; the plain route
# forwards GET /api/bench/penduduk/<nik> to it, the composite GET /api/bench/profil/<nik> calls two parts
# (that route and a tax-status route on the same upstream) in parallel and merges their JSON. A composed call
# makes two upstream calls and three trail records where a forward makes one and one.
# A short mode only: a smoke-sized measurement on a shared machine, reported as a ratio, never asserted.
#
#   bench/compose.sh [--duration 10] [--connections 16] [--max-warmup 60] [--repeat 2]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=10 CONNECTIONS=16 MAX_WARMUP=60 REPEAT=2
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --max-warmup) MAX_WARMUP=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "usage: $0 [--duration s] [--connections n] [--max-warmup s] [--repeat n]" >&2; exit 2 ;;
  esac
done

UPSTREAM_PORT=18284 GATEWAY_PORT=18184
NIK=1404015708900001
need_tools

cat > "$WORK/upstream.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    location /siak/penduduk/ {
      default_type application/json;
      return 200 '{"nik":"$NIK","nama_lengkap":"Siti Rahmawati","jenis_kelamin":"PEREMPUAN","tempat_lahir":"Pangkalan Kerinci","tanggal_lahir":"1990-08-17","kecamatan":"Pangkalan Kerinci"}';
    }
    location /sipd/status-pajak {
      default_type application/json;
      return 200 '{"nik":"$NIK","status":"LUNAS","keterangan":"Tidak ada tunggakan PBB-P2 dan BPHTB","tahun_pajak_terakhir":2026}';
    }
  }
}
CONF
"$NGINX" -c "$WORK/upstream.conf"
wait_http "http://127.0.0.1:$UPSTREAM_PORT/siak/penduduk/$NIK"

mkdir -p "$WORK/gerbang/routes"
cat > "$WORK/gerbang/routes/penduduk.yaml" <<YAML
id: bench-penduduk
owner: disdukcapil
path: /bench/penduduk
upstream: { url: "http://127.0.0.1:$UPSTREAM_PORT/siak/penduduk" }
access: { opds: [dinkes] }
YAML
cat > "$WORK/gerbang/routes/pajak.yaml" <<YAML
id: bench-pajak
owner: bapenda
path: /bench/pajak
upstream: { url: "http://127.0.0.1:$UPSTREAM_PORT/sipd/status-pajak" }
access: { opds: [dinkes] }
YAML
cat > "$WORK/gerbang/routes/profil.yaml" <<YAML
id: bench-profil
owner: diskominfo
path: /bench/profil
access: { opds: [dinkes] }
compose:
  params: [nik]
  parts:
    - { name: penduduk, route: bench-penduduk, path: "/{nik}" }
    - { name: pajak, route: bench-pajak, query: { nik: "{nik}" } }
YAML

echo "# A composed call against a plain forward (bench/compose.sh, short mode)"
echo
machine
start_gateway gerbang "$GATEWAY_PORT" "$UPSTREAM_PORT"
AUTH="Authorization: Bearer $(token "$GATEWAY_PORT")"
PLAIN="http://127.0.0.1:$GATEWAY_PORT/api/bench/penduduk/$NIK"
COMPOSED="http://127.0.0.1:$GATEWAY_PORT/api/bench/profil/$NIK"
curl -fs -H "$AUTH" "$COMPOSED" | grep -q '"pajak":{"nik"' \
  || { echo "bench: the composite does not answer as it should" >&2; exit 1; }

for round in 1 2; do
  warm_up "plain (round $round)" "$PLAIN" "$AUTH" "$CONNECTIONS" $((MAX_WARMUP / 2))
  warm_up "composed (round $round)" "$COMPOSED" "$AUTH" "$CONNECTIONS" $((MAX_WARMUP / 2))
done

echo "- $DURATION s per measurement, $CONNECTIONS connections, alternated $REPEAT times; trail on (H2), as shipped"
echo
echo "| route | req/s | p50 ms | p99 ms | p99.9 ms |"
echo "|---|---|---|---|---|"
plain_sum=0 composed_sum=0
for i in $(seq "$REPEAT"); do
  read -r rps p50 p99 p999 < <(measure "$PLAIN" "$DURATION" "$CONNECTIONS" "$AUTH")
  echo "| plain forward, run $i | $rps | $p50 | $p99 | $p999 |"
  plain_sum=$((plain_sum + rps))
  read -r rps p50 p99 p999 < <(measure "$COMPOSED" "$DURATION" "$CONNECTIONS" "$AUTH")
  echo "| composite of 2 parts, run $i | $rps | $p50 | $p99 | $p999 |"
  composed_sum=$((composed_sum + rps))
done
echo
awk -v c="$composed_sum" -v p="$plain_sum" 'BEGIN { printf "composed / plain throughput: %.2f (calls answered; a composed call is two upstream calls)\n", c / p }'
stop_gateway

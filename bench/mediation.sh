#!/usr/bin/env bash
# What SOAP mediation costs against a plain forward: one gateway, two routes to the same nginx upstream,
# the same JSON POST from the same client; one forwards it as it is (the upstream answers JSON), the other
# (mediation.soap, SOAP 1.1) writes it into an envelope and reads the upstream's SOAP answer back into JSON.
# A short mode only: a smoke-sized measurement on a shared machine, reported as a ratio, never asserted.
#
#   bench/mediation.sh [--duration 10] [--connections 16] [--max-warmup 60] [--repeat 2]
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

UPSTREAM_PORT=18283 GATEWAY_PORT=18183
need_tools

# the upstream: a JSON answer for the plain route, a SOAP 1.1 answer of the same data for the mediated one
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
    location /pegawai {
      default_type application/json;
      return 200 '{"pegawai":{"nip":"197802122005011003","nama":"Hendra Saputra, S.Kom","golongan":"III/c","jabatan":"Pranata Komputer Ahli Muda","unitKerja":"Dinas Komunikasi dan Informatika Kabupaten Pelalawan"}}';
    }
    location /simpeg {
      default_type 'text/xml; charset=utf-8';
      return 200 '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:getPegawaiByNipResponse xmlns:ns2="http://bkpsdm.pelalawankab.go.id/simpeg"><pegawai><nip>197802122005011003</nip><nama>Hendra Saputra, S.Kom</nama><golongan>III/c</golongan><jabatan>Pranata Komputer Ahli Muda</jabatan><unitKerja>Dinas Komunikasi dan Informatika Kabupaten Pelalawan</unitKerja></pegawai></ns2:getPegawaiByNipResponse></soap:Body></soap:Envelope>';
    }
  }
}
CONF
"$NGINX" -c "$WORK/upstream.conf"
wait_http "http://127.0.0.1:$UPSTREAM_PORT/pegawai"

mkdir -p "$WORK/gerbang/routes"
cat > "$WORK/gerbang/routes/plain.yaml" <<YAML
id: bench-pegawai-json
owner: bkpsdm
path: /bench/pegawai-json
methods: [POST]
upstream: { url: "http://127.0.0.1:$UPSTREAM_PORT/pegawai" }
access: { opds: [dinkes] }
YAML
cat > "$WORK/gerbang/routes/soap.yaml" <<YAML
id: bench-pegawai-soap
owner: bkpsdm
path: /bench/pegawai-soap
methods: [POST]
upstream: { url: "http://127.0.0.1:$UPSTREAM_PORT/simpeg/ws/PegawaiService" }
access: { opds: [dinkes] }
maxBodyBytes: 65536
mediation:
  soap: { version: "1.1", namespace: "http://bkpsdm.pelalawankab.go.id/simpeg", operation: getPegawaiByNip, soapAction: "urn:getPegawaiByNip" }
YAML
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"nip":"197802122005011003"}'
wrk.headers["Content-Type"] = "application/json"
$(cat "$BENCH/latency.lua")
LUA
export WRK_SCRIPT="$WORK/post.lua"

echo "# Mediation against a plain forward (bench/mediation.sh, short mode)"
echo
machine
start_gateway gerbang "$GATEWAY_PORT" "$UPSTREAM_PORT"
AUTH="Authorization: Bearer $(token "$GATEWAY_PORT")"
PLAIN="http://127.0.0.1:$GATEWAY_PORT/api/bench/pegawai-json"
SOAP="http://127.0.0.1:$GATEWAY_PORT/api/bench/pegawai-soap"
curl -fs -H "$AUTH" -H 'Content-Type: application/json' -d '{"nip":"197802122005011003"}' "$SOAP" | grep -q '"nama":"Hendra Saputra' \
  || { echo "bench: the SOAP route does not answer as it should" >&2; exit 1; }

# both routes run in one JVM: warm them up in turn until neither rises any more
for round in 1 2; do
  warm_up "plain (round $round)" "$PLAIN" "$AUTH" "$CONNECTIONS" $((MAX_WARMUP / 2))
  warm_up "soap (round $round)" "$SOAP" "$AUTH" "$CONNECTIONS" $((MAX_WARMUP / 2))
done

echo "- $DURATION s per measurement, $CONNECTIONS connections, alternated $REPEAT times; trail on (H2), as shipped"
echo
echo "| route | req/s | p50 ms | p99 ms | p99.9 ms |"
echo "|---|---|---|---|---|"
plain_sum=0 soap_sum=0
for i in $(seq "$REPEAT"); do
  read -r rps p50 p99 p999 < <(measure "$PLAIN" "$DURATION" "$CONNECTIONS" "$AUTH")
  echo "| plain forward (JSON upstream), run $i | $rps | $p50 | $p99 | $p999 |"
  plain_sum=$((plain_sum + rps))
  read -r rps p50 p99 p999 < <(measure "$SOAP" "$DURATION" "$CONNECTIONS" "$AUTH")
  echo "| mediation.soap 1.1, run $i | $rps | $p50 | $p99 | $p999 |"
  soap_sum=$((soap_sum + rps))
done
echo
awk -v s="$soap_sum" -v p="$plain_sum" 'BEGIN { printf "mediated / plain throughput: %.2f\n", s / p }'
stop_gateway

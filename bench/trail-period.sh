#!/usr/bin/env bash
# What an auditor's period costs on a large trail: a store filled with a valid trail of two nodes
# (bench/TrailFill.java, the gateway's own hashing and migrations), then the gateway on it, and
# GET /audit/verify and GET /audit/export (NDJSON) of one hour in the middle, timed with curl. On H2 (the
# standalone default's file database) and on PostgreSQL (production's store, the tests' PostgreSQL 17
# binaries). A period must cost what it holds, not what the trail holds.
#
#   bench/trail-period.sh [--records 1000000] [--per-hour 6000] [--repeat 3]
source "$(dirname "$0")/lib.sh"

RECORDS=1000000 PER_HOUR=6000 REPEAT=3
while [ $# -gt 0 ]; do
  case $1 in
    --records) RECORDS=$2; shift 2 ;;
    --per-hour) PER_HOUR=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "usage: $0 [--records n] [--per-hour n] [--repeat n]" >&2; exit 2 ;;
  esac
done
[ -f "$JAR" ] || { echo "bench: build the gateway first (gateway/target/gerbang.jar)" >&2; exit 1; }

GATEWAY=18290 POSTGRES=15433 NODES=bench-1,bench-2
START=2026-11-01T00:00:00Z
SPACING=$(( 3600000 / PER_HOUR ))
# one hour in the middle of the trail
HOURS=$(( RECORDS / PER_HOUR ))
FROM=$(date -u -d "$START + $(( HOURS / 2 )) hours" +%Y-%m-%dT%H:%M:%SZ)
TO=$(date -u -d "$FROM + 1 hour" +%Y-%m-%dT%H:%M:%SZ)

java -Djarmode=tools -jar "$JAR" extract --destination "$WORK/jar" > /dev/null
CP="$WORK/jar/gerbang.jar:$WORK/jar/lib/*"
fill() { # url user
  java -Xmx1g -cp "$CP" "$BENCH/TrailFill.java" "$1" "$2" "" "$NODES" "$RECORDS" "$SPACING" "$START"
}

# seconds and the figure the answer carries (records checked, or lines exported)
timed() { # label url
  local t out
  for i in $(seq "$REPEAT"); do
    out=$(curl -s -o "$WORK/answer" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $AUDIT" "$2")
    read -r code t <<<"$out"
    [ "$code" = 200 ] || { echo "bench: $1 answered $code: $(head -c 300 "$WORK/answer")" >&2; return 1; }
    case $1 in
      verify) figure=$(sed -E 's/.*"checked":([0-9]+).*/\1/' "$WORK/answer")
              grep -q '"valid":true' "$WORK/answer" || { echo "bench: not valid: $(cat "$WORK/answer")" >&2; return 1; } ;;
      export) figure=$(wc -l < "$WORK/answer") ;;
    esac
    echo "$1 $t $figure"
  done
}

measure_store() { # name [gateway args...]
  local name=$1; shift
  start_gateway "$name" $GATEWAY 1 --gerbang.node=bench-1 --gerbang.trail.nodes=$NODES "$@"
  AUDIT=$(curl -fs -u inspektorat-audit:inspektorat-audit-secret -d grant_type=client_credentials \
    "http://127.0.0.1:$GATEWAY/oauth2/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  local base="http://127.0.0.1:$GATEWAY/audit"
  timed verify "$base/verify?from=$FROM&to=$TO" | sed "s/^/$name /"
  timed export "$base/export?format=ndjson&from=$FROM&to=$TO" | sed "s/^/$name /"
  stop_gateway
}

machine_short() {
  echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) memory"
  echo "- JDK: $(java -version 2>&1 | head -1); load (uptime): $(uptime | sed 's/.*load average/load average/')"
}
machine_short >&2
echo "bench: $RECORDS records of $NODES, $PER_HOUR an hour from $START; the period [$FROM, $TO)" >&2

RESULTS=$WORK/results
mkdir -p "$WORK/h2/data"
fill "jdbc:h2:file:$WORK/h2/data/gerbang;CACHE_SIZE=262144" gerbang
measure_store h2 >> "$RESULTS"

start_postgres $POSTGRES
fill "$PG_URL" gerbang
measure_store postgresql --spring.datasource.url="$PG_URL" --spring.datasource.username=gerbang --spring.datasource.password= >> "$RESULTS"
stop_postgres

echo
echo "| store | records in the trail | request | records in the answer | seconds (each of $REPEAT runs) |"
echo "|---|---:|---|---:|---|"
for store in h2 postgresql; do
  for what in verify export; do
    times=$(awk -v s=$store -v w=$what '$1==s && $2==w {printf "%s%.3f", (n++ ? ", " : ""), $3}' "$RESULTS")
    figure=$(awk -v s=$store -v w=$what '$1==s && $2==w {f=$4} END {print f}' "$RESULTS")
    echo "| $store | $RECORDS | $what of one hour | $figure | $times |"
  done
done

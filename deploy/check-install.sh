#!/usr/bin/env bash
# Checks the install files: the systemd unit, the OCI image when it has been built, and Prometheus's
# configuration and alert rules when promtool is on the machine.
#
#   deploy/check-install.sh [UNIT] [IMAGE_TAR]
#
# UNIT defaults to deploy/systemd/gerbang.service; IMAGE_TAR to gateway/target/gerbang-image.tar (built by
# `./mvnw -Pimage -pl gateway -am -DskipTests package`), checked only when present. Exits non-zero and names
# every failed check. Run by integration-tests' InstallFilesIT; needs bash and python3 (systemd-analyze is
# used when the machine has it, and promtool).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
unit="${1:-$here/systemd/gerbang.service}"
image="${2:-$here/../gateway/target/gerbang-image.tar}"
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }

[ -f "$unit" ] || { echo "FAIL: no unit file at $unit"; exit 1; }

# ---------------------------------------------------------------------------------- the unit, by systemd
if command -v systemd-analyze >/dev/null 2>&1; then
  # a copy named gerbang.service, so that verify reads it as that unit whatever the file is called
  tmp=$(mktemp -d)
  cp "$unit" "$tmp/gerbang.service"
  if out=$(systemd-analyze verify "$tmp/gerbang.service" 2>&1) && [ -z "$out" ]; then
    ok "systemd-analyze verify: no complaint"
  else
    fail "systemd-analyze verify: $out"
  fi
  rm -rf "$tmp"
else
  echo "skip: systemd-analyze is not on this machine; the unit's options are checked below only"
fi

# ---------------------------------------------------------------------------------- the unit's options
# the value of KEY in section [Service] (last one wins, as in systemd), or nothing
value() {
  awk -v key="$1" '
    /^\[/ { section = $0; next }
    section == "[Service]" && index($0, key "=") == 1 { v = substr($0, length(key) + 2) }
    END { print v }' "$unit"
}
# every Environment= assignment NAME=VALUE of the unit, one a line
unit_env() {
  awk '/^\[/ { section = $0; next } section == "[Service]" && /^Environment=/ { sub(/^Environment=/, ""); gsub(/^"|"$/, ""); print }' "$unit"
}
expect() { # KEY EXPECTED
  local v; v=$(value "$1")
  if [ "$v" = "$2" ]; then ok "$1=$2"; else fail "$1 is '${v}', expected '$2'"; fi
}

user=$(value User)
if [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ]; then ok "User=$user (not root)"; else fail "User is '${user}': a dedicated user, not root"; fi
expect NoNewPrivileges yes
expect ProtectSystem strict
expect PrivateTmp yes
expect ProtectHome yes
expect Restart on-failure
expect EnvironmentFile /etc/gerbang/gerbang.env
expect CapabilityBoundingSet ""
data_dir=$(unit_env | sed -n 's/^GERBANG_DATA_DIR=//p' | tail -1)
if [ -n "$data_dir" ] && value ReadWritePaths | tr ' ' '\n' | grep -qx -- "$data_dir"; then
  ok "ReadWritePaths holds the data directory $data_dir"
else
  fail "ReadWritePaths ('$(value ReadWritePaths)') must hold the data directory GERBANG_DATA_DIR ('$data_dir')"
fi
if unit_env | grep -qx 'SPRING_PROFILES_ACTIVE=production'; then ok "the production profile"; else fail "Environment=SPRING_PROFILES_ACTIVE=production is missing"; fi
if unit_env | grep -q '^GERBANG_SECRETS_DIR=/'; then ok "gerbang.secrets.dir is set"; else fail "Environment=GERBANG_SECRETS_DIR=<absolute path> is missing"; fi

# the heap fits in the unit's memory limit, with room for the rest of the JVM
to_mib() { # 512m, 1G, 1024M, 2g -> MiB
  local n=${1%[kKmMgGtT]} u=${1: -1}
  case "$u" in k|K) echo $((n / 1024));; m|M) echo "$n";; g|G) echo $((n * 1024));; t|T) echo $((n * 1024 * 1024));; *) echo $((n / 1048576));; esac
}
mem=$(value MemoryMax)
xmx=$(unit_env | grep -o -- '-Xmx[0-9]*[kKmMgG]' | tail -1)
if [ -z "$mem" ] || [ -z "$xmx" ]; then
  fail "MemoryMax ('$mem') and a -Xmx in JAVA_OPTS ('$xmx') must both be set"
elif [ $(( $(to_mib "${xmx#-Xmx}") * 4 )) -le $(( $(to_mib "$mem") * 3 )) ]; then
  ok "heap $xmx is at most 3/4 of MemoryMax=$mem"
else
  fail "heap $xmx leaves too little of MemoryMax=$mem for the rest of the JVM (at most 3/4)"
fi
if value ExecStart | grep -q -- '\$JAVA_OPTS'; then ok "ExecStart passes JAVA_OPTS"; else fail "ExecStart does not pass \$JAVA_OPTS"; fi

# ---------------------------------------------------------------------------------- the image
if [ -f "$image" ]; then
  if out=$(UNIT_ENV="$(unit_env)" python3 - "$image" <<'PY'
import json, os, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    manifest = json.load(t.extractfile("manifest.json"))
    config = json.load(t.extractfile(manifest[0]["Config"]))["config"]
env = dict(e.split("=", 1) for e in config.get("Env") or [])
unit = dict(l.split("=", 1) for l in os.environ["UNIT_ENV"].splitlines() if "=" in l)
problems = []
user = (config.get("User") or "").split(":")[0]
if user in ("", "0", "root"):
    problems.append("the image runs as '%s': it must name a non-root user" % config.get("User"))
for key in ("SPRING_PROFILES_ACTIVE", "GERBANG_DATA_DIR", "GERBANG_SECRETS_DIR", "GERBANG_ROUTES_DIRECTORY"):
    if env.get(key) != unit.get(key):
        problems.append("%s is '%s' in the image and '%s' in the unit" % (key, env.get(key), unit.get(key)))
if "8080/tcp" not in (config.get("ExposedPorts") or {}):
    problems.append("port 8080 is not exposed")
entry = config.get("Entrypoint") or []
if "-XX:+ExitOnOutOfMemoryError" not in entry:
    problems.append("the entrypoint lacks -XX:+ExitOnOutOfMemoryError")
if not any(a.startswith("-Xmx") or a.startswith("-XX:MaxRAMPercentage=") for a in entry):
    problems.append("the entrypoint sets no heap limit (-Xmx or -XX:MaxRAMPercentage)")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
  ); then
    ok "image $(basename "$image"): non-root, the unit's settings, port 8080, a heap limit"
  else
    while IFS= read -r line; do fail "image: $line"; done <<<"$out"
  fi
else
  echo "skip: no image at $image (build it with ./mvnw -Pimage -pl gateway -am -DskipTests package)"
fi

# ---------------------------------------------------------------------------------- Prometheus's files
if command -v promtool >/dev/null 2>&1; then
  if out=$(cd "$here/prometheus" && promtool check config prometheus.yml 2>&1); then
    ok "promtool check config: prometheus.yml and its alert rules"
  else
    fail "promtool check config: $out"
  fi
  if out=$(cd "$here/prometheus" && promtool test rules gerbang-alerts-test.yml 2>&1); then
    ok "promtool test rules: each alert fires when it should"
  else
    fail "promtool test rules: $out"
  fi
else
  echo "skip: promtool is not on this machine (Debian: apt-get install prometheus); the alert rules are not checked"
fi

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "every check passed"

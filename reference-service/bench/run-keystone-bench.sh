#!/usr/bin/env bash
# What Keystone authentication adds to a list request once the token's validation is cached:
# GET /v3/os-services at 3.49 with wrk against the service jar with noauth, then with
# auth_strategy = keystone and a token validated once (the first request), same backends (50
# SIMULATED arrays), same wrk settings. Prints wrk's latency distribution for both.
#
#   bash .ci/keystone.sh start && bash reference-service/bench/run-keystone-bench.sh
#
# Needs: the built jar (mvn -f reference-service/pom.xml package), Debian's wrk, python3, curl, the
# Keystone started by .ci/keystone.sh (its tokens live 20 s there, so one run lasts WRK_DURATION=10s).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar="$here/../target/reference-service.jar"
[ -f "$jar" ] || { echo "Build first: mvn -f reference-service/pom.xml package" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
envfile=${CINDERBLOCK_KEYSTONE_DIR:-/tmp/cinderblock-keystone}/env
[ -f "$envfile" ] || { echo "No Keystone: bash .ci/keystone.sh start" >&2; exit 1; }
# shellcheck disable=SC1090
source "$envfile"
n=${BACKENDS:-50}
duration=${WRK_DURATION:-10s}
connections=${WRK_CONNECTIONS:-4}
threads=${WRK_THREADS:-1}
java_opts=${JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}

# shellcheck source=common.sh
source "$here/common.sh"
with_work_dir

# A token for the admin user, logged in with its password; prints "TOKEN PROJECT_ID".
login() {
  python3 - <<'PY'
import json, os, urllib.request
body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": os.environ["CINDERBLOCK_KEYSTONE_ADMIN_USER"], "domain": {"id": "default"},
    "password": os.environ["CINDERBLOCK_KEYSTONE_ADMIN_PASSWORD"]}}},
    "scope": {"project": {"name": os.environ["CINDERBLOCK_KEYSTONE_ADMIN_PROJECT"], "domain": {"id": "default"}}}}}
r = urllib.request.urlopen(urllib.request.Request(os.environ["CINDERBLOCK_KEYSTONE_URL"] + "/auth/tokens",
    data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}), timeout=30)
print(r.headers["X-Subject-Token"], json.load(r)["token"]["project"]["id"])
PY
}

run() { # STRATEGY
  local strategy=$1 dir="$work/$1" api_port sim_port token project
  mkdir -p "$dir"; api_port=$(free_port); sim_port=$(free_port)
  {
    printf '[DEFAULT]\nhost = bench-host\nauth_strategy = %s\n' "$strategy"
    printf 'enabled_backends = '; seq -s, -f 'sim-%g' 0 $((n - 1)); echo
    printf 'osapi_volume_listen = 127.0.0.1\nosapi_volume_listen_port = %d\n' "$api_port"
    printf '[database]\nconnection = sqlite:///cinderblock.db\n'
    if [ "$strategy" = keystone ]; then
      printf '[keystone_authtoken]\nauth_url = %s\nusername = %s\npassword = %s\nproject_name = %s\n' \
        "$CINDERBLOCK_KEYSTONE_URL" "$CINDERBLOCK_KEYSTONE_SERVICE_USER" "$CINDERBLOCK_KEYSTONE_SERVICE_PASSWORD" \
        "$CINDERBLOCK_KEYSTONE_SERVICE_PROJECT"
    fi
    for i in $(seq 0 $((n - 1))); do
      printf '[sim-%d]\nvolume_driver = sim\nsim_port = %d\nsim_device = dev-%d\nsim_start_server = true\nsim_pools = pool-a=1000\n' \
        "$i" "$sim_port" "$i"
    done
  } > "$dir/cinder.conf"
  (cd "$dir" && exec java $java_opts -jar "$jar" --config-file "$dir/cinder.conf" serve > "$dir/service.log" 2>&1) &
  pid=$!
  for _ in $(seq 600); do
    curl -s -o /dev/null "http://127.0.0.1:$api_port/" && break
    sleep 0.2
  done
  sleep 5 # every backend reports
  # Logged in only now: the CI Keystone's tokens live 20 s.
  if [ "$strategy" = keystone ]; then read -r token project < <(login); else token=admin:admin; project=admin; fi
  local url="http://127.0.0.1:$api_port/v3/os-services"
  # Warm-up (JIT, and the one validation the keystone run caches), then the measured run.
  wrk -t"$threads" -c"$connections" -d2s -H "X-Auth-Token: $token" -H 'OpenStack-API-Version: volume 3.49' "$url" >/dev/null
  echo "== $strategy: wrk -t$threads -c$connections -d$duration --latency GET /v3/os-services (3.49, $n backends)"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "X-Auth-Token: $token" \
    -H 'OpenStack-API-Version: volume 3.49' "$url" | grep -E 'Latency|50%|75%|90%|99%|Requests/sec|Non-2xx'
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
run noauth
run keystone

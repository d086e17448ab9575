#!/usr/bin/env bash
# Benchmarks the reference service on loopback (see docs/performance.md for recorded figures).
#
#   bash reference-service/bench/run-bench.sh [BACKENDS...]      default: 50 1000
#
# For each backend count: generates a cinder.conf with that many SIMULATED backends (driver 'sim',
# one in-process simulator, sim_start_server = true), starts the service jar on a free port with a
# fresh SQLite file, waits until every backend reports, then measures
#   - GET /v3/os-services at microversion 3.49 with wrk (median and p99 latency, requests/s),
#   - the time from a simulated device failing to the list showing 'down' (5 trials),
#   - the service's resident memory (RSS).
# Needs: the built jar (mvn -f reference-service/pom.xml package), Debian's wrk, python3, curl.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar="$here/../target/reference-service.jar"
[ -f "$jar" ] || { echo "Build first: mvn -f reference-service/pom.xml package" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(50 1000)
duration=${WRK_DURATION:-15s}
connections=${WRK_CONNECTIONS:-16}
threads=${WRK_THREADS:-2}
java_opts=${JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}

# shellcheck source=common.sh
source "$here/common.sh"
with_work_dir

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), java $java_opts, wrk -t$threads -c$connections -d$duration"
for n in "${counts[@]}"; do
  dir="$work/$n"; mkdir -p "$dir"
  api_port=$(free_port); sim_port=$(free_port)
  {
    echo "[DEFAULT]"
    echo "host = bench-host"
    printf 'enabled_backends = '; seq -s, -f 'sim-%g' 0 $((n - 1)); echo
    echo "osapi_volume_listen = 127.0.0.1"
    echo "osapi_volume_listen_port = $api_port"
    echo "backend_probe_threads = 16"
    echo "[database]"
    echo "connection = sqlite:///cinderblock.db"
    for i in $(seq 0 $((n - 1))); do
      printf '[sim-%d]\nvolume_driver = sim\nsim_port = %d\nsim_device = dev-%d\nsim_start_server = true\nsim_pools = pool-a=1000\n' \
        "$i" "$sim_port" "$i"
    done
  } > "$dir/cinder.conf"

  java $java_opts -jar "$jar" --config-file "$dir/cinder.conf" serve > "$dir/service.log" 2>&1 &
  pid=$!
  # Wait until every volume service reports a backend_state (at most 120 s).
  python3 - "$api_port" "$n" <<'PY'
import json, sys, time, urllib.request
port, n = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while True:
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v3/os-services",
            headers={"X-Auth-Token": "admin:admin", "OpenStack-API-Version": "volume 3.49"})
        services = json.load(urllib.request.urlopen(req, timeout=5))["services"]
        if sum(1 for s in services if s.get("backend_state") == "up") == n:
            break
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit("backends did not all report within 120 s")
    time.sleep(0.2)
PY
  echo
  echo "== $n backends =="
  curl -s -o /dev/null -w 'response size: %{size_download} bytes\n' -H 'X-Auth-Token: admin:admin' \
    -H 'OpenStack-API-Version: volume 3.49' "http://127.0.0.1:$api_port/v3/os-services"
  # Warm-up, then the measured run.
  wrk -t"$threads" -c"$connections" -d5s -H 'X-Auth-Token: admin:admin' -H 'OpenStack-API-Version: volume 3.49' \
    "http://127.0.0.1:$api_port/v3/os-services" > /dev/null
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -H 'X-Auth-Token: admin:admin' \
    -H 'OpenStack-API-Version: volume 3.49' "http://127.0.0.1:$api_port/v3/os-services" \
    | grep -E 'Latency|50%|90%|99%|Requests/sec|requests in'
  # Single-connection latency (no queueing behind other connections).
  wrk -t1 -c1 -d5s --latency -H 'X-Auth-Token: admin:admin' -H 'OpenStack-API-Version: volume 3.49' \
    "http://127.0.0.1:$api_port/v3/os-services" | grep -E '^ +(50|99)%' | sed 's/^/  1 connection: /'
  echo "RSS: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB (java $java_opts)"
  # Device failure to 'down' in the list: switch with the simulator's own protocol, poll every 10 ms.
  python3 - "$api_port" "$sim_port" <<'PY'
import json, socket, statistics, sys, time, urllib.request
port, sim = sys.argv[1], int(sys.argv[2])
def switch(device, up):
    with socket.create_connection(("127.0.0.1", sim), timeout=5) as s:
        s.sendall(f"SET {device} {'UP' if up else 'DOWN bench failure'}\n".encode())
        assert s.makefile().readline().startswith("OK")
def state(host):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v3/os-services?host={host}",
        headers={"X-Auth-Token": "admin:admin", "OpenStack-API-Version": "volume 3.49"})
    return json.load(urllib.request.urlopen(req, timeout=5))["services"][0]["backend_state"]
times = []
for trial in range(5):
    device, host = f"dev-{trial}", f"bench-host@sim-{trial}"
    switch(device, False)
    start = time.monotonic()
    while state(host) != "down":
        time.sleep(0.01)
    times.append(time.monotonic() - start)
    switch(device, True)
    while state(host) != "up":
        time.sleep(0.05)
print("failure to 'down' (s): " + ", ".join(f"{t:.2f}" for t in times)
      + f"; median {statistics.median(times):.2f}, max {max(times):.2f} (probe interval 5 s)")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done

#!/usr/bin/env bash
# Scale-out benchmark on PostgreSQL (see docs/performance.md for recorded figures).
#
#   source /tmp/cinderblock-pg/env        # CINDERBLOCK_PG_URL, _USER, _PASSWORD
#   bash reference-service/bench/run-scale-bench.sh [BACKENDS] [AGENTS] [API_NODES] [RATE] [SECONDS]
#   defaults:                                        1000       4        2           500    30
#
# Starts one SIMULATED array (driver-sim's standalone server) holding BACKENDS devices, AGENTS agent
# processes ('serve --role agent', BACKENDS/AGENTS sim backends each, hosts bench-agent-N) and
# API_NODES API processes ('serve --role api'), all on a fresh schema of the PostgreSQL named by the
# CINDERBLOCK_PG_* variables (dropped at the end). Then measures
#   - GET /v3/os-services at 3.49 at about RATE requests/s spread over the API nodes (paced wrk,
#     bench/pace.lua), median and p99 latency;
#   - the time from a simulated device failing to EVERY API node showing backend_state 'down' (5 trials);
#   - the RSS of every process.
# Needs: the built jar (mvn -f reference-service/pom.xml package), wrk, python3, psql (postgresql-client).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar="$here/../target/reference-service.jar"
[ -f "$jar" ] || { echo "Build first: mvn -f reference-service/pom.xml package" >&2; exit 1; }
: "${CINDERBLOCK_PG_URL:?source /tmp/cinderblock-pg/env first}"
backends=${1:-1000}; agents=${2:-4}; apis=${3:-2}; rate=${4:-500}; seconds=${5:-30}
java_opts=${JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}
psql_bin=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)

# jdbc:postgresql://HOST:PORT/DB -> psql arguments
hostport=${CINDERBLOCK_PG_URL#jdbc:postgresql://}; hostport=${hostport%%\?*}
pg_db=${hostport#*/}; hostport=${hostport%%/*}; pg_host=${hostport%%:*}; pg_port=${hostport##*:}
schema="cb_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
psql_run() { PGPASSWORD=$CINDERBLOCK_PG_PASSWORD "$psql_bin" -h "$pg_host" -p "$pg_port" -U "$CINDERBLOCK_PG_USER" -d "$pg_db" -qc "$1"; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql_run "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE" || true
  rm -rf "$work"
}
trap cleanup EXIT
psql_run "CREATE SCHEMA $schema"

# shellcheck source=common.sh
source "$here/common.sh"
wait_port() {  # wait_port LOGFILE -> the port the service printed
  for _ in $(seq 1 600); do
    port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/(v3|healthz)' "$1" | head -1 | sed -E 's#.*:([0-9]+)/.*#\1#') || true
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.2
  done
  echo "no port in $1" >&2; cat "$1" >&2; exit 1
}

sim_port=$(free_port)
device_args=()
for i in $(seq 0 $((backends - 1))); do device_args+=(--device "dev-$i:pool-a=1000"); done
java -Xmx256m -cp "$jar" io.cinderblock.driver.sim.SimulatedArrayServer --port "$sim_port" "${device_args[@]}" \
  > "$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$work/sim.log" && break; sleep 0.2; done

per=$((backends / agents))
conf() {  # conf HOST FIRST COUNT
  echo "[DEFAULT]"
  echo "host = $1"
  if [ "$3" -gt 0 ]; then printf 'enabled_backends = '; seq -s, -f 'sim-%g' "$2" $(($2 + $3 - 1)); else echo "enabled_backends ="; fi
  echo "osapi_volume_listen = 127.0.0.1"
  echo "osapi_volume_listen_port = 0"
  echo "backend_probe_threads = 16"
  echo "[database]"
  echo "connection = ${CINDERBLOCK_PG_URL}?currentSchema=$schema"
  echo "user = $CINDERBLOCK_PG_USER"
  echo "password = $CINDERBLOCK_PG_PASSWORD"
  echo "max_pool_size = 4"
  for i in $(seq "$2" $(($2 + $3 - 1))); do
    printf '[sim-%d]\nvolume_driver = sim\nsim_port = %d\nsim_device = dev-%d\n' "$i" "$sim_port" "$i"
  done
}
roles=()
for a in $(seq 0 $((agents - 1))); do
  (umask 077; conf "bench-agent-$a" $((a * per)) "$per" > "$work/agent-$a.conf")
  java $java_opts -jar "$jar" --config-file "$work/agent-$a.conf" serve --role agent > "$work/agent-$a.log" 2>&1 &
  pids+=($!); roles+=("agent-$a")
done
api_ports=()
for n in $(seq 0 $((apis - 1))); do
  (umask 077; conf "bench-api-$n" 0 0 > "$work/api-$n.conf")
  java $java_opts -jar "$jar" --config-file "$work/api-$n.conf" serve --role api > "$work/api-$n.log" 2>&1 &
  pids+=($!); roles+=("api-$n")
done
for a in $(seq 0 $((agents - 1))); do wait_port "$work/agent-$a.log" > /dev/null; done
for n in $(seq 0 $((apis - 1))); do api_ports+=("$(wait_port "$work/api-$n.log")"); done

# Every API node must list every backend 'up' (at most 180 s).
python3 - "$backends" "${api_ports[@]}" <<'PY'
import json, sys, time, urllib.request
n, ports = int(sys.argv[1]), sys.argv[2:]
deadline = time.time() + 180
for port in ports:
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
            sys.exit(f"API node {port}: backends did not all report within 180 s")
        time.sleep(0.2)
PY

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), java $java_opts"
echo "== $backends backends, $agents agents, $apis API nodes, PostgreSQL =="
curl -s -o /dev/null -w 'response size: %{size_download} bytes\n' -H 'X-Auth-Token: admin:admin' \
  -H 'OpenStack-API-Version: volume 3.49' "http://127.0.0.1:${api_ports[0]}/v3/os-services"
# Load: one paced wrk per API node, RATE/API_NODES requests/s each (2 connections, each waiting
# PACE_MS between requests; wrk has no fixed-rate mode, and wrk2 is not in Debian). Latency is wrk's,
# per request, without the pause. The achieved rate is printed.
per_node=$((rate / apis))
# One millisecond less than the ideal pause: each request takes some time itself.
pace_ms=$(( 2 * 1000 / per_node - 1 ))
pids_wrk=()
for n in $(seq 0 $((apis - 1))); do
  PACE_MS=$pace_ms wrk -t1 -c2 -d5s -s "$here/pace.lua" -H 'X-Auth-Token: admin:admin' \
    -H 'OpenStack-API-Version: volume 3.49' "http://127.0.0.1:${api_ports[$n]}/v3/os-services" > /dev/null &
  pids_wrk+=($!)
done
wait "${pids_wrk[@]}"   # warm-up
pids_wrk=()
for n in $(seq 0 $((apis - 1))); do
  PACE_MS=$pace_ms wrk -t1 -c2 -d"${seconds}s" --latency -s "$here/pace.lua" -H 'X-Auth-Token: admin:admin' \
    -H 'OpenStack-API-Version: volume 3.49' "http://127.0.0.1:${api_ports[$n]}/v3/os-services" \
    > "$work/wrk-$n.txt" &
  pids_wrk+=($!)
done
wait "${pids_wrk[@]}"
for n in $(seq 0 $((apis - 1))); do
  echo "API node $n ($per_node req/s asked, pause ${pace_ms} ms per connection):"
  grep -E '^ +(50|90|99)%|Requests/sec|requests in|Non-2xx|Socket errors' "$work/wrk-$n.txt" | sed 's/^/  /'
done

# Device failure to 'down' on every API node (probe interval 5 s, API refresh 0.25 s).
python3 - "$sim_port" "$per" "$backends" "${api_ports[@]}" <<'PY'
import json, socket, statistics, sys, time, urllib.request
sim, per, n, ports = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
def switch(device, up):
    with socket.create_connection(("127.0.0.1", sim), timeout=5) as s:
        s.sendall(f"SET {device} {'UP' if up else 'DOWN bench failure'}\n".encode())
        assert s.makefile().readline().startswith("OK")
def state(port, host):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v3/os-services?host={host}",
        headers={"X-Auth-Token": "admin:admin", "OpenStack-API-Version": "volume 3.49"})
    return json.load(urllib.request.urlopen(req, timeout=5))["services"][0]["backend_state"]
times = []
for trial in range(5):
    i = (trial * per) % n + trial  # a backend on each agent in turn
    device, host = f"dev-{i}", f"bench-agent-{(i // per)}@sim-{i}"
    switch(device, False)
    start = time.monotonic()
    pending = set(ports)
    while pending:
        pending = {p for p in pending if state(p, host) != "down"}
        time.sleep(0.01)
    times.append(time.monotonic() - start)
    switch(device, True)
    for p in ports:
        while state(p, host) != "up":
            time.sleep(0.05)
print("failure to 'down' on every API node (s): " + ", ".join(f"{t:.2f}" for t in times)
      + f"; median {statistics.median(times):.2f}, max {max(times):.2f} (probe interval 5 s)")
PY

for idx in "${!roles[@]}"; do
  pid=${pids[$((idx + 1))]}
  echo "RSS ${roles[$idx]}: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
done
echo "RSS simulator: $(( $(ps -o rss= -p "${pids[0]}") / 1024 )) MiB (the stand-in array, not part of the service)"

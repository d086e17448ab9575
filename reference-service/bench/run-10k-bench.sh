#!/usr/bin/env bash
# 10,000 backends: agents and API nodes on PostgreSQL, and one process for comparison
# (see docs/performance.md, "10,000 backends").
#
#   source /tmp/cinderblock-pg/env        # CINDERBLOCK_PG_URL, _USER, _PASSWORD
#   bash reference-service/bench/run-10k-bench.sh [options]
#     --backends N     simulated backends (default 10000)
#     --agents A       agent processes, N/A backends each (default 8)
#     --apis K         API processes (default 2)
#     --rates "R..."   list load per API node, requests/s, one 'wrk' window per rate (default "500 2000")
#     --seconds S      length of each measured window (default 30)
#     --trials T       device-failure trials, run side by side on different backends (default 40)
#     --probe-interval S   backend_state_interval of every backend, seconds (default 30: at 10,000
#                      backends that is 333 probes/s against the one simulated array; the polling
#                      detection target is this interval plus the sim driver's state deadline, 4.25 s)
#     --push           sim backends keep their push channel (sim_push = true): the trials then measure
#                      detection by push where the service listens to drivers' pushes, by polling
#                      where it does not (the backends are then polled as before)
#     --heartbeat S    with --push: the simulated array's heartbeat period on every push channel, seconds
#                      (default 5; each backend's sim_push_silence is three periods). At 1 s the
#                      10,000 channels woke 10,000 driver threads a second and, on this 2-core machine,
#                      missed heartbeats under load dropped channels in storms (docs/performance.md)
#     --no-single      skip the one-process comparison
# COLD_LIMIT (default 300) seconds to wait for every backend 'up' before measuring anyway.
# JAVA_OPTS (default '-Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError') for every agent,
# API_JAVA_OPTS (default '-Xmx384m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError') for every API node:
# at 10,000 backends a list is 3 MB and each request under load renders it, and at -Xmx128m the API
# nodes ran out of heap (2026-12-05, docs/performance.md); SINGLE_JAVA_OPTS (default '-Xmx512m
# -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError') for the one-process comparison. A process that
# exits during the run is reported ("DIED") with the last lines of its log.
#
# Starts one SIMULATED array (driver-sim's standalone server, one JVM; each agent's backends share a
# few persistent connections to it, and one array thread serves every push channel) holding N devices, then
# A agents ('serve --role agent', hosts bench-agent-N, sim_push off unless --push) and K API nodes
# ('serve --role api') on a fresh schema (dropped at the end), and measures:
#   - cold start: from launching the service processes to every API node listing N backends 'up';
#   - snapshot refresh cost with no list load: CPU seconds of each API process over one window, and
#     the rows read from and written to this run's schema (pg_stat_user_tables, so other users of the
#     same PostgreSQL do not count) per second;
#   - GET /v3/os-services (3.49) at each rate per API node (paced wrk, bench/pace.lua), the full
#     list and one host's row (?host=...): achieved rate, p50, p90, p99, CPU seconds of each API process;
#   - failure to 'down' on every API node: T trials side by side (each on another backend, started
#     at random offsets over one probe interval), p50 / p90 / p99 / max;
#   - RSS and threads of every process.
# Then the same N backends in ONE process ('serve', agent and API together, same database): cold
# start, list latency at each rate, failure to 'down', RSS. The load average (1 min) is printed with
# every figure: the machine may be shared.
# Needs: the built jar (mvn -f reference-service/pom.xml package), wrk, python3, psql.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar=${JAR:-"$here/../target/reference-service.jar"}
[ -f "$jar" ] || { echo "Build first: mvn -f reference-service/pom.xml package" >&2; exit 1; }
: "${CINDERBLOCK_PG_URL:?source /tmp/cinderblock-pg/env first}"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
backends=10000; agents=8; apis=2; rates="500 2000"; seconds=30; trials=40; push=false; single=true; interval=30; heartbeat=5
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --backends) backends=$2; shift 2 ;;
    --agents) agents=$2; shift 2 ;;
    --apis) apis=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --trials) trials=$2; shift 2 ;;
    --probe-interval) interval=$2; shift 2 ;;
    --heartbeat) heartbeat=$2; shift 2 ;;
    --push) push=true; shift ;;
    --no-single) single=false; shift ;;
    *) echo "unknown option '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
for v in backends agents apis seconds trials interval heartbeat; do
  opt=$v; [ "$v" = interval ] && opt=probe-interval
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "--$opt must be a positive integer, not '${!v}'" >&2; exit 2; }
done
[ $((backends % agents)) -eq 0 ] || { echo "--backends ($backends) must be a multiple of --agents ($agents)" >&2; exit 2; }
export CINDERBLOCK_PG_PASSWORD  # measure.py passes it to psql as PGPASSWORD, never on a command line
java_opts=${JAVA_OPTS:--Xmx128m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}
api_opts=${API_JAVA_OPTS:--Xmx384m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}
single_opts=${SINGLE_JAVA_OPTS:--Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}
psql_bin=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)

hostport=${CINDERBLOCK_PG_URL#jdbc:postgresql://}; hostport=${hostport%%\?*}
pg_db=${hostport#*/}; hostport=${hostport%%/*}; pg_host=${hostport%%:*}; pg_port=${hostport##*:}
schema="cb_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
psql_run() { PGPASSWORD=$CINDERBLOCK_PG_PASSWORD "$psql_bin" -h "$pg_host" -p "$pg_port" -U "$CINDERBLOCK_PG_USER" -d "$pg_db" -qAtc "$1"; }

# shellcheck source=common.sh
source "$here/common.sh"
work=$(mktemp -d)
pids=()
sim_pid=
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_all
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  psql_run "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE" || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "rerun: source /tmp/cinderblock-pg/env && bash reference-service/bench/run-10k-bench.sh ${args[*]}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
echo "agents: $java_opts; API nodes: $api_opts; one-process comparison: $single_opts; push: $push (heartbeat $heartbeat s, silence limit $((3 * heartbeat)) s); probe interval: $interval s"

sim_port=$(free_port)
device_args=()
for i in $(seq 0 $((backends - 1))); do device_args+=(--device "dev-$i:pool-a=1000"); done
java -Xmx512m -XX:+UseSerialGC -cp "$jar" io.cinderblock.driver.sim.SimulatedArrayServer --port "$sim_port" \
  --heartbeat-millis $((heartbeat * 1000)) \
  "${device_args[@]}" > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 300); do grep -qs listening "$work/sim.log" && break; sleep 0.2; done
grep -q listening "$work/sim.log" || { echo "the simulated array did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }

conf() {  # conf HOST FIRST COUNT PORT
  echo "[DEFAULT]"
  echo "host = $1"
  if [ "$3" -gt 0 ]; then printf 'enabled_backends = '; seq -s, -f 'sim-%g' "$2" $(($2 + $3 - 1)); else echo "enabled_backends ="; fi
  echo "osapi_volume_listen = 127.0.0.1"
  echo "osapi_volume_listen_port = $4"
  echo "backend_probe_threads = 16"
  echo "backend_state_interval = $interval"
  echo "[database]"
  echo "connection = ${CINDERBLOCK_PG_URL}?currentSchema=$schema"
  echo "user = $CINDERBLOCK_PG_USER"
  echo "password = $CINDERBLOCK_PG_PASSWORD"
  echo "max_pool_size = 4"
  for i in $(seq "$2" $(($2 + $3 - 1))); do
    printf '[sim-%d]\nvolume_driver = sim\nsim_port = %d\nsim_device = dev-%d\nsim_push = %s\nsim_push_silence = %ds\n' \
      "$i" "$sim_port" "$i" "$push" $((3 * heartbeat))
  done
}

# measure.py: the measurements, given the processes (role=pid) and API ports.
cat > "$work/measure.py" <<'PY'
import json, os, random, re, socket, statistics, subprocess, sys, threading, time, urllib.request
cfg = json.load(open(sys.argv[1]))
cfg["psql"] += sys.argv[2:]
n, sim, ports, roles = cfg["backends"], cfg["sim_port"], cfg["ports"], cfg["roles"]
api_pids = [roles[r] for r in roles if r.startswith("api") or r == "single"]
def load():
    return f"load {os.getloadavg()[0]:.1f}"
def get(port, path, timeout=10):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
        headers={"X-Auth-Token": "admin:admin", "OpenStack-API-Version": "volume 3.49"})
    return json.load(urllib.request.urlopen(req, timeout=timeout))
def cpu(pid):  # user + system seconds of a process
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def psql(sql):
    return subprocess.run(cfg["psql"] + [sql], capture_output=True, text=True, check=True,
        env=dict(os.environ, PGPASSWORD=os.environ["CINDERBLOCK_PG_PASSWORD"])).stdout.strip()
def table_stats():
    # Rows read (sequential + index) and written in this run's schema only.
    out = psql("SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0), "
               "coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0), coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) "
               f"FROM pg_stat_user_tables WHERE schemaname = '{cfg['schema']}'")
    return [int(x) for x in out.split("|")]
def rss(pid):
    return int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0]) // 1024
def alive(phase):  # a process that died (an OutOfMemoryError exits) must not pass for a slow one
    for r, pid in roles.items():
        if not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
            print(f"DIED: {r} (pid {pid}) before the end of {phase}; last lines of its log:")
            log = os.path.join(os.path.dirname(sys.argv[1]), ("sim" if r == "simulator" else r) + ".log")
            print("".join(open(log, errors="replace").readlines()[-5:]) if os.path.exists(log) else "  (no log)")
            roles.pop(r)
            return alive(phase)
def threads(pid):
    return int(open(f"/proc/{pid}/status").read().split("Threads:")[1].split()[0])

# Cold start: launched at cfg["launched"]; every API node must list n backends 'up'.
print(f"== {cfg['title']} ==")
for port in ports:
    listed, up = None, 0
    while True:
        try:
            services = get(port, "/v3/os-services", timeout=30)["services"]
            up = sum(1 for s in services if s.get("backend_state") == "up")
            if listed is None and sum(1 for s in services if s["binary"] == "cinder-volume") == n:
                listed = time.time() - cfg["launched"]
            if up == n:
                break
        except OSError:
            pass
        if time.time() > cfg["launched"] + cfg["cold_limit"]:
            break
        time.sleep(0.5)
    first = f"{listed:.1f} s" if listed is not None else "never"
    if up == n:
        print(f"cold start on :{port}: all {n} rows listed after {first}, all {n} up after "
              f"{time.time() - cfg['launched']:.1f} s ({load()})")
    else:
        # Measured anyway: an overloaded machine makes some backends flap, which is itself a result.
        print(f"cold start on :{port}: all {n} rows listed after {first}; NOT all up within {cfg['cold_limit']} s "
              f"({up} up at the end, {load()})")
alive("cold start")
size = len(urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{ports[0]}/v3/os-services",
    headers={"X-Auth-Token": "admin:admin", "OpenStack-API-Version": "volume 3.49"})).read())
print(f"list size: {size} bytes")
time.sleep(5)

# Snapshot refresh cost without list load.
secs = cfg["seconds"]
c0 = {p: cpu(p) for p in api_pids}; t0 = table_stats(); l = load(); start = time.time()
time.sleep(secs)
el = time.time() - start; c1 = {p: cpu(p) for p in api_pids}; t1 = table_stats()
print(f"no list load, {el:.0f} s ({l}): API CPU " + ", ".join(f"{(c1[p] - c0[p]):.1f} s" for p in api_pids)
      + f"; schema rows read {(t1[0] - t0[0]) / el:.0f}/s, written {(t1[1] - t0[1]) / el:.0f}/s, scans {(t1[2] - t0[2]) / el:.1f}/s")

alive("the window without list load")

# List load at each rate per API node.
# Two lists: every row (the issue's figure; about 300 bytes a row), and one host's row (what a
# client that filters by host asks: the service's own cost per request, without the body's size).
def wrk(port, rate, seconds, out, query=""):
    conns = max(2, rate // 250)
    pace = max(0, conns * 1000 // rate - 1)
    r = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", cfg["pace"],
        "-H", "X-Auth-Token: admin:admin", "-H", "OpenStack-API-Version: volume 3.49",
        f"http://127.0.0.1:{port}/v3/os-services{query}"], env=dict(os.environ, PACE_MS=str(pace)),
        capture_output=True, text=True)
    out[port] = (r.stdout, conns, pace)
print("| API node | list | asked | achieved | p50 | p90 | p99 | API CPU | errors | load |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
lists = [("", f"all {n} rows"), (f"?host={cfg['hosts'][0]}", "one host")]
for (query, what), rate in [(q, r) for q in lists for r in cfg["rates"]]:
    warm = {}
    ts = [threading.Thread(target=wrk, args=(p, rate, 5, warm, query)) for p in ports]
    [t.start() for t in ts]; [t.join() for t in ts]
    out = {}; l = load(); c0 = {p: cpu(p) for p in api_pids}; start = time.time()
    ts = [threading.Thread(target=wrk, args=(p, rate, secs, out, query)) for p in ports]
    [t.start() for t in ts]; [t.join() for t in ts]
    el = time.time() - start; c1 = {p: cpu(p) for p in api_pids}
    for i, port in enumerate(ports):
        text, conns, pace = out[port]
        pct = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
        m = re.search(r"Requests/sec:\s+([\d.]+)", text)
        err = re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: [^\n]+", text)
        print(f"| :{port} | {what} | {rate} req/s ({conns} conn., {pace} ms pause) | {m.group(1) if m else '-'} req/s "
              f"| {pct.get('50', '-')} | {pct.get('90', '-')} | {pct.get('99', '-')} | {c1[api_pids[i]] - c0[api_pids[i]]:.1f} s "
              f"| {'; '.join(err) or 'none'} | {l} |")

alive("the list windows")

# Failure to 'down' on every API node: trials side by side on different backends.
def switch(device, up):
    with socket.create_connection(("127.0.0.1", sim), timeout=5) as s:
        s.sendall(f"SET {device} {'UP' if up else 'DOWN bench failure'}\n".encode())
        assert s.makefile().readline().startswith("OK")
def state(port, host):
    return get(port, f"/v3/os-services?host={host}")["services"][0]["backend_state"]
times, failures = [], []
def trial(k):
    try:
        i = (k * 7919) % n  # spread over the agents
        time.sleep(random.uniform(0, cfg["interval"]))
        device, host = f"dev-{i}", cfg["hosts"][i]
        switch(device, False)
        try:
            start = time.monotonic()
            pending = set(ports)
            while pending:
                if time.monotonic() - start > 120 + cfg["interval"]:
                    raise TimeoutError(f"{host} not down after {120 + cfg['interval']} s on :"
                                       + ", :".join(str(p) for p in sorted(pending)))
                pending = {p for p in pending if state(p, host) != "down"}
                time.sleep(0.05)  # 50 ms resolution: 40 trials x 2 nodes stay a light load
            times.append(time.monotonic() - start)
        finally:
            switch(device, True)  # also after a failed trial: the next phase starts with every device up
    except Exception as e:  # reported below, not hidden
        failures.append(f"trial {k}: {e}")
l = load()
ts = [threading.Thread(target=trial, args=(k,)) for k in range(cfg["trials"])]
[t.start() for t in ts]; [t.join() for t in ts]
if times:
    q = sorted(times)
    def rank(p):  # nearest rank: with fewer than 100 trials the p99 is the maximum
        return q[max(0, min(len(q) - 1, -(-p * len(q) // 100) - 1))]
    target = "1 s (push)" if cfg["push"] else f"{cfg['interval'] + 4.25:g} s (probe interval + deadline)"
    print(f"failure to 'down' on every API node, {len(q)} trials ({'push on' if cfg['push'] else 'polling'}, "
          f"probe interval {cfg['interval']} s, {l}): p50 {statistics.median(q):.2f} s, p90 {rank(90):.2f} s, "
          f"p99 {rank(99):.2f} s, max {q[-1]:.2f} s; target <= {target}")
for f in failures:
    print("  failed " + f)
alive("the failure trials")
for r, pid in roles.items():
    print(f"RSS {r}: {rss(pid)} MiB, {threads(pid)} threads ({load()})")
PY

measure() {  # measure TITLE LAUNCHED ROLE=PID... -- PORTS...
  local title=$1 launched=$2 roles_arg=() ports_arg=()
  shift 2
  while [ "$1" != "--" ]; do roles_arg+=("$1"); shift; done; shift
  ports_arg=("$@")
  python3 - "$work/cfg.json" "$title" "$launched" "$backends" "$agents" "$sim_port" "$schema" "$here/pace.lua" \
    "$seconds" "$trials" "$push" "$rates" "$interval" "${#roles_arg[@]}" "${roles_arg[@]}" "${ports_arg[@]}" <<'PY'
import json, sys
out, title, launched, n, agents, sim, schema, pace, seconds, trials, push, rates, interval, nroles = sys.argv[1:15]
rest = sys.argv[15:]
roles = dict(r.split("=", 1) for r in rest[:int(nroles)])
n, per = int(n), int(n) // int(agents)
single = title.startswith("one process")
json.dump(dict(title=title, launched=float(launched), roles={k: int(v) for k, v in roles.items()},
               ports=[int(p) for p in rest[int(nroles):]], backends=n, sim_port=int(sim), schema=schema, pace=pace,
               seconds=int(seconds), trials=int(trials), push=push == "true", rates=[int(r) for r in rates.split()],
               interval=int(interval),
               cold_limit=int(__import__("os").environ.get("COLD_LIMIT", "300")),
               hosts=[(f"bench-single@sim-{i}" if single else f"bench-agent-{i // per}@sim-{i}") for i in range(n)],
               psql=[]),
          open(out, "w"))
PY
  python3 "$work/measure.py" "$work/cfg.json" "$psql_bin" -h "$pg_host" -p "$pg_port" -U "$CINDERBLOCK_PG_USER" -d "$pg_db" -qAtc
}

wait_port() {  # wait_port LOGFILE -> the port the service printed
  for _ in $(seq 1 3000); do
    port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/(v3|healthz)' "$1" | head -1 | sed -E 's#.*:([0-9]+)/.*#\1#') || true
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.2
  done
  echo "no port in $1" >&2; tail -50 "$1" >&2; exit 1
}

# ---- agents and API nodes
psql_run "CREATE SCHEMA $schema"
per=$((backends / agents))
for a in $(seq 0 $((agents - 1))); do (umask 077; conf "bench-agent-$a" $((a * per)) "$per" 0 > "$work/agent-$a.conf"); done
for k in $(seq 0 $((apis - 1))); do (umask 077; conf "bench-api-$k" 0 0 0 > "$work/api-$k.conf"); done
launched=$(date +%s.%N)
roles=()
for a in $(seq 0 $((agents - 1))); do
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" --config-file "$work/agent-$a.conf" serve --role agent > "$work/agent-$a.log" 2>&1 &
  pids+=($!); roles+=("agent-$a=$!")
done
api_ports=()
for k in $(seq 0 $((apis - 1))); do
  # shellcheck disable=SC2086
  java $api_opts -jar "$jar" --config-file "$work/api-$k.conf" serve --role api > "$work/api-$k.log" 2>&1 &
  pids+=($!); roles+=("api-$k=$!")
done
for k in $(seq 0 $((apis - 1))); do api_ports+=("$(wait_port "$work/api-$k.log")"); done
measure "$backends backends: $agents agents x $per, $apis API nodes, PostgreSQL" "$launched" \
  "${roles[@]}" "simulator=$sim_pid" -- "${api_ports[@]}"
stop_all

# ---- one process
if $single; then
  psql_run "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE; CREATE SCHEMA $schema"
  (umask 077; conf "bench-single" 0 "$backends" 0 > "$work/single.conf")
  launched=$(date +%s.%N)
  # shellcheck disable=SC2086
  java $single_opts -jar "$jar" --config-file "$work/single.conf" serve > "$work/single.log" 2>&1 &
  pids+=($!); single_pid=$!
  single_port=$(wait_port "$work/single.log")
  measure "one process: $backends backends, agent and API together, PostgreSQL, $single_opts" "$launched" \
    "single=$single_pid" "simulator=$sim_pid" -- "$single_port"
  stop_all
fi

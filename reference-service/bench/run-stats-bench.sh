#!/usr/bin/env bash
# What a stats round costs (see docs/performance.md, "Stats rounds"): allocation, GC pauses and list
# latency of one process serving BACKENDS simulated backends, under a paced list load.
#
#   bash reference-service/bench/run-stats-bench.sh [BACKENDS] [RATE]     defaults: 1000 500
#   JAR=other.jar JAVA_OPTS='-Xmx192m -XX:+UseSerialGC' bash reference-service/bench/run-stats-bench.sh
#
# Starts the service jar (default: reference-service/target/reference-service.jar) with
# JAVA_OPTS (default '-Xmx128m -XX:+UseSerialGC') plus -Xlog:gc to a file, BACKENDS 'sim' backends
# (one in-process simulator), SQLite, default intervals (probe 5 s, stats 60 s, heartbeat 10 s).
# Stats rounds run at the agent's start and every 60 s after it. Three windows, placed by the
# time the agent logged its start:
#   C  12 s without load, +38 s .. +50 s: the background (probes, heartbeats);
#   A  30 s of paced GET /v3/os-services (3.49) at RATE req/s, +50 s .. +80 s, holding the stats round at +60 s;
#   B  30 s of the same load, +88 s .. +118 s: no stats round.
# And a timeline: MB allocated per 5 s from +35 s to +120 s (where the round's garbage falls).
# From the GC log (allocation = heap growth between collections, MB resolution): MB allocated,
# pauses, pause time per window; allocation per stats round = A - B; per list request =
# (B - C per second) / requests per second. Then the RSS.
# Needs: the built jar, wrk, python3, curl.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar=${JAR:-"$here/../target/reference-service.jar"}
[ -f "$jar" ] || { echo "Build first: mvn -f reference-service/pom.xml package" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
n=${1:-1000}; rate=${2:-500}
java_opts=${JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}

# shellcheck source=common.sh
source "$here/common.sh"
with_work_dir

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
    # sim_push off: this measures the polling service's stats rounds, not push channels.
    printf '[sim-%d]\nvolume_driver = sim\nsim_port = %d\nsim_device = dev-%d\nsim_start_server = true\nsim_pools = pool-a=1000\nsim_push = false\n' \
      "$i" "$sim_port" "$i"
  done
} > "$work/cinder.conf"

# shellcheck disable=SC2086
java $java_opts "-Xlog:gc:file=$work/gc.log:time" -jar "$jar" --config-file "$work/cinder.conf" serve \
  > "$work/service.log" 2>&1 &
pid=$!

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), java $java_opts, jar $(basename "$jar")"
echo "rerun: JAR=$jar JAVA_OPTS='$java_opts' bash $0 $n $rate"
python3 - "$work" "$api_port" "$n" "$rate" "$here/pace.lua" "$pid" <<'PY'
import datetime, json, os, re, subprocess, sys, time, urllib.request
work, port, n, rate, pace, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
log = os.path.join(work, "service.log")

# The agent logs its start right after scheduling the first stats round: rounds at +0, +60 s, ...
deadline = time.time() + 120
agent_start = None
while agent_start is None:
    if open(log, errors="replace").read().find("Agent started") >= 0:
        agent_start = time.time()
    elif time.time() > deadline:
        sys.exit("the agent did not start within 120 s:\n" + open(log, errors="replace").read()[-3000:])
    else:
        time.sleep(0.05)

def get(path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
        headers={"X-Auth-Token": "admin:admin", "OpenStack-API-Version": "volume 3.49"})
    return urllib.request.urlopen(req, timeout=5)
while True:
    try:
        if sum(1 for s in json.load(get("/v3/os-services"))["services"] if s.get("backend_state") == "up") == n:
            break
    except OSError:
        pass
    if time.time() > agent_start + 120:
        sys.exit("backends did not all report within 120 s")
    time.sleep(0.2)
print(f"all {n} backends up {time.time() - agent_start:.1f} s after the agent started")

def load1():
    return os.getloadavg()[0]

conns = 4
pace_ms = conns * 1000 // rate - 1
def wrk(seconds):
    out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", pace,
        "-H", "X-Auth-Token: admin:admin", "-H", "OpenStack-API-Version: volume 3.49",
        f"http://127.0.0.1:{port}/v3/os-services"], env=dict(os.environ, PACE_MS=str(pace_ms)),
        capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out)
    return pct, reqs, errors.group(0) if errors else ""

def until(t):
    time.sleep(max(0, t - time.time()))

windows = {}
until(agent_start + 38)
l = load1(); s = time.time(); time.sleep(12); windows["C"] = (s, time.time(), {}, 0, "", l)
l = load1(); s = time.time(); pct, reqs, err = wrk(30); windows["A"] = (s, time.time(), pct, reqs, err, l)
until(agent_start + 88)
l = load1(); s = time.time(); pct, reqs, err = wrk(30); windows["B"] = (s, time.time(), pct, reqs, err, l)
time.sleep(3)

# GC log lines: [2026-12-05T14:20:01.123+0000] GC(12) Pause Young (Allocation Failure) 40M->10M(123M) 3.456ms
gcs = []
for line in open(os.path.join(work, "gc.log")):
    m = re.match(r"\[([^\]]+)\] GC\(\d+\) Pause (\w+).*? (\d+)M->(\d+)M\(\d+M\) ([\d.]+)ms", line)
    if m:
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        gcs.append((t, m.group(2), int(m.group(3)), int(m.group(4)), float(m.group(5))))
def gc_in(start, end):
    alloc, pauses, total, longest, full, prev_after = 0, 0, 0.0, 0.0, 0, None
    for t, kind, before, after, ms in gcs:
        if start <= t < end:
            if prev_after is not None:
                alloc += before - prev_after
            pauses += 1; total += ms; longest = max(longest, ms); full += kind == "Full"
        if t < end:
            prev_after = after
    return alloc, pauses, total, longest, full
print()
print("| window | load avg | req/s | p50 | p90 | p99 | MB allocated | GC pauses | pause time | longest | full GCs |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
names = {"A": "A: load + stats round", "B": "B: load, no round", "C": "C: no load, no round"}
res = {}
for k, (s, e, pct, reqs, err, l) in sorted(windows.items()):
    alloc, pauses, total, longest, full = gc_in(s, e)
    res[k] = (alloc, e - s, reqs)
    print(f"| {names[k]} | {l:.1f} | {reqs / (e - s):.0f} | {pct.get('50', '-')} | {pct.get('90', '-')} | {pct.get('99', '-')}"
          f" | {alloc} | {pauses} | {total:.0f} ms | {longest:.1f} ms | {full} |" + (f" {err}" if err else ""))
a, b, c = res["A"], res["B"], res["C"]
print()
print("MB allocated per 5 s, from +35 s (C idle +38..+50, A load +50..+80 with the round at +60, B load +88..+118):")
print(" ".join(str(gc_in(agent_start + t, agent_start + t + 5)[0]) for t in range(35, 120, 5)))
print()
print(f"allocation per stats round (A - B): {a[0] - b[0]} MB")
per_req = ((b[0] / b[1]) - (c[0] / c[1])) / (b[2] / b[1]) * 1024 if b[2] else float("nan")
print(f"allocation per list request ((B - C) per second / req/s): {per_req:.1f} KiB")
PY
echo "RSS: $(( $(ps -o rss= -p "$pid") / 1024 )) MiB (java $java_opts)"

-- wrk script for run-scale-bench.sh: each connection waits PACE_MS between requests, so
-- CONNECTIONS / (PACE_MS + latency) requests per second per wrk process (wrk has no fixed rate).
local pace = tonumber(os.getenv("PACE_MS") or "8")
function delay()
  return pace
end

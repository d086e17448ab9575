# Shared by the benchmark scripts (sourced, not run).

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# A temporary work directory in $work, removed on exit together with the service whose PID the
# caller puts in $pid.
with_work_dir() {
  work=$(mktemp -d)
  pid=
  trap 'if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
}

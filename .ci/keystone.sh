#!/usr/bin/env bash
# Starts (or stops) a private Keystone on 127.0.0.1 for reference-service's Keystone tests:
# Debian's python3-keystone under uwsgi (no Apache), SQLite, fernet tokens, all under one data
# directory. Bootstraps an admin (admin project), a member user in another project, a service user
# for the reference service, and the service's volumev3 endpoint in the catalog. Passwords are
# generated here, at run time, and written with the URLs to $CINDERBLOCK_KEYSTONE_DIR/env, which the
# tests read (as .ci/start-postgres.sh does for PostgreSQL). Nothing is committed.
#
#   bash .ci/keystone.sh start   # idempotent: reuses a running one
#   bash .ci/keystone.sh stop
#   bash .ci/keystone.sh status  # exit 0 when it answers
set -euo pipefail

dir=${CINDERBLOCK_KEYSTONE_DIR:-/tmp/cinderblock-keystone}
port=${CINDERBLOCK_KEYSTONE_PORT:-55357}
# Where the tests run the reference service: the catalog's volumev3 endpoint points there.
volume_port=${CINDERBLOCK_KEYSTONE_VOLUME_PORT:-58776}
# Short-lived tokens so that the tests can watch a token expire; clients log in per command.
token_lifetime=${CINDERBLOCK_KEYSTONE_TOKEN_EXPIRATION:-20}
url=http://127.0.0.1:$port/v3
py=/usr/bin/python3

answers() { curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; }

stop() {
  if [ -f "$dir/uwsgi.pid" ]; then
    pid=$(cat "$dir/uwsgi.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -INT "$pid"   # uwsgi's master: INT is a clean, immediate shutdown
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/uwsgi.pid"
  fi
}

# Starts uwsgi over an existing data directory (also used by the tests to restart it).
serve() {
  OS_KEYSTONE_CONFIG_DIR=$dir OS_KEYSTONE_CONFIG_FILES=keystone.conf \
    # One worker, one request at a time: SQLite refuses connections shared between request threads,
    # and a second worker gets 'database is locked' on writes. --enable-threads lets keystone's own
    # background threads run (without it one can sit on a SQLite lock between requests);
    # --lazy-apps loads keystone in the worker, so no connection is inherited from the master.
    uwsgi --plugin python3 --master --processes 1 --enable-threads --lazy-apps --die-on-term \
    --http-socket "127.0.0.1:$port" --add-header 'Connection: close' --wsgi-file /usr/bin/keystone-wsgi-public \
    --env OS_KEYSTONE_CONFIG_DIR="$dir" --env OS_KEYSTONE_CONFIG_FILES=keystone.conf \
    --pidfile "$dir/uwsgi.pid" --daemonize "$dir/uwsgi.log" >/dev/null
  for _ in $(seq 300); do answers && return 0; sleep 0.1; done
  echo "Keystone did not answer on $url within 30 s; see $dir/uwsgi.log and $dir/keystone.log" >&2
  tail -n 20 "$dir/uwsgi.log" >&2 || true
  exit 1
}

case "${1:-start}" in
  stop) stop; echo "Keystone stopped ($dir)"; exit 0 ;;
  status) answers; exit $? ;;
  serve) stop; serve; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop|status|serve" >&2; exit 2 ;;
esac

command -v keystone-manage >/dev/null && command -v uwsgi >/dev/null \
  && [ -f /usr/lib/uwsgi/plugins/python3_plugin.so ] \
  || { echo "Keystone or uwsgi missing: apt-get install python3-keystone uwsgi-core uwsgi-plugin-python3 python3-openstackclient" >&2; exit 1; }

if [ -f "$dir/env" ] && answers; then
  echo "Keystone already running ($dir)"
  exit 0
fi
if [ -f "$dir/env" ] && [ -f "$dir/keystone.db" ]; then
  # Bootstrapped before, not running (machine restarted, or stopped): serve the same data.
  stop; serve
  echo "Keystone restarted on $url ($dir)"
  exit 0
fi

stop
rm -rf "$dir"
mkdir -p "$dir/fernet-keys" "$dir/credential-keys"
chmod 700 "$dir/fernet-keys" "$dir/credential-keys"
gen() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }
admin_password=$(gen); member_password=$(gen); service_password=$(gen)

cat >"$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/keystone.log
[database]
connection = sqlite:///$dir/keystone.db
[identity]
# bcrypt's minimum cost: test users log in many times; production keeps the default (12).
password_hash_rounds = 4
[token]
provider = fernet
expiration = $token_lifetime
[fernet_tokens]
key_repository = $dir/fernet-keys
[credential]
key_repository = $dir/credential-keys
CONF

manage() { keystone-manage --config-file "$dir/keystone.conf" "$@" >>"$dir/manage.log" 2>&1; }
user=$(id -un); group=$(id -gn)
manage db_sync
manage fernet_setup --keystone-user "$user" --keystone-group "$group"
manage credential_setup --keystone-user "$user" --keystone-group "$group"
manage bootstrap --bootstrap-password "$admin_password" --bootstrap-username admin \
  --bootstrap-project-name admin --bootstrap-role-name admin \
  --bootstrap-admin-url "$url" --bootstrap-internal-url "$url" --bootstrap-public-url "$url" \
  --bootstrap-region-id RegionOne
# The volumev3 catalog entry goes straight into the database, as keystone-manage bootstrap writes
# the identity one: this Keystone's POST /v3/services and /v3/roles open a second SQLite connection
# inside their own write and fail with 'database is locked' on a file database.
KS_DB=$dir/keystone.db KS_VOLUME_URL="http://127.0.0.1:$volume_port/v3/%(project_id)s" $py - <<'PY'
import json, os, sqlite3, uuid
db = sqlite3.connect(os.environ["KS_DB"])
service = uuid.uuid4().hex
db.execute("INSERT INTO service (id, type, enabled, extra) VALUES (?, 'volumev3', 1, ?)",
           (service, json.dumps({"name": "cinderv3", "description": "cinderblock reference-service"})))
for interface in ("public", "internal", "admin"):
    db.execute("INSERT INTO endpoint (id, interface, service_id, url, extra, enabled, region_id)"
               " VALUES (?, ?, ?, ?, '{}', 1, 'RegionOne')",
               (uuid.uuid4().hex, interface, service, os.environ["KS_VOLUME_URL"]))
db.commit()
PY
serve

# Projects, users and role assignments over Keystone's REST API in one Python process (one
# `openstack` command per step costs a second or more each on a busy machine).
KS_URL=$url KS_ADMIN_PASSWORD=$admin_password KS_MEMBER_PASSWORD=$member_password \
  KS_SERVICE_PASSWORD=$service_password $py - >"$dir/bootstrap.log" 2>&1 <<'PY'
import json, os, time, urllib.error, urllib.request

url = os.environ["KS_URL"]

def call(method, path, body=None, token=None):
    for attempt in range(5):
        request = urllib.request.Request(url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("X-Auth-Token", token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.headers, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{method} {path}: HTTP {e.code} {e.read()[:300]!r}")
        except (ConnectionError, urllib.error.URLError) as e:
            # A single-worker uwsgi may reset a connection while it is busy: retry.
            print(f"{method} {path}: {e}; retrying", flush=True)
            time.sleep(0.5 * (attempt + 1))
    raise SystemExit(f"{method} {path}: Keystone did not answer")

auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "admin", "domain": {"id": "default"}, "password": os.environ["KS_ADMIN_PASSWORD"]}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
# The CI Keystone's tokens live seconds: log in afresh for every call.
def login():
    return call("POST", "/auth/tokens", auth)[0]["X-Subject-Token"]

ids = lambda plural: {o["name"]: o["id"] for o in call("GET", "/" + plural, token=login())[1][plural]}
def project(name):
    return call("POST", "/projects", {"project": {"name": name, "domain_id": "default"}}, login())[1]["project"]["id"]
def user(name, password, project_id):
    return call("POST", "/users", {"user": {"name": name, "domain_id": "default", "password": password,
                                            "default_project_id": project_id}}, login())[1]["user"]["id"]
def grant(project_id, user_id, role_id):
    call("PUT", f"/projects/{project_id}/users/{user_id}/roles/{role_id}", token=login())

demo = project("demo")
service_project = project("service")
# The service user validates tokens with the admin role in the service project (keystone-manage
# bootstrap's roles; creating a role over the API trips SQLite's lock in this Keystone).
roles = ids("roles")
grant(demo, user("demo-member", os.environ["KS_MEMBER_PASSWORD"], demo), roles["member"])
cinderblock = user("cinderblock", os.environ["KS_SERVICE_PASSWORD"], service_project)
grant(service_project, cinderblock, roles["admin"])
print("bootstrapped")
PY
grep -q '^bootstrapped$' "$dir/bootstrap.log" || { cat "$dir/bootstrap.log" >&2; exit 1; }

cat >"$dir/env" <<ENV
export CINDERBLOCK_KEYSTONE_URL=$url
export CINDERBLOCK_KEYSTONE_DIR=$dir
export CINDERBLOCK_KEYSTONE_VOLUME_PORT=$volume_port
export CINDERBLOCK_KEYSTONE_TOKEN_EXPIRATION=$token_lifetime
export CINDERBLOCK_KEYSTONE_ADMIN_USER=admin
export CINDERBLOCK_KEYSTONE_ADMIN_PROJECT=admin
export CINDERBLOCK_KEYSTONE_ADMIN_PASSWORD=$admin_password
export CINDERBLOCK_KEYSTONE_MEMBER_USER=demo-member
export CINDERBLOCK_KEYSTONE_MEMBER_PROJECT=demo
export CINDERBLOCK_KEYSTONE_MEMBER_PASSWORD=$member_password
export CINDERBLOCK_KEYSTONE_SERVICE_USER=cinderblock
export CINDERBLOCK_KEYSTONE_SERVICE_PROJECT=service
export CINDERBLOCK_KEYSTONE_SERVICE_PASSWORD=$service_password
ENV
chmod 644 "$dir/env"
echo "Keystone $(keystone-manage --version 2>/dev/null || true) started on $url ($dir)"

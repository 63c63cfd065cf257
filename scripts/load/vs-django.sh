#!/usr/bin/env bash
# /api/me of examples/webapp against the same endpoint on Django 3.2 +
# gunicorn, side by side in one run, on loopback, with wrk.
#
#   scripts/load/vs-django.sh
#
# It starts three servers, each with the demo user alice logged in:
#   go-pg     examples/webapp on PostgreSQL (users and djauth sessions in a
#             scratch database), with -cpuprofile;
#   django    a minimal Django 3.2 project written into a temp dir (DEBUG
#             off, CONN_MAX_AGE persistent connections, database sessions in
#             django_session, Django's default middleware) under gunicorn
#             with 5 sync workers, on a second scratch database of the same
#             PostgreSQL server; alice has one permission and no groups, as
#             in the Go demo, and logs in through django.contrib.auth.login;
#   go-redis  examples/webapp with the users in the first scratch database and
#             the sessions in Redis (database REDIS_DB, which must be empty).
# Then ROUNDS times, in turn, wrk against each server's /api/me with its
# session cookie; for the Go servers it reads utime+stime of the process
# from /proc/<pid>/stat before and after every wrk run, for Django the
# sum over the gunicorn workers. After the rounds it stops the Go servers,
# which write their CPU profiles (summarised with go tool pprof -top -cum),
# starts go-pg again without a profile, and measures /api/me with 1,000 and
# with 1,000,000 rows in djauth_session (generate_series copies of alice's
# session under other tokens), then again after deleting them. The demo
# users are created and logged in on a first process of each Go server, so
# that the measured processes' CPU times and profiles hold no password
# hash. Every server, scratch database, Redis key and temp file is removed
# on exit.
#
# Settings (environment):
#   DURATION=10s CONNECTIONS=16 THREADS=2   wrk's -d, -c and -t
#   ROUNDS=3                                rounds of the three servers
#   PORT=18090                              go-pg; django PORT+1, go-redis PORT+2
#   ADMIN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
#   REDIS_URL=redis://127.0.0.1:6379 REDIS_DB=13
#
# Needs: go, curl, wrk, psql, redis-cli, /usr/bin/python3 with Debian's
# python3-django (3.2) and python3-psycopg2, and gunicorn (apt-get install
# wrk gunicorn).
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18090}
ADMIN_DATABASE_URL=${ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
REDIS_DB=${REDIS_DB:-13}
PY=/usr/bin/python3

for tool in go curl wrk psql redis-cli gunicorn "$PY"; do
	command -v "$tool" >/dev/null || { echo "vs-django.sh: $tool is not installed" >&2; exit 1; }
done
"$PY" -c 'import django, psycopg2; assert django.VERSION[:2] == (3, 2), django.VERSION' ||
	{ echo "vs-django.sh: $PY has no Django 3.2 with psycopg2" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
go_db="djauth_vs_go_$$"
dj_db="djauth_vs_dj_$$"
dbs_made=()
pids=()
redis_used=""
TICK=$(getconf CLK_TCK)

rcli() { redis-cli -u "$REDIS_URL/$REDIS_DB" "$@"; }
db_url() { echo "$ADMIN_DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$1#"; }

cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	pids=()
	if [[ -n "$redis_used" ]]; then
		rcli --scan --pattern 'djauth:*' | while read -r k; do rcli del "$k" >/dev/null; done
		redis_used=""
	fi
	local db
	for db in "${dbs_made[@]}"; do
		psql -q "$ADMIN_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
	done
	dbs_made=()
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

[[ "$(rcli dbsize)" == 0 ]] || { echo "vs-django.sh: Redis database $REDIS_DB is not empty; set REDIS_DB" >&2; exit 1; }

wait_http() { # url pid log
	for _ in $(seq 1 300); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || { echo "vs-django.sh: server exited:" >&2; cat "$3" >&2; exit 1; }
		sleep 0.1
	done
	echo "vs-django.sh: $1 did not answer" >&2
	exit 1
}

# cpu_ticks prints utime+stime of the given pids, in clock ticks.
cpu_ticks() {
	local t=0 pid
	for pid in "$@"; do
		t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat")))
	done
	echo "$t"
}

secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 50)
echo "# building examples/webapp" >&2
(cd "$repo" && go build -o "$work/webapp" ./examples/webapp)

psql -q "$ADMIN_DATABASE_URL" -c "CREATE DATABASE \"$go_db\"" >/dev/null
dbs_made+=("$go_db")
psql -q "$ADMIN_DATABASE_URL" -c "CREATE DATABASE \"$dj_db\"" >/dev/null
dbs_made+=("$dj_db")
GO_URL=$(db_url "$go_db")

# start_go name port flags...: starts the app, sets go_pid.
start_go() {
	local name=$1 port=$2
	shift 2
	"$work/webapp" -addr "127.0.0.1:$port" -secret-key "$secret" -database-url "$GO_URL" "$@" \
		>"$work/$name.out" 2>"$work/$name.err" &
	go_pid=$!
	pids+=("$go_pid")
	wait_http "http://127.0.0.1:$port/healthz" "$go_pid" "$work/$name.err"
}

# go_login port: prints alice's sessionid.
go_login() {
	rm -f "$work/cookies"
	curl -fsS -o /dev/null -c "$work/cookies" --data-urlencode "username=alice" \
		--data-urlencode "password=$alice_pw" "http://127.0.0.1:$1/accounts/login/"
	awk '$6 == "sessionid" { print $7 }' "$work/cookies"
}

# stop_go pid: stops a Go server (which writes its profile, if any).
stop_go() {
	kill -TERM "$1"
	wait "$1" || true
	local kept=() pid
	for pid in "${pids[@]}"; do
		[[ "$pid" == "$1" ]] || kept+=("$pid")
	done
	pids=("${kept[@]}")
}

# Users are created (-demo) and alice logs in on a first process; the
# measured processes reuse the stored sessions, so that their CPU times and
# profiles hold no password hashing.
start_go go-pg-setup "$PORT" -demo
alice_pw=$(awk '$1 == "username" && $2 == "alice" { print $4 }' "$work/go-pg-setup.out")
[[ -n "$alice_pw" ]] || { echo "vs-django.sh: no demo password for alice" >&2; exit 1; }
gopg_cookie=$(go_login "$PORT")
stop_go "$go_pid"
start_go go-pg "$PORT" -cpuprofile "$work/go-pg.pprof"
gopg_pid=$go_pid

redis_used=1
start_go go-redis-setup $((PORT + 2)) -redis-url "$REDIS_URL/$REDIS_DB"
goredis_cookie=$(go_login $((PORT + 2)))
stop_go "$go_pid"
start_go go-redis $((PORT + 2)) -redis-url "$REDIS_URL/$REDIS_DB" -cpuprofile "$work/go-redis.pprof"
goredis_pid=$go_pid

# The Django project.
mkdir -p "$work/dj/vsdj"
touch "$work/dj/vsdj/__init__.py"
cat >"$work/dj/vsdj/settings.py" <<EOF
import os
SECRET_KEY = "$secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "vsdj.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "$dj_db",
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": None}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
EOF
cat >"$work/dj/vsdj/urls.py" <<'EOF'
from django.contrib.auth import authenticate, login
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def login_view(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return HttpResponse(status=403)
    login(request, user)
    return HttpResponse("ok")


def me(request):
    u = request.user
    if not u.is_authenticated:
        resp = JsonResponse({"authenticated": False})
    else:
        resp = JsonResponse({
            "authenticated": True, "id": u.id, "username": u.username, "email": u.email,
            "is_staff": u.is_staff, "is_superuser": u.is_superuser,
            "groups": sorted(u.groups.values_list("name", flat=True)),
            "permissions": sorted(u.get_all_permissions()),
        })
    resp["Cache-Control"] = "no-store"
    return resp


urlpatterns = [path("accounts/login/", login_view), path("api/me", me)]
EOF
cat >"$work/dj/vsdj/wsgi.py" <<'EOF'
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsdj.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
EOF
cat >"$work/dj/manage.py" <<'EOF'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsdj.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
EOF
echo "# migrating the Django database" >&2
(cd "$work/dj" && "$PY" manage.py migrate -v 0 &&
	ALICE_PW="$alice_pw" "$PY" manage.py shell -c '
import os
from django.contrib.auth.models import Permission, User
u = User.objects.create_user("alice", "alice@example.com", os.environ["ALICE_PW"])
u.user_permissions.add(Permission.objects.get(codename="view_group"))
')
(cd "$work/dj" && exec gunicorn -w 5 -k sync -b "127.0.0.1:$((PORT + 1))" --log-level warning vsdj.wsgi:application \
	>"$work/django.out" 2>"$work/django.err") &
dj_pid=$!
pids+=("$dj_pid")
wait_http "http://127.0.0.1:$((PORT + 1))/api/me" "$dj_pid" "$work/django.err"
rm -f "$work/cookies"
curl -fsS -o /dev/null -c "$work/cookies" --data-urlencode "username=alice" \
	--data-urlencode "password=$alice_pw" "http://127.0.0.1:$((PORT + 1))/accounts/login/"
dj_cookie=$(awk '$6 == "sessionid" { print $7 }' "$work/cookies")
# The subshell exec'd gunicorn: dj_pid is its master, the workers its children.
dj_workers=$(pgrep -P "$dj_pid" | tr '\n' ' ')
[[ $(wc -w <<<"$dj_workers") == 5 ]] || { echo "vs-django.sh: expected 5 gunicorn workers, got: $dj_workers" >&2; exit 1; }

declare -A port_of=([go-pg]=$PORT [django]=$((PORT + 1)) [go-redis]=$((PORT + 2)))
declare -A cookie_of=([go-pg]=$gopg_cookie [django]=$dj_cookie [go-redis]=$goredis_cookie)
declare -A pids_of=([go-pg]=$gopg_pid [django]="$dj_workers" [go-redis]=$goredis_pid)

for name in go-pg django go-redis; do
	me=$(curl -fsS -H "Cookie: sessionid=${cookie_of[$name]}" "http://127.0.0.1:${port_of[$name]}/api/me")
	echo "# $name /api/me: $me" >&2
	[[ "$me" == *'"authenticated": true'* || "$me" == *'"authenticated":true'* ]] ||
		{ echo "vs-django.sh: $name: the cookie is not logged in" >&2; exit 1; }
done

# bench label name: runs wrk, prints "| label | rps | p50 | p99 | requests | cpu µs/req | load |".
bench() {
	local label=$1 name=$2 url="http://127.0.0.1:${port_of[$2]}/api/me"
	echo "\$ wrk -t $THREADS -c $CONNECTIONS -d $DURATION --latency -H 'Cookie: sessionid=<alice>' $url" >&2
	# shellcheck disable=SC2086
	local before after
	before=$(cpu_ticks ${pids_of[$name]})
	wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -H "Cookie: sessionid=${cookie_of[$name]}" "$url" >"$work/wrk.out"
	# shellcheck disable=SC2086
	after=$(cpu_ticks ${pids_of[$name]})
	cat "$work/wrk.out" >&2
	if grep -q "Non-2xx\|Socket errors" "$work/wrk.out"; then
		echo "vs-django.sh: $label: wrk saw errors" >&2
		exit 1
	fi
	awk -v label="$label" -v ticks=$((after - before)) -v hz="$TICK" -v la="$(cut -d' ' -f1 /proc/loadavg)" '
		/requests in/ { n = $1 }
		/Requests\/sec/ { rps = $2 }
		$1 == "50%" { p50 = $2 }
		$1 == "99%" { p99 = $2 }
		END { printf "| %s | %s | %s | %s | %d | %.0f | %s |\n", label, rps, p50, p99, n, ticks / hz * 1e6 / n, la }
	' "$work/wrk.out"
}

results=()
for round in $(seq 1 "$ROUNDS"); do
	for name in go-pg django go-redis; do
		results+=("$(bench "$name, round $round" "$name")")
	done
done

# Stop the Go servers: they write their profiles on shutdown.
stop_go "$gopg_pid"
stop_go "$goredis_pid"
summary() { (cd "$repo" && go tool pprof -top -cum -nodecount 45 "$work/webapp" "$1" 2>/dev/null |
	sed -E 's/\[go\.shape\.[^]]*\]/[…]/g; s/^(File|Build ID|Type):.*$//' | grep -v '^$'); }
profile_pg=$(summary "$work/go-pg.pprof")
profile_redis=$(summary "$work/go-redis.pprof")

start_go go-pg-sessions "$PORT"
pids_of[go-pg]=$go_pid
sessions=()
seed() { # total rows wanted in djauth_session
	psql -q "$GO_URL" -v ON_ERROR_STOP=1 >/dev/null <<EOF
INSERT INTO djauth_session (token, data, expiry)
SELECT 'bench-' || md5(g::text), (SELECT data FROM djauth_session WHERE token = '${cookie_of[go-pg]}'), now() + interval '14 days'
FROM generate_series((SELECT count(*) FROM djauth_session) + 1, $1) AS g;
EOF
	psql -q "$GO_URL" -c 'VACUUM ANALYZE djauth_session' -c 'CHECKPOINT' >/dev/null
	echo "# djauth_session rows: $(psql -qtA "$GO_URL" -c 'SELECT count(*) FROM djauth_session')" >&2
}
seed 1000
sessions+=("$(bench "go-pg, 1,000 sessions" go-pg)")
seed 1000000
sessions+=("$(bench "go-pg, 1,000,000 sessions" go-pg)")
psql -q "$GO_URL" -c "DELETE FROM djauth_session WHERE token LIKE 'bench-%'" -c 'VACUUM ANALYZE djauth_session' -c 'CHECKPOINT' >/dev/null
echo "# djauth_session rows: $(psql -qtA "$GO_URL" -c 'SELECT count(*) FROM djauth_session')" >&2
sessions+=("$(bench "go-pg, back to $(psql -qtA "$GO_URL" -c 'SELECT count(*) FROM djauth_session') session(s)" go-pg)")

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs shared by the servers, wrk, PostgreSQL and other work"
echo "wrk -t $THREADS -c $CONNECTIONS -d $DURATION --latency; cpu µs/req: utime+stime of the Go process (Django: its 5 workers) / requests"
echo
echo "| Server, round | Requests/s | p50 | p99 | requests | CPU µs/req | load avg (1 min) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${results[@]}" "${sessions[@]}"
echo
printf '%s\n' "${results[@]}" | awk -F' *[|] *' '
	{ split($2, a, ", "); sum[a[1]] += $3; n[a[1]]++ }
	END {
		for (k in sum) mean[k] = sum[k] / n[k]
		printf "mean requests/s: go-pg %.0f, django %.0f, go-redis %.0f; go-pg/django %.1fx, go-redis/django %.1fx\n",
			mean["go-pg"], mean["django"], mean["go-redis"], mean["go-pg"] / mean["django"], mean["go-redis"] / mean["django"]
	}'
echo
echo "go-pg CPU profile (start-up + $ROUNDS rounds, no login), top by cumulative share:"
echo
echo "$profile_pg"
echo
echo "go-redis CPU profile (start-up + $ROUNDS rounds, no login), top by cumulative share:"
echo
echo "$profile_redis"

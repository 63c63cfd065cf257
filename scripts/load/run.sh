#!/usr/bin/env bash
# Load test of examples/webapp with wrk, on the in-memory store and on
# PostgreSQL (a scratch database that this script creates and drops).
#
#   scripts/load/run.sh                 # both stores
#   STORES=memory scripts/load/run.sh   # only one
#
# For each store it builds and starts the app on a loopback port, logs in as
# the demo user alice by POSTing the login form with curl, then runs wrk
# against /api/me with alice's session cookie and against /healthz, prints
# requests/s and the p50/p99 latencies, and stops the app. Every run is
# bounded by DURATION; the script stops by itself.
#
# Settings (environment):
#   DURATION=10s CONNECTIONS=16 THREADS=2   wrk's -d, -c and -t
#   PORT=18080                              loopback port of the app
#   ADMIN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
#                                           server where the scratch database is made
#   STORES="memory postgres"
#
# Needs: go, curl, wrk (apt-get install wrk), psql for the PostgreSQL run.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
ADMIN_DATABASE_URL=${ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
STORES=${STORES:-memory postgres}
BASE="http://127.0.0.1:${PORT}"

for tool in go curl wrk; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=""
scratch_db=""

cleanup() {
	if [[ -n "$server_pid" ]]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
	if [[ -n "$scratch_db" ]]; then
		psql -q "$ADMIN_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)" >/dev/null || true
		scratch_db=""
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "# building examples/webapp"
(cd "$repo" && go build -o "$work/webapp" ./examples/webapp)

# start_app starts the app with the given flags and waits until /healthz answers.
start_app() {
	"$work/webapp" -addr "127.0.0.1:${PORT}" -secret-key "$(head -c 48 /dev/urandom | base64 | tr -d '/+=' | head -c 50)" "$@" \
		>"$work/app.out" 2>"$work/app.err" &
	server_pid=$!
	for _ in $(seq 1 100); do
		if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "run.sh: the app exited:" >&2
			cat "$work/app.out" "$work/app.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "run.sh: the app did not answer /healthz" >&2
	exit 1
}

stop_app() {
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=""
}

# login prints the sessionid of a login as alice.
login() {
	local password
	password=$(awk '$1 == "username" && $2 == "alice" { print $4 }' "$work/app.out")
	[[ -n "$password" ]] || { echo "run.sh: no demo password for alice in the app's output" >&2; exit 1; }
	rm -f "$work/cookies"
	curl -fsS -o /dev/null -c "$work/cookies" \
		--data-urlencode "username=alice" --data-urlencode "password=${password}" \
		"$BASE/accounts/login/"
	awk '$6 == "sessionid" { print $7 }' "$work/cookies"
}

# bench runs wrk and prints one summary line: label, requests/s, p50, p99.
bench() {
	local label=$1 path=$2 cookie=${3:-}
	local args=(-t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency)
	local shown="wrk ${args[*]}"
	if [[ -n "$cookie" ]]; then
		args+=(-H "Cookie: sessionid=${cookie}")
		shown+=" -H 'Cookie: sessionid=<alice>'"
	fi
	echo "\$ $shown $BASE$path" >&2
	wrk "${args[@]}" "$BASE$path" >"$work/wrk.out"
	cat "$work/wrk.out" >&2
	if grep -q "Non-2xx" "$work/wrk.out"; then
		echo "run.sh: $label answered non-2xx responses" >&2
		exit 1
	fi
	awk -v label="$label" '
		/Requests\/sec/ { rps = $2 }
		$1 == "50%" { p50 = $2 }
		$1 == "99%" { p99 = $2 }
		END { printf "| %s | %s | %s | %s |\n", label, rps, p50, p99 }
	' "$work/wrk.out"
}

results=()
for store in $STORES; do
	case "$store" in
	memory)
		start_app -demo
		;;
	postgres)
		command -v psql >/dev/null || { echo "run.sh: psql is not installed" >&2; exit 1; }
		scratch_db="djauth_load_$$"
		psql -q "$ADMIN_DATABASE_URL" -c "CREATE DATABASE \"$scratch_db\"" >/dev/null
		db_url=$(echo "$ADMIN_DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/${scratch_db}#")
		start_app -demo -database-url "$db_url"
		;;
	*)
		echo "run.sh: unknown store $store" >&2
		exit 1
		;;
	esac
	cookie=$(login)
	[[ -n "$cookie" ]] || { echo "run.sh: login gave no session cookie" >&2; exit 1; }
	me=$(curl -fsS -H "Cookie: sessionid=${cookie}" "$BASE/api/me")
	echo "# $store: /api/me as alice: $me" >&2
	[[ "$me" == *'"username":"alice"'* ]] || { echo "run.sh: the cookie is not logged in" >&2; exit 1; }
	results+=("$(bench "$store /api/me (alice)" /api/me "$cookie")")
	results+=("$(bench "$store /healthz" /healthz)")
	stop_app
	if [[ "$store" == postgres ]]; then
		psql -q "$ADMIN_DATABASE_URL" -c "DROP DATABASE \"$scratch_db\" WITH (FORCE)" >/dev/null
		scratch_db=""
	fi
done

echo
echo "wrk -t $THREADS -c $CONNECTIONS -d $DURATION --latency, $(nproc) CPUs shared by app and wrk"
echo
echo "| Store and path | Requests/s | p50 | p99 |"
echo "| --- | ---: | ---: | ---: |"
printf '%s\n' "${results[@]}"

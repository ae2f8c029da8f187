#!/usr/bin/env bash
# .ci/postgres.sh: make a local PostgreSQL available to the tests and print the DSN to use,
# alone on stdout; everything else goes to stderr. .ci/run uses it as
#
#	AMPLIFYBACKEND_TEST_POSTGRES=$(.ci/postgres.sh)
#	export AMPLIFYBACKEND_TEST_POSTGRES
#
# When a server already answers on 127.0.0.1:5432 and lets the DSN's role in, it only prints
# the DSN (well under a second). Otherwise, on Debian or Ubuntu, as root (or with sudo):
#
#  1. installs the `postgresql` package if it is missing (its install creates the cluster
#     "main" on port 5432; the script creates it if the install did not);
#  2. starts the cluster with pg_ctlcluster (no systemd needed, as in a container);
#  3. if the DSN is refused, puts `host all all 127.0.0.1/32 trust` (and ::1/128) FIRST in the
#     cluster's pg_hba.conf and reloads. The first matching line wins, and a fresh Debian
#     cluster asks TCP clients for a password (scram-sha-256), so the line must come before
#     Debian's. The DSN then needs no password: any local user of the machine may connect as
#     any role over loopback. That is fine for a throwaway CI machine, never for a server
#     that matters (use a password there, in the DSN or ~/.pgpass);
#  4. waits until the DSN connects, and prints it.
#
# It is idempotent: run it as often as you like. Settings (environment variables):
#   PG_PORT=5432      the port
#   PG_CLUSTER=main   the Debian cluster to create and start
#   PG_WAIT=30        seconds to wait for the server to accept connections
set -euo pipefail

PORT=${PG_PORT:-5432}
CLUSTER=${PG_CLUSTER:-main}
WAIT=${PG_WAIT:-30}
DSN="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
MARK="# added by amplifybackendd .ci/postgres.sh: trust loopback TCP (CI only)"

say() { echo "postgres.sh: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# as_root runs a command as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root (or sudo) to $*"
	fi
}

# as_postgres runs a command as the postgres OS user, whom Debian's clusters let in through
# the Unix socket (peer authentication) whatever pg_hba.conf says about TCP. It runs from /,
# a directory that user may enter.
as_postgres() {
	(
		cd /
		if [ "$(id -un)" = postgres ]; then
			"$@"
		elif [ "$(id -u)" = 0 ]; then
			runuser -u postgres -- "$@"
		else
			sudo -u postgres "$@"
		fi
	)
}

# server_version prints the newest PostgreSQL version whose server is installed.
server_version() {
	local bin
	for bin in /usr/lib/postgresql/*/bin/postgres; do
		[ -x "$bin" ] && basename "$(dirname "$(dirname "$bin")")"
	done | sort -V | tail -n 1
}

# ready: the server accepts connections on the port (pg_isready, or a bare TCP connect when
# the client tools are not installed yet).
ready() {
	if command -v pg_isready >/dev/null; then
		pg_isready -q -h 127.0.0.1 -p "$PORT" -t 2
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
	fi
}

# connects: the DSN itself works, without a password (-w: never prompt).
connects() {
	PGCONNECT_TIMEOUT=5 psql -w -X -Atq -d "$DSN" -c 'SELECT 1' >/dev/null 2>&1
}

# Fast path: a server already runs and lets us in.
if ready; then
	if ! command -v psql >/dev/null; then
		say "a server answers on 127.0.0.1:$PORT; psql is not installed, so the DSN is not checked"
		echo "$DSN"
		exit 0
	fi
	if connects; then
		echo "$DSN"
		exit 0
	fi
fi

# Install: the server of some version, and pg_ctlcluster (from postgresql-common).
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(server_version)" ]; then
	command -v apt-get >/dev/null || die "no PostgreSQL on 127.0.0.1:$PORT and no apt-get to install one"
	say "installing postgresql"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# The newest installed server; create its cluster if the install did not (createcluster.conf
# saying create_main_cluster = false, or another PG_CLUSTER).
VERSION=$(server_version)
[ -n "$VERSION" ] || die "postgresql is installed but no server is under /usr/lib/postgresql"
if [ ! -d "/etc/postgresql/$VERSION/$CLUSTER" ]; then
	say "creating cluster $VERSION/$CLUSTER on port $PORT"
	as_root pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" >/dev/null
fi

# Start (a no-op error when it already runs, hence the status check first).
if ! as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" status >/dev/null 2>&1; then
	say "starting cluster $VERSION/$CLUSTER"
	as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start
fi
for ((i = 0; i < WAIT * 10; i++)); do
	ready && break
	sleep 0.1
done
ready || die "cluster $VERSION/$CLUSTER does not accept connections on 127.0.0.1:$PORT after ${WAIT}s; see /var/log/postgresql/"

# Authentication: trust loopback TCP, ahead of Debian's password lines.
if ! connects; then
	HBA=$(as_postgres psql -X -Atq -p "$PORT" -c 'SHOW hba_file') || die "cannot ask the server for its pg_hba.conf as OS user postgres"
	if ! as_root grep -qxF "$MARK" "$HBA"; then
		say "trusting loopback TCP connections in $HBA"
		tmp=$(mktemp)
		{
			echo "$MARK"
			echo "host    all             all             127.0.0.1/32            trust"
			echo "host    all             all             ::1/128                 trust"
			as_root cat "$HBA"
		} >"$tmp"
		as_root cp "$tmp" "$HBA"
		rm -f "$tmp"
	fi
	as_postgres psql -X -Atq -p "$PORT" -c 'SELECT pg_reload_conf()' >/dev/null
	for ((i = 0; i < 50; i++)); do
		connects && break
		sleep 0.1
	done
	connects || die "still cannot connect to $DSN after trusting loopback in $HBA"
fi

echo "$DSN"

# shellcheck shell=bash
# Sourced by scripts/demo.sh and tests/Benchmarks: start a private PostgreSQL cluster on a free
# loopback port with password authentication, and remove it when the calling script exits.
#
#   source scripts/lib/throwaway-postgres.sh
#   throwaway_postgres_start        # exports PGHOST PGPORT PGUSER PGPASSWORD, sets PG_BIN
#   throwaway_postgres_load_sample excel_medical 1

throwaway_postgres_start() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -z "$PG_BIN" ]]; then
    echo "PostgreSQL server binaries are missing: install them with 'apt-get install postgresql'." >&2
    return 1
  fi

  _tp_work="$(mktemp -d /tmp/runbook-pg-XXXXXX)"
  chmod 755 "$_tp_work"
  _tp_as=()
  if [[ "$(id -u)" == "0" ]]; then
    # initdb refuses to run as root; the cluster belongs to the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    chown postgres "$_tp_work"
    _tp_as=(runuser -u postgres --)
  fi

  local port password
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  password="pg-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  (umask 077; printf '%s\n' "$password" > "$_tp_work/pwfile")
  [[ ${#_tp_as[@]} -gt 0 ]] && chown postgres "$_tp_work/pwfile"

  trap throwaway_postgres_stop EXIT
  "${_tp_as[@]}" "$PG_BIN/initdb" -D "$_tp_work/data" -U postgres --pwfile="$_tp_work/pwfile" -A scram-sha-256 >/dev/null
  "${_tp_as[@]}" "$PG_BIN/pg_ctl" -D "$_tp_work/data" -l "$_tp_work/server.log" -w \
    -o "-p $port -k $_tp_work -c listen_addresses=127.0.0.1 ${THROWAWAY_PG_OPTIONS:-}" start >/dev/null

  export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$password"
}

throwaway_postgres_stop() {
  if [[ -n "${_tp_work:-}" ]]; then
    "${_tp_as[@]}" "$PG_BIN/pg_ctl" -D "$_tp_work/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$_tp_work"
    _tp_work=""
  fi
}

# throwaway_postgres_load_sample <database> <scale>
throwaway_postgres_load_sample() {
  local database="$1" scale="$2" repo
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  "$PG_BIN/psql" -q -d postgres -c "CREATE DATABASE $database" >/dev/null
  "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -d "$database" -f "$repo/samples/excel_medical_sample.sql" \
    -c "SELECT load_excel_medical_sample($scale, now())" >/dev/null
}

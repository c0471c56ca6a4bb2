#!/usr/bin/env bash
# Quick start: run the real backup playbook against a throwaway PostgreSQL with sample data.
#
#   scripts/demo.sh
#
# Starts a private PostgreSQL cluster on a free port (Debian's binaries), loads the Excel Medical
# sample data, runs `runbook run playbooks/backup.yaml`, prints the backup folder and its
# summary, then stops the cluster and removes it. The backups stay in ./demo-backups.
# MongoDB steps skip with a message (no MONGO_URI); set MONGO_URI to include them.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

scripts/install-prerequisites.sh
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "$pg_bin" ]]; then
  echo "PostgreSQL server binaries are missing: install them with 'apt-get install postgresql' (Debian/Ubuntu)." >&2
  exit 1
fi

work="$(mktemp -d /tmp/runbook-demo-XXXXXX)"
chmod 755 "$work"
as_cluster_user=()
if [[ "$(id -u)" == "0" ]]; then
  # initdb refuses to run as root; the cluster belongs to the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  chown postgres "$work"
  as_cluster_user=(runuser -u postgres --)
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
password="demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$password" > "$work/pwfile"
[[ ${#as_cluster_user[@]} -gt 0 ]] && chown postgres "$work/pwfile"

cleanup() {
  "${as_cluster_user[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> starting a throwaway PostgreSQL ($pg_bin) on 127.0.0.1:$port"
"${as_cluster_user[@]}" "$pg_bin/initdb" -D "$work/data" -U postgres --pwfile="$work/pwfile" -A scram-sha-256 >/dev/null
"${as_cluster_user[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1" start >/dev/null

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$password"
echo "==> loading the Excel Medical sample data into database excel_medical"
"$pg_bin/psql" -q -d postgres -c "CREATE DATABASE excel_medical" >/dev/null
"$pg_bin/psql" -q -v ON_ERROR_STOP=1 -d excel_medical -f samples/excel_medical_sample.sql \
  -c "SELECT load_excel_medical_sample(1, now())" >/dev/null

echo "==> building runbook"
dotnet build engine/ExcelMedical.DbRunbook.Cli -c Release -nologo -v quiet -nodeReuse:false >/dev/null
runbook=(dotnet "$repo/engine/ExcelMedical.DbRunbook.Cli/bin/Release/net10.0/runbook.dll")

export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$port" POSTGRES_USER=postgres \
  POSTGRES_PASSWORD="$password" POSTGRES_DB=excel_medical \
  BACKUP_ROOT_DIR="$repo/demo-backups" RUNBOOK_STATE_DIR="$repo/demo-backups/.runbook-state"
unset PGPASSWORD

echo "==> runbook run playbooks/backup.yaml"
"${runbook[@]}" run playbooks/backup.yaml

echo
echo "==> $BACKUP_ROOT_DIR"
find "$BACKUP_ROOT_DIR" -path "$RUNBOOK_STATE_DIR" -prune -o -type f -printf '%M %8s  %P\n' | sort -k3
day="$(ls -d "$BACKUP_ROOT_DIR"/20??-??-?? | sort | tail -n 1)"
echo
echo "==> $day/backup_summary.txt"
cat "$day/backup_summary.txt"

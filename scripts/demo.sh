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
source scripts/lib/throwaway-postgres.sh
echo "==> starting a throwaway PostgreSQL on 127.0.0.1"
throwaway_postgres_start
password="$PGPASSWORD"
echo "==> loading the Excel Medical sample data into database excel_medical"
throwaway_postgres_load_sample excel_medical 1

echo "==> building runbook"
dotnet build engine/ExcelMedical.DbRunbook.Cli -c Release -nologo -v quiet -nodeReuse:false >/dev/null
runbook=(dotnet "$repo/engine/ExcelMedical.DbRunbook.Cli/bin/Release/net10.0/runbook.dll")

export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$PGPORT" POSTGRES_USER=postgres \
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

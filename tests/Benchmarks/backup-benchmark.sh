#!/usr/bin/env bash
# Benchmark of runbook's PostgreSQL backup against the guide's pipeline and the raw floor.
# Run by hand (not part of the test suite):
#
#   tests/Benchmarks/backup-benchmark.sh            # ~1 GB sample database (scale 100)
#   BENCH_SCALE=20 tests/Benchmarks/backup-benchmark.sh
#
# On one throwaway PostgreSQL with the sample data it times, in this order:
#   raw floor        pg_dump -Fc -Z0 > /dev/null
#   guide pipeline   pg_dump -Fc -Z0 | gzip -6 > file
#   runbook          the postgres.dump step (pg_dump -Fc -Z0 through runbook's parallel gzip)
#   verification     the postgres.verify step on runbook's file (every byte read)
# and prints wall times, ratios, output sizes and runbook's peak memory (max RSS).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
scale="${BENCH_SCALE:-100}"

source scripts/lib/throwaway-postgres.sh
throwaway_postgres_start
out="$(mktemp -d /tmp/runbook-bench-XXXXXX)"
trap 'throwaway_postgres_stop; rm -rf "$out"' EXIT

echo "==> loading sample data at scale $scale"
throwaway_postgres_load_sample bench "$scale"
db_size="$("$PG_BIN/psql" -d bench -Atc "select pg_database_size('bench')")"
pg_dump_bin="$PG_BIN/pg_dump"

dotnet build engine/ExcelMedical.DbRunbook.Cli -c Release -nologo -v quiet -nodeReuse:false >/dev/null
runbook="$repo/engine/ExcelMedical.DbRunbook.Cli/bin/Release/net10.0/runbook.dll"

cat > "$out/bench.yaml" <<'YAML'
name: bench
connections:
  postgres: { host: "{{ env.PGHOST }}", port: "{{ env.PGPORT }}", user: "{{ env.PGUSER }}", password: "{{ env.PGPASSWORD }}", database: bench }
steps:
  - id: pg_dump
    uses: postgres.dump
    with: { file: "{{ env.OUT }}/day/postgres_bench.sql.gz" }
  - id: pg_verify
    uses: postgres.verify
    with: { file: "{{ steps.pg_dump.outputs.file }}", dump_step: pg_dump }
YAML

# seconds <command...>: wall time of a shell pipeline, printed with millisecond precision.
seconds() { local start end; start=$(date +%s.%N); bash -o pipefail -c "$1"; end=$(date +%s.%N); echo "$end - $start" | bc -l; }

# Warm the page cache so the first measurement is not penalised.
"$pg_dump_bin" -Fc -Z0 bench > /dev/null

raw=$(seconds "'$pg_dump_bin' -Fc -Z0 bench > /dev/null")
raw_bytes=$("$pg_dump_bin" -Fc -Z0 bench | wc -c)
guide=$(seconds "'$pg_dump_bin' -Fc -Z0 bench | gzip -6 > '$out/guide.sql.gz'")
guide_bytes=$(stat -c %s "$out/guide.sql.gz")

export OUT="$out" RUNBOOK_STATE_DIR="$out/state"
python3 - "$runbook" "$out" <<'PY' > "$out/runbook.txt"
import json, glob, resource, subprocess, sys, time
runbook, out = sys.argv[1], sys.argv[2]
start = time.monotonic()
subprocess.run(["dotnet", runbook, "run", "--quiet", f"{out}/bench.yaml"], check=True)
wall = time.monotonic() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
record = json.load(open(sorted(glob.glob(f"{out}/state/runs/bench/*.json"))[-1]))
steps = {s["id"]: s for s in record["steps"]}
def secs(d):
    h, m, s = d.split(":"); return int(h) * 3600 + int(m) * 60 + float(s)
print(secs(steps["pg_dump"]["duration"]), secs(steps["pg_verify"]["duration"]), wall, peak_kib)
PY
read -r runbook_dump runbook_verify runbook_wall peak_kib < "$out/runbook.txt"
runbook_bytes=$(stat -c %s "$out/day/postgres_bench.sql.gz")
gunzip -t "$out/day/postgres_bench.sql.gz"

ratio() { echo "scale=3; $1 / $2" | bc -l; }
printf '\nPostgreSQL backup benchmark — %s cores, database %s MB (sample scale %s), raw dump %s MB\n\n' \
  "$(nproc)" "$((db_size / 1048576))" "$scale" "$((raw_bytes / 1048576))"
printf '%-40s %9s %12s\n' "" "seconds" "output MB"
printf '%-40s %9.2f %12s\n' "raw floor: pg_dump -Fc -Z0 > /dev/null" "$raw" "-"
printf '%-40s %9.2f %12.1f\n' "guide: pg_dump -Fc -Z0 | gzip -6" "$guide" "$(echo "$guide_bytes / 1048576" | bc -l)"
printf '%-40s %9.2f %12.1f\n' "runbook postgres.dump (step time)" "$runbook_dump" "$(echo "$runbook_bytes / 1048576" | bc -l)"
printf '%-40s %9.2f %12s\n' "runbook postgres.verify (every byte)" "$runbook_verify" "-"
printf '%-40s %9.2f %12s\n' "runbook process, wall (incl. startup)" "$runbook_wall" "-"
printf '\nrunbook / guide pipeline:   %sx   (target <= 0.3x)\n' "$(ratio "$runbook_dump" "$guide")"
printf 'runbook / raw floor:        %sx\n' "$(ratio "$runbook_dump" "$raw")"
printf 'runbook size / gzip -6:     %sx   (target <= 1.05x)\n' "$(ratio "$runbook_bytes" "$guide_bytes")"
printf 'runbook peak memory (RSS):  %s MB   (target < 200 MB)\n' "$((peak_kib / 1024))"

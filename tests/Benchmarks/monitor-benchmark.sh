#!/usr/bin/env bash
# Benchmark of one PostgreSQL monitor run against check_postgres's matching actions.
# Run by hand (not part of the test suite):
#
#   tests/Benchmarks/monitor-benchmark.sh                        # 1,000 tables of ~1.1 MB (~1.6 GB)
#   BENCH_TABLES=200 BENCH_ROWS=2000 tests/Benchmarks/monitor-benchmark.sh
#
# On one throwaway PostgreSQL it creates BENCH_TABLES tables (primary key and one never-used
# index each, BENCH_ROWS rows; every 10th table half deleted, so there is bloat to find), then
# times, after one warm-up of each, BENCH_REPEAT times (median):
#   check_postgres   the actions matching runbook's metrics, one process each, one after another:
#                    backends, database_size, query_time, bloat, hitratio, txn_wraparound
#   runbook          `runbook run` of a playbook with postgres.metrics only: the step's own time
#                    (from the run record) and the whole process (wall, including .NET startup),
#                    built three ways: `dotnet build -c Release`; `dotnet publish -r linux-x64
#                    -p:PublishReadyToRun=true` (precompiled, as a deployment should be: a monitor
#                    run is a short process and JIT is a third of it); and that publish with
#                    bloat_min_pages 0, measuring every table and index as check_postgres does
# and prints both, the ratio (target: runbook <= 0.5x check_postgres) and what each one found.
# runbook covers more than those actions: btree index bloat next to table bloat (check_postgres's
# bloat action does both), unused indexes (with the statistics' age), multixact age as well as
# xid age, long queries with their masked text, a cache ratio since the previous run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
tables="${BENCH_TABLES:-1000}"
rows="${BENCH_ROWS:-15000}"
repeat="${BENCH_REPEAT:-3}"
actions=(backends database_size query_time bloat hitratio txn_wraparound)

if ! command -v check_postgres >/dev/null 2>&1; then
  if [[ "$(id -u)" != "0" ]]; then
    echo "check_postgres is missing: sudo apt-get install check-postgres" >&2
    exit 1
  fi
  echo "==> apt-get install check-postgres"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq check-postgres >/dev/null
fi

source scripts/lib/throwaway-postgres.sh
throwaway_postgres_start
out="$(mktemp -d /tmp/runbook-monbench-XXXXXX)"
trap 'throwaway_postgres_stop; rm -rf "$out"' EXIT
psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)

echo "==> creating $tables tables of $rows rows in database bench"
"${psql[@]}" -d postgres -c "CREATE DATABASE bench"
"${psql[@]}" -d bench <<SQL
DO \$\$
BEGIN
  FOR i IN 1..$tables LOOP
    EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, grp int NOT NULL, note text NOT NULL)', i);
    EXECUTE format('INSERT INTO t%s SELECT g, g %% 100, md5(g::text) FROM generate_series(1, $rows) g', i);
    EXECUTE format('CREATE INDEX t%s_grp_idx ON t%s (grp)', i, i);
  END LOOP;
END
\$\$;
SQL
"${psql[@]}" -d bench -c "VACUUM ANALYZE"
"${psql[@]}" -d bench <<SQL
DO \$\$
BEGIN
  FOR i IN 10..$tables BY 10 LOOP
    EXECUTE format('DELETE FROM t%s WHERE id %% 2 = 0', i);
    EXECUTE format('ANALYZE t%s', i);
  END LOOP;
END
\$\$;
SQL
db_size="$("${psql[@]}" -d bench -Atc "SELECT pg_database_size('bench')")"

echo "==> building runbook (Release, and a ReadyToRun publish)"
dotnet build engine/ExcelMedical.DbRunbook.Cli -c Release -nologo -v quiet -nodeReuse:false >/dev/null
dotnet publish engine/ExcelMedical.DbRunbook.Cli -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$out/r2r" -nologo -v quiet -nodeReuse:false >/dev/null
built="$repo/engine/ExcelMedical.DbRunbook.Cli/bin/Release/net10.0/runbook.dll"

for min_pages in 128 0; do
  cat > "$out/monbench$min_pages.yaml" <<YAML
name: monbench$min_pages
connections:
  postgres: { host: "{{ env.PGHOST }}", port: "{{ env.PGPORT }}", user: "{{ env.PGUSER }}", password: "{{ env.PGPASSWORD }}", database: bench }
steps:
  - id: pg
    uses: postgres.metrics
    with: { long_query_threshold: 30s, bloat_min_pages: $min_pages }
YAML
done

export OUT="$out" RUNBOOK_STATE_DIR="$out/state" PATH="$PG_BIN:$PATH" BENCH_DB=bench
python3 - "$built" "$out" "$repeat" "${actions[@]}" <<'PY'
import glob, json, os, statistics, subprocess, sys, time
built, out, repeat, actions = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
variants = [("Release build", built, 128), ("ReadyToRun publish", f"{out}/r2r/runbook.dll", 128),
            ("ReadyToRun, bloat_min_pages 0", f"{out}/r2r/runbook.dll", 0)]
base = ["check_postgres", "-H", os.environ["PGHOST"], "-p", os.environ["PGPORT"], "-u", os.environ["PGUSER"], "--dbname=bench"]
extra = {"database_size": ["-w", "100GB", "-c", "200GB"], "query_time": ["-w", "20s", "-c", "30s"]}

def check_postgres():
    """One process per action, one after another; returns total seconds, per-action seconds, first lines."""
    per, lines = {}, {}
    for action in actions:
        start = time.monotonic()
        result = subprocess.run(base + ["--action=" + action] + extra.get(action, []), capture_output=True, text=True)
        per[action] = time.monotonic() - start
        lines[action] = (result.stdout or result.stderr).strip().splitlines()[0][:150]
    return sum(per.values()), per, lines

def secs(d):
    h, m, s = d.split(":"); return int(h) * 3600 + int(m) * 60 + float(s)

def runbook_run(dll, min_pages):
    start = time.monotonic()
    subprocess.run(["dotnet", dll, "run", "--quiet", f"{out}/monbench{min_pages}.yaml"], check=True)
    wall = time.monotonic() - start
    record = json.load(open(sorted(glob.glob(f"{out}/state/runs/monbench{min_pages}/*.json"))[-1]))
    step = record["steps"][0]
    return secs(step["duration"]), wall, step["outputs"]

def found(outputs):
    samples = outputs["samples"]
    count = lambda metric, over=-1: len([s for s in samples if s["metric"] == metric and (s["value"] or 0) > over])
    return {"tables": count("postgres.bloat_pct"), "tables_over_50": count("postgres.bloat_pct", 50),
            "indexes": count("postgres.index_bloat_pct"), "indexes_over_30": count("postgres.index_bloat_pct", 30),
            "unused_indexes": len(outputs["unused_indexes"]), "unknown": outputs["unknown_count"],
            **{k: outputs.get(k) for k in ("db_size_bytes", "connections", "longest_query_seconds", "bloat_method", "max_bloat_pct",
                                           "max_index_bloat_pct", "xid_age", "mxid_age", "wraparound_pct", "cache_hit_pct", "cache_hit_note", "stats_age_days")}}

# Warm-up (page cache, catalog caches), then the rounds interleaved so load from elsewhere hits all alike.
check_postgres()
for _, dll, min_pages in variants:
    runbook_run(dll, min_pages)
cp, rb = [], {name: [] for name, _, _ in variants}
for _ in range(repeat):
    cp.append(check_postgres())
    for name, dll, min_pages in variants:
        rb[name].append(runbook_run(dll, min_pages))
with open(f"{out}/result.json", "w") as f:
    json.dump({"cp_total": statistics.median(c[0] for c in cp),
               "cp_per": {a: statistics.median(c[1][a] for c in cp) for a in actions}, "cp_lines": cp[-1][2],
               "runbook": {name: {"step": statistics.median(r[0] for r in runs), "wall": statistics.median(r[1] for r in runs),
                                  "found": found(runs[-1][2])} for name, runs in rb.items()}}, f)
PY

python3 - "$out/result.json" "$tables" "$rows" "$db_size" "$repeat" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1])); tables, rows, size, repeat = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
print(f"\nPostgreSQL monitor benchmark — {os.cpu_count()} cores, {tables} tables x {rows} rows, database {size / 1048576:.0f} MB, median of {repeat}\n")
print(f"{'':64} {'seconds':>8} {'ratio':>7}")
for action, seconds in r["cp_per"].items():
    print(f"  check_postgres --action={action:<38} {seconds:8.3f}")
cp = r["cp_total"]
print(f"{'check_postgres, ' + str(len(r['cp_per'])) + ' actions (one process each)':64} {cp:8.3f} {1:7.2f}")
for name, v in r["runbook"].items():
    print(f"{'runbook postgres.metrics step, ' + name:64} {v['step']:8.3f} {v['step'] / cp:7.2f}")
    print(f"{'  whole process (incl. .NET startup)':64} {v['wall']:8.3f} {v['wall'] / cp:7.2f}")
target = r["runbook"]["ReadyToRun publish"]["step"] / cp
print(f"\nrunbook step (ReadyToRun, defaults) / check_postgres: {target:.2f}x   (target <= 0.5x: {'met' if target <= 0.5 else 'NOT met'})")
print("\ncheck_postgres said:")
for action, line in r["cp_lines"].items():
    print(f"  {line}")
for name in ("ReadyToRun publish", "ReadyToRun, bloat_min_pages 0"):
    f = r["runbook"][name]["found"]
    print(f"runbook found ({name}):")
    print(f"  database size {f['db_size_bytes'] / 1048576:.0f} MB, {f['connections']} connections, longest query {f['longest_query_seconds']} s")
    print(f"  table bloat ({f['bloat_method']}): {f['tables']} tables measured, {f['tables_over_50']} over 50%, worst {f['max_bloat_pct']}%")
    print(f"  btree index bloat (estimate): {f['indexes']} indexes measured, {f['indexes_over_30']} over 30%, worst {f['max_index_bloat_pct']}%")
    print(f"  unused indexes: {f['unused_indexes']} (statistics {f['stats_age_days']} days old) — check_postgres has no such action")
    print(f"  wraparound: xid age {f['xid_age']} ({f['wraparound_pct']}% of autovacuum_freeze_max_age), multixact age {f['mxid_age']}")
    print(f"  cache hit ratio since the previous run: {f['cache_hit_pct']}%" if f['cache_hit_pct'] is not None else f"  cache hit ratio: {f['cache_hit_note']}")
    print(f"  unreadable metrics: {f['unknown']}")
PY

#!/usr/bin/env bash
# How much CPU `runbook schedule` uses while it waits between runs. Run by hand (not part of
# the test suite):
#
#   tests/Benchmarks/scheduler-idle.sh                 # 30 s measurement, default 5 s file checks
#   IDLE_SECONDS=120 POLL=1s tests/Benchmarks/scheduler-idle.sh
#
# It starts the Release build of `runbook schedule` on a folder of three playbooks whose next
# runs are months away, lets it settle (start-up, JIT, tiered compilation), then reads the
# process's user+system CPU time from /proc/<pid>/stat before and after the measurement and
# prints the average CPU use, with `sleep` measured the same way as the floor.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
seconds="${IDLE_SECONDS:-30}"
settle="${SETTLE_SECONDS:-10}"
poll="${POLL:-5s}"

dotnet build engine/ExcelMedical.DbRunbook.Cli -c Release -nologo -v quiet -nodeReuse:false >/dev/null
runbook="$repo/engine/ExcelMedical.DbRunbook.Cli/bin/Release/net10.0/runbook.dll"

work="$(mktemp -d /tmp/runbook-idle-XXXXXX)"
pid=""
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/playbooks"
for name in backup maintenance report; do
  cat > "$work/playbooks/$name.yaml" <<YAML
name: $name
schedule: "0 3 1 1 *"        # 1 January, 03:00: far away
steps:
  - id: hello
    uses: shell
    with: { program: "true" }
YAML
done

ticks_per_second="$(getconf CLK_TCK)"
# cpu_ticks <pid>: utime + stime of the process (fields 14 and 15 of /proc/<pid>/stat).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# measure <pid> <label>: average CPU use of <pid> over $seconds.
measure() {
  local before after used
  before="$(cpu_ticks "$1")"
  sleep "$seconds"
  after="$(cpu_ticks "$1")"
  used="$(echo "($after - $before) / $ticks_per_second" | bc -l)"
  printf '%-34s %6.3f s CPU in %s s = %7.4f %% of one core\n' "$2" "$used" "$seconds" "$(echo "100 * $used / $seconds" | bc -l)"
}

RUNBOOK_STATE_DIR="$work/state" dotnet "$runbook" schedule "$work/playbooks" --poll-interval "$poll" > "$work/scheduler.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "scheduler:" "$work/scheduler.log" 2>/dev/null && break; sleep 0.1; done
grep -q "scheduler:" "$work/scheduler.log" || { cat "$work/scheduler.log"; echo "the scheduler did not start" >&2; exit 1; }
echo "==> runbook schedule (pid $pid) started; settling for ${settle}s, then measuring for ${seconds}s (file checks every $poll)"
sleep "$settle"
threads="$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")"
rss="$(awk '/^VmRSS:/ { print $2 / 1024 " MB" }' "/proc/$pid/status")"
measure "$pid" "runbook schedule (idle)"

sleep "$((seconds + 5))" & floor=$!
measure "$floor" "sleep (the floor)"
wait "$floor" 2>/dev/null || true

echo "threads: $threads, resident memory: $rss"
kill -TERM "$pid"; wait "$pid" && echo "SIGTERM: exit code 0"; pid=""
tail -n 3 "$work/scheduler.log"

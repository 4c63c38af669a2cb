#!/usr/bin/env bash
# The performance benchmark: the emulator against a minimal axum server (the floor) on this
# machine, in one run. Writes its part of docs/benchmarks.md (between the markers). Needs wrk
# and valgrind (installed with apt-get if missing) and python3. Every load is bounded:
# DURATION (default 10s) per wrk run, the seeding by its count.
#
#   bench/run.sh                 # full run, 1 000 000 backups for the large store
#   BIG=200000 DURATION=5s bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
BIG=${BIG:-1000000}
SMALL=1000
OUT=docs/benchmarks.md
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked --quiet --bin taurusdb-emulator --example floor
EMULATOR=target/release/taurusdb-emulator
FLOOR=target/release/examples/floor

# start NAME COMMAND...: runs a server on a free port; sets PORT and PID.
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 200); do
    PORT=$(grep -o 'listening on https\?://[0-9.]*:[0-9]*' "$work/$name.out" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "$name did not start" >&2; cat "$work/$name.out" >&2; exit 1
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# wrk_run NAME URL SCRIPT [LIMIT]: a bounded wrk run, output kept in $work/NAME.wrk.
wrk_run() {
  LIMIT=${4:-0} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$3" "$2" >"$work/$1.wrk"
}
# Figures from a wrk report.
rps() { awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/$1.wrk"; }
percentile() { # $1 name, $2 50% or 99%: latency in ms
  awk -v p="$2" '$1 == p { v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.3f", v * f }' "$work/$1.wrk"
}
non2xx() { awk '/Non-2xx/ {n=$NF} /requests in/ {t=$1} END {printf "%.2f", (t ? 100 * n / t : 0)}' "$work/$1.wrk"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

emulator_args=(--port 0 --lifecycle time --backup-duration 0s --automated-backups false
  --max-backups-per-project 100000000 --request-timeout 30s)

# Creates, in ROUNDS alternating rounds: the shared machine's noise moves both alike, and the
# round with the median ratio is reported. Five rounds: single rounds on the shared 2-core
# machine have ranged from 0.71 to 0.88 for one pair of builds, and a median of three moved
# with a single outlier. Each round runs every shape: the floor and the emulator's token
# create over plain HTTP, the emulator's AK/SK-signed create in strict auth (signed as the
# Huawei SDK signs, by bench/instructions.py, resent as it is: bench/signed_create.lua), then
# the same three over TLS (the floor's own TLS mode: rustls as the emulator's).
ROUNDS=${ROUNDS:-5}
# shape NAME ROUND SCHEME SCRIPT SERVER...: one wrk run of a shape, kept in $work/NAMEROUND.wrk.
shape() {
  local name=$1 round=$2 scheme=$3 script=$4; shift 4
  start "$name" "$@"
  if [ "$script" = bench/signed_create.lua ]; then
    python3 bench/instructions.py signed-request "127.0.0.1:$PORT" >"$work/signed"
  fi
  SIGNED="$work/signed" wrk_run "$name$round" "$scheme://127.0.0.1:$PORT" "$script"
  stop "$PID"
}
for round in $(seq "$ROUNDS"); do
  echo "== create, round $round: floor, emulator, signed; the same over TLS"
  shape floor "$round" http bench/create.lua "$FLOOR" 0
  shape emulator "$round" http bench/create.lua "$EMULATOR" "${emulator_args[@]}"
  shape signed "$round" http bench/signed_create.lua "$EMULATOR" "${emulator_args[@]}" --auth strict
  shape floor_tls "$round" https bench/create.lua "$FLOOR" 0 tls
  shape tls "$round" https bench/create.lua "$EMULATOR" "${emulator_args[@]}" --tls
  shape signed_tls "$round" https bench/signed_create.lua "$EMULATOR" "${emulator_args[@]}" --auth strict --tls
done
# median SHAPE FLOOR: copies the round with the median ratio of SHAPE to FLOOR to SHAPE.wrk
# and FLOOR_for_SHAPE.wrk; sets SHAPE_rounds to every round's ratio, in order.
median() {
  local shape=$1 floor=$2 table="" r round
  for round in $(seq "$ROUNDS"); do
    r=$(awk -v a="$(awk '/^Requests\/sec/ {print $2}' "$work/$shape$round.wrk")" \
            -v b="$(awk '/^Requests\/sec/ {print $2}' "$work/$floor$round.wrk")" 'BEGIN {printf "%.3f", a / b}')
    table+="$r $round"$'\n'
  done
  round=$(printf '%s' "$table" | sort -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) {print $2}')
  declare -g "${shape}_rounds=$(printf '%s' "$table" | sort -k2 -n | awk '{printf "%s%.2f", (NR > 1 ? ", " : ""), $1}')"
  cp "$work/$shape$round.wrk" "$work/$shape.wrk"
  cp "$work/$floor$round.wrk" "$work/${floor}_for_$shape.wrk"
}
median emulator floor
median signed floor
median tls floor_tls
median signed_tls floor_tls
cp "$work/floor_for_emulator.wrk" "$work/floor.wrk"
all_ratios=$emulator_rounds

# seeded NAME N CONNECTIONS: an emulator seeded with N creates on one instance; records its
# RSS before and after, the list's wrk report (list_NAME) and the dashboard's first event,
# in NAME_idle_kb, NAME_kb, NAME_count, NAME_view_median and NAME_view_worst; then stops it.
seeded() {
  local name=$1 n=$2 connections=$3 median worst
  start "$name" "$EMULATOR" "${emulator_args[@]}"
  declare -g "${name}_idle_kb=$(rss_kb "$PID")"
  # wrk runs for its whole duration even when every thread has stopped at LIMIT: give it
  # time for about 10 000 creates a second, which this machine exceeds.
  LIMIT=$((n / THREADS)) wrk -t"$THREADS" -c"$connections" -d"$((n / 10000 + 15))s" -s bench/create.lua "http://127.0.0.1:$PORT" >/dev/null
  declare -g "${name}_count=$(curl -s --noproxy '*' -H 'X-Auth-Token: t' "http://127.0.0.1:$PORT/v3/619d3e78f61b4be68bc5aa0b59edcf7b/backups?limit=1" | grep -o '"total_count":[0-9]*' | grep -o '[0-9]*$')"
  declare -g "${name}_kb=$(rss_kb "$PID")"
  wrk_run "list_$name" "http://127.0.0.1:$PORT" bench/list.lua
  read -r median worst < <(python3 bench/first_event.py "$PORT" 10)
  declare -g "${name}_view_median=$median" "${name}_view_worst=$worst"
  stop "$PID"
}

echo "== list by instance: $SMALL and $BIG backups"
seeded small "$SMALL" "$THREADS"
seeded big "$BIG" "$CONNECTIONS"
idle_kb=$small_idle_kb

echo "== start to healthy"
read -r start_median start_worst < <(python3 bench/startup.py "$EMULATOR" 20)

echo "== instructions per request (callgrind)"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
inst_floor=$(python3 bench/instructions.py create "$FLOOR" 0 2>/dev/null)
# The floor over TLS: what the transport alone adds to the least a create costs.
inst_floor_tls=$(python3 bench/instructions.py create "$FLOOR" 0 tls 2>/dev/null)
inst_create=$(python3 bench/instructions.py create "$EMULATOR" "${emulator_args[@]}" 2>/dev/null)
inst_list_small=$(python3 bench/instructions.py list "$SMALL" "$EMULATOR" "${emulator_args[@]}" 2>/dev/null)
inst_list_big=$(python3 bench/instructions.py list "$BIG" "$EMULATOR" "${emulator_args[@]}" 2>/dev/null)
# The real clients' path: AK/SK-signed as the Huawei SDK signs, in strict auth, plain and TLS.
inst_signed=$(python3 bench/instructions.py signed-create "$EMULATOR" "${emulator_args[@]}" --auth strict 2>/dev/null)
inst_signed_tls=$(python3 bench/instructions.py signed-create "$EMULATOR" "${emulator_args[@]}" --auth strict --tls 2>/dev/null)
# Every operation against its ceiling (bench/ceilings.json); the run fails past one, at its end.
ops_status=0
ops_table=$(python3 bench/operations.py "$EMULATOR" "${emulator_args[@]}" 2>"$work/operations.err") || ops_status=$?
# What an instance and an empty project hold (massif's heap, not RSS).
read -r per_instance per_project < <(python3 bench/footprint.py "$EMULATOR" "${emulator_args[@]}")
# Every list at two store sizes: a row past 1.1x is marked missed.
scale_table=$(python3 bench/scale.py "$SMALL" "$BIG" "$EMULATOR" "${emulator_args[@]}" 2>"$work/scale.err") || true

per_backup=$(awk -v a="$big_kb" -v b="$small_kb" -v n="$big_count" -v m="$small_count" 'BEGIN {printf "%.0f", (a - b) * 1024 / (n - m)}')
floor_rps=$(rps floor); emulator_rps=$(rps emulator)
floor_p50=$(percentile floor 50%); floor_p99=$(percentile floor 99%)
emu_p50=$(percentile emulator 50%); emu_p99=$(percentile emulator 99%)
small_p50=$(percentile list_small 50%); small_p99=$(percentile list_small 99%)
big_p50=$(percentile list_big 50%); big_p99=$(percentile list_big 99%)
pass() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "ge") ? v >= t : v <= t; print ok ? "met" : "**missed**" }'; }
thousands() { printf "%s" "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/ &/' -e 'ta'; }

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
generated=$(cat <<MD
Made by \`bench/run.sh\` on $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), $mem, with wrk
(${THREADS} threads, ${CONNECTIONS} connections, ${DURATION} per run) on the same cores as the
servers. Both servers are release builds started by the script; the floor is
\`examples/floor.rs\` (checks the token, parses the same body, stores it in a locked map,
answers 201; with \`tls\`, over rustls as the emulator's \`--tls\`). A signed create is
signed once per run, as the Huawei SDK signs, and resent as it is (valid for 15 minutes).
Wall-clock figures on a shared 2-core machine vary from run to run; the ratios, measured in
one run, are what those targets are about. Instructions are counted by callgrind
(\`bench/instructions.py\`: the whole server process, all threads, 2 000 sequential requests on
one keep-alive connection after 200 warm-up requests), which does not drift with the machine's
load. The emulator runs in its default configuration but for what the benchmark needs: request
timeouts, connection and waiter caps, the journal, faults and the header-read timer all on.

| target | measured | result |
| --- | --- | --- |
| instructions per create ≤ 1.3× the floor's | emulator $(thousands "$inst_create"), floor $(thousands "$inst_floor"): **$(ratio "$inst_create" "$inst_floor")×** | $(pass "$(ratio "$inst_create" "$inst_floor")" 1.3 le) |
| instructions per AK/SK-signed create in strict auth over TLS ≤ 1.6× the floor's plain create | emulator $(thousands "$inst_signed_tls") (plain HTTP $(thousands "$inst_signed")), floor $(thousands "$inst_floor") (over TLS $(thousands "$inst_floor_tls"), $(ratio "$inst_floor_tls" "$inst_floor")×): **$(ratio "$inst_signed_tls" "$inst_floor")×** (plain HTTP $(ratio "$inst_signed" "$inst_floor")×) | $(pass "$(ratio "$inst_signed_tls" "$inst_floor")" 1.6 le) |
| instructions per list-by-instance request (page of 10), ${BIG} backups ≤ 1.5× ${SMALL} | $(thousands "$inst_list_big") vs $(thousands "$inst_list_small"): **$(ratio "$inst_list_big" "$inst_list_small")×** | $(pass "$(ratio "$inst_list_big" "$inst_list_small")" 1.5 le) |
| create throughput ≥ 1.0× the floor's (median of ${ROUNDS} alternating rounds) | emulator ${emulator_rps}/s, floor ${floor_rps}/s: **$(ratio "$emulator_rps" "$floor_rps")×** (rounds: ${all_ratios}) | $(pass "$(ratio "$emulator_rps" "$floor_rps")" 1.0 ge) |
| create throughput, AK/SK-signed in strict auth, ≥ 1.0× the floor's plain create (median of ${ROUNDS} alternating rounds) | emulator $(rps signed)/s, floor $(rps floor_for_signed)/s: **$(ratio "$(rps signed)" "$(rps floor_for_signed)")×** (rounds: ${signed_rounds}) | $(pass "$(ratio "$(rps signed)" "$(rps floor_for_signed)")" 1.0 ge) |
| create throughput over TLS ≥ 1.0× the floor's over TLS (median of ${ROUNDS} alternating rounds) | emulator $(rps tls)/s, floor $(rps floor_tls_for_tls)/s: **$(ratio "$(rps tls)" "$(rps floor_tls_for_tls)")×** (rounds: ${tls_rounds}) | $(pass "$(ratio "$(rps tls)" "$(rps floor_tls_for_tls)")" 1.0 ge) |
| create throughput, AK/SK-signed in strict auth over TLS, ≥ 1.0× the floor's over TLS (median of ${ROUNDS} alternating rounds) | emulator $(rps signed_tls)/s, floor $(rps floor_tls_for_signed_tls)/s: **$(ratio "$(rps signed_tls)" "$(rps floor_tls_for_signed_tls)")×** (rounds: ${signed_tls_rounds}) | $(pass "$(ratio "$(rps signed_tls)" "$(rps floor_tls_for_signed_tls)")" 1.0 ge) |
| create p99 ≤ the floor's p99 | emulator ${emu_p99} ms, floor ${floor_p99} ms: **$(ratio "$emu_p99" "$floor_p99")×** (p50 ${emu_p50} vs ${floor_p50} ms) | $(pass "$(ratio "$emu_p99" "$floor_p99")" 1.0 le) |
| non-2xx answers to creates | emulator $(non2xx emulator)% (signed $(non2xx signed)%, TLS $(non2xx tls)%, signed over TLS $(non2xx signed_tls)%), floor $(non2xx floor)% (TLS $(non2xx floor_tls_for_tls)%) | |
| list by instance, ${big_count} backups ≤ 2× ${small_count} backups (p50) | ${big_p50} ms vs ${small_p50} ms: **$(ratio "$big_p50" "$small_p50")×** (p99 ${big_p99} vs ${small_p99} ms; $(rps list_big)/s vs $(rps list_small)/s) | $(pass "$(ratio "$big_p50" "$small_p50")" 2 le) |
| dashboard: first event of \`/_emulator/events\` (no target) | ${big_view_median} ms with ${big_count} backups (worst ${big_view_worst}), ${small_view_median} ms with ${small_count} (worst ${small_view_worst}); median of 10 streams | |
| start to first healthy answer < 5 ms | median ${start_median} ms, worst ${start_worst} ms (20 starts) | $(pass "$start_median" 5 le) |
| idle memory < 8 MB | $(awk -v k="$idle_kb" 'BEGIN {printf "%.1f", k / 1024}') MB RSS | $(pass "$idle_kb" 8192 le) |
| an instance with its nodes ≤ 2 KB | ${per_instance} bytes (heap, \`bench/footprint.py\`: 1 000 instances of one project less none, per one) | $(pass "$per_instance" 2048 le) |
| a project with nothing in it ≤ 1 KB | ${per_project} bytes (heap: 1 001 projects less one, per one) | $(pass "$per_project" 1024 le) |
| ≤ 300 bytes per stored backup | ${per_backup} bytes (RSS $(awk -v k="$big_kb" 'BEGIN {printf "%.0f", k / 1024}') MB with ${big_count} manual backups and their jobs, minus $(awk -v k="$small_kb" 'BEGIN {printf "%.1f", k / 1024}') MB with ${small_count}) | $(pass "$per_backup" 300 le) |

Instructions per request of every operation (\`bench/operations.py\`: one emulator under
callgrind, 200 requests of each after 20 warm-up ones, in the order below, so that later ones
find the backups, jobs and tokens the earlier ones made; a change is repeated, alternating
between two values where the same one would be refused, and its job has ended by the next
request; a delete is counted after a create, less the create), each against its ceiling in
\`bench/ceilings.json\` (1.1× the count it was set from): past a ceiling, the run fails.

$ops_table

Lists cost by page, not by store (\`bench/scale.py\`): instructions per request of every list
and of the restorable times, in a store of ${SMALL} backups of one instance and 10 other
instances, and in one of ${BIG} backups and 1 000 instances, seeded through fixtures (one
completed backup a minute, all within the instance's retention), each query 200 times after
20 warm-up ones. Target: ≤ 1.1× at the larger store.

$scale_table

Commands (from \`bench/run.sh\`):

\`\`\`sh
target/release/examples/floor 0 [tls]
target/release/taurusdb-emulator ${emulator_args[*]} [--auth strict] [--tls]
wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency -s bench/create.lua http[s]://127.0.0.1:PORT
python3 bench/instructions.py signed-request 127.0.0.1:PORT >SIGNED   # just before each signed run
SIGNED=SIGNED wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency -s bench/signed_create.lua http[s]://127.0.0.1:PORT
LIMIT=N wrk -t${THREADS} -c${CONNECTIONS} -dSECONDS -s bench/create.lua http://127.0.0.1:PORT   # seeding, N per thread
wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency -s bench/list.lua http://127.0.0.1:PORT
python3 bench/startup.py target/release/taurusdb-emulator 20
python3 bench/first_event.py PORT 10
grep VmRSS /proc/PID/status
python3 bench/instructions.py create target/release/examples/floor 0 [tls]
python3 bench/instructions.py create target/release/taurusdb-emulator ${emulator_args[*]}
python3 bench/instructions.py signed-create target/release/taurusdb-emulator (same flags) --auth strict [--tls]
python3 bench/operations.py target/release/taurusdb-emulator (same flags)
python3 bench/scale.py ${SMALL} ${BIG} target/release/taurusdb-emulator (same flags)
python3 bench/footprint.py target/release/taurusdb-emulator (same flags)
python3 bench/instructions.py list ${SMALL} target/release/taurusdb-emulator (same flags)
python3 bench/instructions.py list ${BIG} target/release/taurusdb-emulator (same flags)
\`\`\`

The emulator runs with a zero backup duration so that every create succeeds (each create
finds the previous backup of the instance already complete), all on the documentation's
instance; the list asks for the newest page of 10 of that instance.
MD
)
# Only the part between the markers is the script's; the rest of the file is written by hand.
begin='<!-- bench/run.sh writes from here -->'
end='<!-- bench/run.sh writes to here -->'
if ! grep -qF "$begin" "$OUT" 2>/dev/null; then
  printf '# Benchmarks\n\n%s\n%s\n' "$begin" "$end" >>"$OUT"
fi
python3 - "$OUT" "$begin" "$end" "$generated" <<'PY'
import sys
path, begin, end, text = sys.argv[1:]
doc = open(path).read()
head, rest = doc.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(f"{head}{begin}\n{text}\n{end}{tail}")
PY
cat "$OUT"
if [ "$ops_status" -ne 0 ]; then
  cat "$work/operations.err" >&2
  exit "$ops_status"
fi

#!/usr/bin/env bash
# Create throughput of two emulator builds, in alternating rounds on the same machine, so
# that a change can be told from the machine's noise:
#   bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]
# or, exactly and whatever the machine's load, the instructions each build spends per create
# and per list request (callgrind, through bench/instructions.py):
#   bench/compare.sh --instructions OLD_BINARY NEW_BINARY
# e.g. build the commit before a change with
#   git worktree add /tmp/old COMMIT && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target cargo build --release)
# and compare /tmp/old-target/release/taurusdb-emulator with target/release/taurusdb-emulator.
# Prints each round's requests/s and the new/old ratio, then the median ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--port 0 --lifecycle time --backup-duration 0s --automated-backups false
  --max-backups-per-project 100000000 --request-timeout 30s)

if [ "${1:-}" = "--instructions" ]; then
  old=$2 new=$3
  command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
  for what in create "list 1000"; do
    # shellcheck disable=SC2086 # "list 1000" is two arguments
    o=$(python3 bench/instructions.py $what "$old" "${args[@]}" 2>/dev/null)
    # shellcheck disable=SC2086
    n=$(python3 bench/instructions.py $what "$new" "${args[@]}" 2>/dev/null)
    awk -v w="$what" -v a="$o" -v b="$n" \
      'BEGIN {printf "%s: old %d, new %d instructions per request, new/old %.3f\n", w, a, b, b / a}'
  done
  exit 0
fi

old=$1 new=$2 rounds=${3:-5}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# rate BINARY: requests/s of a 10 s create run against a fresh emulator.
rate() {
  "$1" "${args[@]}" >"$out" 2>&1 &
  local pid=$! port=""
  for _ in $(seq 200); do
    port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$out" | grep -o '[0-9]*$' || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "$1 did not start" >&2; kill "$pid"; exit 1; }
  wrk -t2 -c32 -d10s -s bench/create.lua "http://127.0.0.1:$port" | awk '/^Requests\/sec/ {printf "%.0f", $2}'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

ratios=()
for round in $(seq "$rounds"); do
  o=$(rate "$old"); n=$(rate "$new")
  r=$(awk -v a="$n" -v b="$o" 'BEGIN {printf "%.3f", a / b}')
  ratios+=("$r")
  echo "round $round: old $o/s, new $n/s, new/old $r"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {printf "median new/old: %.2f\n", v[int((NR + 1) / 2)]}'

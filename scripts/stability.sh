#!/usr/bin/env bash
# npm run test:stability [-- RUNS]   (default 10)
# Runs the whole suite RUNS times in a row on an idle machine, then RUNS times
# while two busy-loop processes keep both cores of a 2-core machine busy.
# Fails if any run fails. Prints each run's wall time.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]] || [ $# -gt 1 ]; then
  echo "test:stability: expected one whole number of runs (default 10), got: $*" >&2
  exit 2
fi
failed=0
series() {
  local label="$1" i start
  for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    if node --require ./scripts/jest-compat.js node_modules/jest/bin/jest.js --config scripts/jest.config.cjs --ci --silent >/tmp/ka-stability.log 2>&1; then
      echo "  $label run $i: green in $(( ($(date +%s%N) - start) / 1000000 )) ms"
    else
      failed=$((failed + 1))
      echo "  $label run $i: RED"
      grep -E "✕|●" /tmp/ka-stability.log | head -10
    fi
  done
}
echo "stability: $runs runs idle, then $runs runs with both cores busy"
series idle
busy=()
for _ in 1 2; do node -e 'for (;;) {}' & busy+=($!); done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
series loaded
kill "${busy[@]}" 2>/dev/null
echo "stability: $failed red run(s) of $((runs * 2))"
[ "$failed" -eq 0 ]

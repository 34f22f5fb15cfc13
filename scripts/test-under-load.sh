#!/usr/bin/env bash
# Runs the test suite (or the vitest paths/filters given as arguments) while CPU hogs keep every
# core busy, as a shared CI machine is (issue 11 item 14). Tests must not race the wall clock:
# leases, timeouts and resumes are driven by events, pids and process states, so this passes.
#
#   scripts/test-under-load.sh                      # the whole suite (builds first)
#   scripts/test-under-load.sh test/engine-*.test.ts
#   HOGS=4 scripts/test-under-load.sh ...           # more hogs than cores
set -euo pipefail
cd "$(dirname "$0")/.."

hogs=()
cleanup() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

count="${HOGS:-$(nproc)}"
for _ in $(seq "$count"); do
  # a busy loop at normal priority: the tests compete for the CPU, they do not get it first
  node -e 'for (;;) {}' &
  hogs+=("$!")
done
echo "test-under-load: ${count} CPU hog(s) running (pids ${hogs[*]})" >&2

# the whole suite builds everything, as `npm test` does; given paths only need the library
if [ "$#" -eq 0 ]; then npm run build --silent; else npx tsc -p kernel-lib/tsconfig.build.json; fi
npx vitest run "$@"

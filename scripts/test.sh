#!/usr/bin/env bash
# Builds the solution and runs every test project; ends with the line "N passed, N failed".
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter-class ...]
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
if [ ! -d ../shared/tappaas-corpus ]; then
  echo "error: ../shared/tappaas-corpus is missing; the conformance tests need it beside the repository" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
log="$(mktemp)"
dotnet test --solution TAPPaaS.slnx -c Release --filter-not-trait "Category=Live" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
total=$(grep -E '^\s+total: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" = "0" ]; then
  failed=1   # the build or the runner failed before counting
fi
if [ "${total:-0}" = "0" ]; then
  echo "error: no tests ran" >&2
  failed=$((failed == 0 ? 1 : failed))
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" = "0" ]

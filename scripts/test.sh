#!/usr/bin/env bash
# Builds the solution and runs every test project; ends with the line "N passed, N failed, N skipped".
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter-class ...]
#
# The upstream-conformance tests read the TAPPaaS corpus ($TAPPAAS_CORPUS, ../shared/tappaas-corpus, or the copy
# scripts/fetch-corpus.sh caches) and the cluster clients' tests the vendor API schemas ($TAPPAAS_VENDOR_API or
# ../shared/vendor-api). Outside CI a missing one skips those tests (said in one line below); under CI=true they fail.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

missing=()
corpus_cache="${XDG_CACHE_HOME:-$HOME/.cache}/tappaas/corpus-f54e4fc"
if [ -z "${TAPPAAS_CORPUS:-}" ] && [ ! -d ../shared/tappaas-corpus ] && [ ! -f "$corpus_cache/.complete" ]; then
  missing+=("the upstream corpus (run scripts/fetch-corpus.sh, or set TAPPAAS_CORPUS)")
fi
if [ -z "${TAPPAAS_VENDOR_API:-}" ] && [ ! -d ../shared/vendor-api ]; then
  missing+=("the vendor API schemas (set TAPPAAS_VENDOR_API to a vendor-api folder)")
fi
needs="$(printf '%s; ' "${missing[@]}")"
needs="${needs%; }"
if [ "${#missing[@]}" -gt 0 ] && [ "${CI:-}" = "true" ]; then
  echo "error: under CI=true the tests need ${needs}; ../shared is not beside $here" >&2
fi

# Host objects of embedded sites (zone bridges, nftables tables, network namespaces): every test removes what it made,
# even when it fails, so whatever is new after the run counts as a failure.
host_objects() {
  { ip -o link show type bridge 2>/dev/null | awk -F': ' '{print "bridge " $2}' | grep -E '^bridge t[pq]'
    nft list tables 2>/dev/null | awk '{print "table " $3}' | grep -E '^table tappaas'
    ip netns list 2>/dev/null | awk '{print "netns " $1}' | grep -E '^netns t[pq]'; } | sort || true
}
objects_before="$(host_objects)"

log="$(mktemp)"
dotnet test --solution TAPPaaS.slnx -c Release --filter-not-trait "Category=Live" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
total=$(grep -E '^\s+total: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
shared_skips=$(grep -cE 'needs \.\./shared' "$log" || true)
# The failures again, each with the first lines of its message, so the end of the output names them
failures="$(grep -A16 -E '^\s*failed [A-Za-z_]+\.' "$log" | grep -vE '^\s+(from /|at )' || true)"
if [ -n "$failures" ]; then
  echo "failed tests:"
  echo "$failures"
fi
rm -f "$log"
left="$(comm -13 <(echo "$objects_before") <(host_objects) | sed '/^$/d')"
if [ -n "$left" ]; then
  echo "failed: the tests left host objects behind (remove them with ip link del / nft delete table / ip netns del):"
  echo "$left" | sed 's/^/  /'
  failed=$((failed + 1))
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" = "0" ]; then
  failed=1   # the build or the runner failed before counting
fi
if [ "${total:-0}" = "0" ]; then
  echo "error: no tests ran" >&2
  failed=$((failed == 0 ? 1 : failed))
fi
if [ "${#missing[@]}" -gt 0 ] && [ "${CI:-}" != "true" ]; then
  echo "skipped ${shared_skips} tests that need ../shared, which is not beside this clone: ${needs}"
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" = "0" ]

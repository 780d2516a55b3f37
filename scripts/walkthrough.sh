#!/usr/bin/env bash
# The README's main job and its walkthrough, as a newcomer runs them: ./tappaas up on the default site folder, the
# example stack through the proxy with TLS from the site CA, a crash, an update under load, a broken release rolled
# back, backup and restore, history, and ./tappaas down --purge, after which nothing of the site is left on the host.
# Each step prints one line ("ok: ..." or "FAILED: ..." with what it saw); the script stops at the first failure
# (taking the site down) and exits 1. CI runs it with a fresh HOME and no TAPPAAS_* variables.
# Usage (as root, from the repository): scripts/walkthrough.sh
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

site="${TAPPAAS_SITE:-$HOME/.local/share/tappaas/site}"
ca="$site/ca/root.crt"
work="$(mktemp -d)"
steps=0
load_pid=""

finish() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null
  rm -rf "$work"
}
trap finish EXIT

fail() {
  echo "FAILED: $1"
  [ -s "$work/out" ] && tail -25 "$work/out" | sed 's/^/  | /'
  ./tappaas down --purge >/dev/null 2>&1
  exit 1
}

ok() {
  steps=$((steps + 1))
  echo "ok: $1"
}

# An HTTPS request to a name of the site through the proxy on this host, trusting only the site CA.
site_curl() {
  local name="$1"; shift
  curl -fsS --max-time 10 --cacert "$ca" --resolve "$name:443:127.0.0.1" "$@"
}

# Steady load on the counter's page in the background: one status code a line in $work/codes.
load_start() {
  : >"$work/codes"
  rm -f "$work/stop"
  (
    while [ ! -f "$work/stop" ]; do
      curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 --cacert "$ca" --resolve counter.tappaas.internal:443:127.0.0.1 \
        https://counter.tappaas.internal/ >>"$work/codes"
      sleep 0.02
    done
  ) &
  load_pid=$!
}

# Stops the load; prints "SENT FAILED".
load_stop() {
  sleep 1
  touch "$work/stop"
  wait "$load_pid" 2>/dev/null
  load_pid=""
  echo "$(wc -l <"$work/codes") $(grep -vc '^200$' "$work/codes")"
}

# The pid of a guest's workload, as the daemon's status reports it.
workload_pid() {
  ./tappaas status --json 2>/dev/null | python3 -c '
import json, sys
print(next((g.get("workloadPid") or 0 for g in json.load(sys.stdin).get("guests", []) if g.get("guest") == sys.argv[1]), 0))' "$1"
}

# Publishes a release of the counter and updates to it under steady load: the exit code must be $2, no request may fail.
# Sets $sent for the step's line.
update_under_load() {
  cp -r "examples/releases/$1/." "$site/repository/counter/"
  load_start
  ./tappaas update counter >"$work/out" 2>&1; code=$?
  read -r sent failed < <(load_stop)
  [ "$code" -eq "$2" ] || fail "$3: ./tappaas update counter exited $code, expected $2"
  [ "$failed" -eq 0 ] && [ "$sent" -ge 20 ] || fail "$3 under load: $failed of $sent requests failed ($(grep -v '^200$' "$work/codes" | sort | uniq -c | tr '\n' ' '))"
}

ready() { # all guests of a module running and ready, per the daemon's API
  ./tappaas status --json 2>/dev/null | python3 -c '
import json, sys
guests = [g for g in json.load(sys.stdin).get("guests", []) if g.get("module") == sys.argv[1]]
sys.exit(0 if guests and all(g.get("status") == "running" and g.get("ready") for g in guests) else 1)' "$1"
}

# 1. The main job, as the README says: ./tappaas up, on the default site folder.
./tappaas up >"$work/out" 2>&1 || fail "./tappaas up exited $? (site $site)"
[ -f "$ca" ] || fail "./tappaas up made no site CA at $ca (the site is expected in the default folder)"
grep -q "TAPPaaS is up" "$work/out" || fail "./tappaas up did not say it is up"
ok "./tappaas up: daemon, proxy and the example stack on $site"

site_curl counter.tappaas.internal https://counter.tappaas.internal/ >"$work/out" 2>&1 && grep -q "counter v1" "$work/out" \
  || fail "the counter's page over TLS from the site CA"
ok "counter answers at https://counter.tappaas.internal (counter v1)"

# 2. POST to the counter twice; the board shows the count.
one=$(site_curl counter.tappaas.internal -X POST https://counter.tappaas.internal/count 2>"$work/out")
two=$(site_curl counter.tappaas.internal -X POST https://counter.tappaas.internal/count 2>>"$work/out")
[ "$one" = "1" ] && [ "$two" = "2" ] || fail "POST /count twice gave '$one' and '$two', expected 1 and 2"
ok "POST /count twice: 1, 2"
site_curl board.tappaas.internal https://board.tappaas.internal/ >"$work/out" 2>&1 && grep -q "the counter has counted <b>2</b>" "$work/out" \
  || fail "the board does not show the count 2"
ok "board shows the count 2"

# 3. kill -9 of a counter guest's workload: the count still answers, and the guest is back.
pid=$(workload_pid counter-0)
[ "${pid:-0}" -gt 0 ] || fail "./tappaas status --json names no workload pid for counter-0"
kill -9 "$pid"
count=$(site_curl counter.tappaas.internal https://counter.tappaas.internal/count 2>"$work/out")
[ "$count" = "2" ] || fail "after kill -9 of counter-0's workload (pid $pid) the count answered '$count'"
for _ in $(seq 1 100); do ready counter && break; sleep 0.2; done
ready counter || fail "counter-0 did not become ready again after kill -9"
ok "kill -9 of counter-0's workload (pid $pid): the count still answers 2, the guest is ready again"

# 4. Release 2 under steady load: no failed request, the count kept.
update_under_load counter-v2 0 "update to v2"
site_curl counter.tappaas.internal https://counter.tappaas.internal/ >"$work/out" 2>&1 && grep -q "<h1>2</h1><p>counter v2" "$work/out" \
  || fail "after the update the page does not say counter v2 with the count 2"
ok "update to v2 under load: $sent requests, 0 failed; the page says counter v2, the count is still 2"

# 5. The broken release: its guests never get ready; rolled back (exit 2), v2 served throughout.
update_under_load counter-broken 2 "update to the broken release (rolled back)"
site_curl counter.tappaas.internal https://counter.tappaas.internal/ >"$work/out" 2>&1 && grep -q "counter v2" "$work/out" \
  || fail "after the rolled-back update the page is not counter v2"
./tappaas logs counter --since 5m >"$work/out" 2>&1 && grep -q "counter3.py" "$work/out" || fail "./tappaas logs counter does not show why (counter3.py)"
ok "broken release: exit 2, rolled back, $sent requests with 0 failed, v2 still serving; logs say why"

# 6. Backup, one more POST, restore: the count comes back.
./tappaas backup counter >"$work/out" 2>&1 || fail "./tappaas backup counter exited $?"
three=$(site_curl counter.tappaas.internal -X POST https://counter.tappaas.internal/count 2>"$work/out")
[ "$three" = "3" ] || fail "POST /count after the backup gave '$three', expected 3"
./tappaas restore counter >"$work/out" 2>&1 || fail "./tappaas restore counter exited $?"
count=$(site_curl counter.tappaas.internal https://counter.tappaas.internal/count 2>"$work/out")
[ "$count" = "2" ] || fail "right after the restore the count answered '$count', expected 2"
ok "backup at 2, POST to 3, restore: the count is 2 again"

# 7. History: r1 install, r2 update.
./tappaas history counter >"$work/out" 2>&1 && grep -q "r2" "$work/out" || fail "./tappaas history counter does not show r2"
ok "history shows r1 and r2"

# 8. down --purge: nothing of the site is left on the host.
./tappaas down --purge >"$work/out" 2>&1 || fail "./tappaas down --purge exited $?"
left=()
[ -d "$site" ] && left+=("the site folder $site")
pgrep -f "tappaas-shim(\.dll)? $site/" >/dev/null && left+=("supervisors: $(pgrep -f "tappaas-shim(\.dll)? $site/" | tr '\n' ' ')")
pgrep -f "tappaasd.dll --site $site" >/dev/null && left+=("the daemon")
pgrep -f 'counter.py|board.py' >/dev/null && left+=("workloads: $(pgrep -af 'counter.py|board.py' | tr '\n' ' ')")
pgrep -f "dnsmasq.*$site" >/dev/null && left+=("dnsmasq")
ip netns list 2>/dev/null | grep -q '^tp-' && left+=("network namespaces: $(ip netns list | grep '^tp-' | cut -d' ' -f1 | tr '\n' ' ')")
ip -o link show type bridge 2>/dev/null | grep -q ': tpz-' && left+=("bridges: $(ip -o link show type bridge | grep -o 'tpz-[^:@]*' | tr '\n' ' ')")
ip -o link show type veth 2>/dev/null | grep -qE ': tv[0-9a-f]{8}h' && left+=("veths")
nft list table inet tappaas >/dev/null 2>&1 && left+=("the nftables table inet tappaas")
[ "${#left[@]}" -eq 0 ] || { : >"$work/out"; fail "after down --purge these are left: ${left[*]}"; }
ok "down --purge: no site folder, daemon, supervisor, workload, dnsmasq, namespace, bridge, veth or nftables table left"

echo "walkthrough: $steps steps passed"

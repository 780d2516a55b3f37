#!/usr/bin/env bash
# Installs the package scripts/package.sh built and uses it as a user would, on a host where no .NET can be found:
# dpkg -i, tappaas up (fresh HOME, default site and ports), the counter over TLS, completions, apt-get remove (daemon
# and guests stopped, site kept), apt-get purge (names the site, leaves it), install again and up (the count is still
# there), tappaas down --purge, apt-get remove: nothing of ours left running. The arm64 package is checked for its
# architecture (it cannot run here). Then the figures: package sizes, and the cold start of tappaas --version and
# tappaas status beside the framework-dependent build of the clone.
# One line a step ("ok: ..." / "FAILED: ..."); stops at the first failure, removing what it installed, and exits 1.
# Usage (as root, from the repository, after scripts/package.sh): scripts/package-check.sh [DIST_DIR]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dist="${1:-dist}"
lib=/usr/lib/tappaas

# The whole check runs in a mount namespace of its own in which the .NET folder is empty (so /usr/bin/dotnet points
# nowhere): one namespace for every step, so the guests' network namespaces the daemon mounts are seen by each step.
# The clone's framework-dependent build, measured beside the package, reaches the real folder by a bind mount.
if [ -z "${PACKAGE_CHECK_NAMESPACE:-}" ]; then
  ./tappaas --version >/dev/null || { echo "FAILED: the clone's ./tappaas does not build"; exit 1; }
  exec unshare -m env PACKAGE_CHECK_NAMESPACE=1 "$0" "$@"
fi
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
real_dotnet="/run/tappaas-package-check-dotnet.$$" # not under $work, which is removed recursively
mkdir -p "$real_dotnet" && mount --bind "$dotnet_root" "$real_dotnet" && mount -t tmpfs none "$dotnet_root" \
  || { echo "FAILED: could not hide $dotnet_root in the check's mount namespace"; exit 1; }
[ -d /root/.dotnet ] && mount -t tmpfs none /root/.dotnet
work="$(mktemp -d /var/tmp/tappaas-package-check.XXXXXX)"
home="$work/home"
site="$home/.local/share/tappaas/site"
mkdir -p "$home"
steps=0

deb() { ls "$dist"/tappaas_*_"$1".deb 2>/dev/null | tail -1; }

cleanup() {
  if dpkg -s tappaas >/dev/null 2>&1; then
    [ -d "$site" ] && nodotnet "$home" tappaas down --purge >/dev/null 2>&1
    apt-get purge -y -qq tappaas >/dev/null 2>&1
  fi
  rm -rf "$work"
  umount "$real_dotnet" && rmdir "$real_dotnet"
}

fail() {
  echo "FAILED: $1"
  [ -s "$work/out" ] && tail -25 "$work/out" | sed 's/^/  | /'
  cleanup
  exit 1
}

ok() {
  steps=$((steps + 1))
  echo "ok: $1"
}

# Runs a command as a user would: a clean environment with the fresh HOME (and no .NET to be found, see above).
nodotnet() {
  local h="$1"; shift
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$h" LANG=C.UTF-8 "$@"
}

counter_post() {
  curl -fsS --max-time 10 --cacert "$site/ca/root.crt" --resolve counter.tappaas.internal:443:127.0.0.1 \
    -X POST https://counter.tappaas.internal/count
}

# Processes of ours: anything running from the package, and the workloads of the site's guests.
ours() {
  for proc in /proc/[0-9]*; do
    exe="$(readlink "$proc/exe" 2>/dev/null)"
    cwd="$(readlink "$proc/cwd" 2>/dev/null)"
    cmd="$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)"
    case "$exe $cwd $cmd" in
      "$lib"/*|*"$site"*) echo "${proc#/proc/} $cmd" ;;
    esac
  done
}

amd64="$(deb amd64)"
[ -n "$amd64" ] || fail "no tappaas_*_amd64.deb in $dist (run scripts/package.sh first)"
dpkg -s tappaas >/dev/null 2>&1 && fail "a tappaas package is installed already; remove it first (apt-get purge tappaas)"

# The arm64 package: every ELF file in it is for AArch64, and it carries the managed supervisor's launcher.
if arm64="$(deb arm64)" && [ -n "$arm64" ]; then
  mkdir -p "$work/arm64" && dpkg-deb -x "$arm64" "$work/arm64"
  machines="$(find "$work/arm64" -type f -exec sh -c 'head -c4 "$1" | grep -q "ELF" && readelf -h "$1" | sed -n "s/.*Machine: *//p"' _ {} \; | sort | uniq -c)"
  echo "$machines" | grep -v AArch64 | grep -q . && fail "the arm64 package holds files for another machine: $machines"
  [ -x "$work/arm64$lib/tappaas-shim" ] && [ ! -e "$work/arm64$lib/native" ] \
    || fail "the arm64 package should ship the managed supervisor's launcher tappaas-shim and no native/"
  ok "the arm64 package: $(echo "$machines" | awk '{s+=$1} END {print s}') ELF files, all AArch64; the managed supervisor"
fi

dpkg -i "$amd64" >"$work/out" 2>&1 || fail "dpkg -i $amd64"
ok "dpkg -i $(basename "$amd64")"

version="$(nodotnet "$home" tappaas --version 2>&1)"
[ "$version" = "$(dpkg-deb -f "$amd64" Version | sed 's/~/-/')+$(git rev-parse HEAD)" ] \
  || fail "tappaas --version said '$version' (want the package's version and this commit)"
nodotnet "$home" sh -c 'command -v dotnet' >/dev/null && fail "dotnet is still found in the check's namespace"
ok "tappaas --version without .NET: $version"
[ ! -e "$lib/tappaas.dll" ] && ! grep -q libhostfxr "$lib/tappaas" \
  || fail "the amd64 CLI should be compiled ahead of time (one file, no tappaas.dll beside it)"
ok "the amd64 CLI is native: $(du -h "$lib/tappaas" | cut -f1) in one file, no tappaas.dll"

SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$(systemd-escape --path --template tappaasd@.service /var/lib/tappaas/site)" \
  >"$work/out" 2>&1 || fail "systemd-analyze verify of the installed tappaasd@.service"
ok "the unit tappaasd@.service verifies"

nodotnet "$home" tappaas up >"$work/out" 2>&1 || fail "tappaas up (package, no .NET)"
grep -q "TAPPaaS is up" "$work/out" || fail "tappaas up did not say TAPPaaS is up"
grep -q "next:                 tappaas status" "$work/out" || fail "tappaas up should tell a package user to run 'tappaas', not './tappaas'"
grep -qx "$site" /var/lib/tappaas/sites || fail "up did not list its site in /var/lib/tappaas/sites"
count="$(counter_post)" || fail "POST https://counter.tappaas.internal/count through the proxy with the site CA"
daemon_exe="$(readlink "/proc/$(cat "$site/daemon.pid")/exe")"
[ "$daemon_exe" = "$lib/tappaasd" ] || fail "the daemon runs $daemon_exe, not $lib/tappaasd"
shims="$(ours | grep -c "$lib/native/tappaas-shim")"
[ "$shims" -ge 3 ] || fail "expected the guests under $lib/native/tappaas-shim, found $shims"
ok "tappaas up: the counter answers over TLS ($(echo "$count" | tr -d '\n' | cut -c1-40)), daemon $lib/tappaasd, $shims native supervisors"
signin="$(curl -fsS --max-time 10 --cacert "$site/ca/root.crt" https://127.0.0.1:7780/signin)" && echo "$signin" | grep -q 'name="token"' \
  || fail "the dashboard's sign-in page at https://127.0.0.1:7780/signin"
script="$(echo "$signin" | sed -n 's/.*src="\(_framework\/blazor\.web[^"]*\.js\)".*/\1/p' | head -1)"
[ -n "$script" ] && curl -fsS --max-time 10 --cacert "$site/ca/root.crt" -o /dev/null "https://127.0.0.1:7780/$script" \
  || fail "the dashboard's script ${script:-(none named on the sign-in page)} from the package's wwwroot"
ok "the dashboard: its sign-in page and $script from the package"

# Completions from the installed files ask the installed CLI.
bash_words="$(HOME="$home" bash -c 'source /usr/share/bash-completion/completions/tappaas; COMP_LINE="tappaas update cou"; COMP_POINT=${#COMP_LINE};
  COMP_WORDS=(tappaas update cou); COMP_CWORD=2; _tappaas_complete; echo "${COMPREPLY[*]}"')"
[ "$bash_words" = counter ] || fail "bash completion of 'tappaas update cou' gave '$bash_words'"
zsh_words="$(HOME="$home" zsh -fc 'compdef() { :; }; compadd() { print -l -- "${(@P)2}"; }; source /usr/share/zsh/vendor-completions/_tappaas;
  words=(tappaas update cou); CURRENT=3; _tappaas')"
[ "$zsh_words" = counter ] || fail "zsh completion of 'tappaas update cou' gave '$zsh_words'"
fish_words="$(HOME="$home" fish -c 'complete -C "tappaas update cou"')"
[ "$fish_words" = counter ] || fail "fish completion of 'tappaas update cou' gave '$fish_words'"
man -l /usr/share/man/man1/tappaas.1.gz 2>/dev/null | grep -q "tappaas up" || fail "man tappaas has no section on tappaas up"
ok "completions (bash, zsh, fish) suggest the site's module; man pages"

# The figures: while the site is up, the packaged CLI beside the framework-dependent one of the clone.
cold() { sync; echo 3 >/proc/sys/vm/drop_caches; local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - t0) / 1000000)); }
median() { local a=(); for _ in 1 2 3 4 5 6 7 8 9 10; do local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; a+=($((($(date +%s%N) - t0) / 1000000))); done; printf '%s\n' "${a[@]}" | sort -n | sed -n 5p; }
fd=(env DOTNET_ROOT="$real_dotnet" "$real_dotnet/dotnet" "$PWD/.build/cli/tappaas.dll")
fd_size="$(du -sm .build/cli | cut -f1)"
runtime_size="$(du -smc "$real_dotnet/host" "$real_dotnet/shared/Microsoft.NETCore.App" "$real_dotnet/shared/Microsoft.AspNetCore.App" | tail -1 | cut -f1)"
echo "figures (ms; cold = after dropping the page cache, warm = median of 10):"
printf '  %-34s %8s %8s %8s %8s\n' "" "version" "" "status" ""
printf '  %-34s %8s %8s %8s %8s\n' "" cold warm cold warm
printf '  %-34s %8s %8s %8s %8s\n' "package (amd64: CLI NativeAOT)" "$(cold env HOME="$home" tappaas --version)" "$(median env HOME="$home" tappaas --version)" \
  "$(cold env HOME="$home" tappaas status)" "$(median env HOME="$home" tappaas status)"
printf '  %-34s %8s %8s %8s %8s\n' "clone (framework-dependent)" "$(cold env HOME="$home" "${fd[@]}" --version)" "$(median env HOME="$home" "${fd[@]}" --version)" \
  "$(cold env HOME="$home" "${fd[@]}" status)" "$(median env HOME="$home" "${fd[@]}" status)"
echo "  sizes: $(basename "$amd64") $(du -m "$amd64" | cut -f1) MiB (installed $(( $(dpkg-deb -f "$amd64" Installed-Size) / 1024 )) MiB)${arm64:+, $(basename "$arm64") $(du -m "$arm64" | cut -f1) MiB}; framework-dependent build $fd_size MiB + the .NET runtimes it needs $runtime_size MiB"
ok "figures printed"

apt-get remove -y -qq tappaas >"$work/out" 2>&1 || fail "apt-get remove tappaas"
grep -q "stopping the site in $site" "$work/out" || fail "apt-get remove did not stop the site"
sleep 1
[ -z "$(ours)" ] || { ours >"$work/out"; fail "processes of ours still run after apt-get remove"; }
[ -f "$site/config/configuration.json" ] || fail "apt-get remove removed the site"
ok "apt-get remove: the daemon and guests stopped, the site kept"

apt-get purge -y -qq tappaas >"$work/out" 2>&1 || fail "apt-get purge tappaas"
grep -q "the site in $site is kept" "$work/out" || fail "apt-get purge did not say where the site is"
[ -f "$site/config/configuration.json" ] || fail "apt-get purge removed the site"
ok "apt-get purge: says the site in $site is kept, and keeps it"

dpkg -i "$amd64" >"$work/out" 2>&1 || fail "dpkg -i again"
nodotnet "$home" tappaas up >"$work/out" 2>&1 || fail "tappaas up on the kept site"
again="$(counter_post)" || fail "the counter after reinstalling"
[ "$(echo "$again" | tr -dc 0-9)" -gt "$(echo "$count" | tr -dc 0-9)" ] || fail "the count went from '$count' to '$again': the site's data was not kept"
ok "installed again, tappaas up: the count goes on ($(echo "$again" | tr -d '\n' | cut -c1-40))"

nodotnet "$home" tappaas down --purge >"$work/out" 2>&1 || fail "tappaas down --purge"
[ ! -d "$site" ] || fail "down --purge left $site"
apt-get remove -y -qq tappaas >"$work/out" 2>&1 || fail "apt-get remove after down --purge"
sleep 1
[ -z "$(ours)" ] || { ours >"$work/out"; fail "processes of ours still run after down --purge and apt-get remove"; }
[ ! -e "$lib/tappaas" ] || fail "apt-get remove left $lib/tappaas"
apt-get purge -y -qq tappaas >/dev/null 2>&1
ok "tappaas down --purge, apt-get remove: nothing of ours runs, nothing installed"

# From the clone without the SDK: the launcher script says how to get it or the package.
out="$(nodotnet "$home" "$PWD/tappaas" status 2>&1)"; code=$?
[ "$code" = 2 ] && echo "$out" | grep -q "apt-get install -y dotnet-sdk-10.0" && echo "$out" | grep -q "tappaas_VERSION_amd64.deb" \
  || fail "./tappaas without the SDK (exit $code): $out"
ok "./tappaas from the clone without the SDK says how to get it, or the package"

rm -rf "$work"
umount "$real_dotnet" && rmdir "$real_dotnet"
echo "package check: $steps steps ok"

#!/usr/bin/env bash
# Builds the TAPPaaS Debian packages, and a .tar.gz of the same files, for amd64 and arm64:
#   scripts/package.sh [--arch amd64,arm64] [--out DIR] [--compress xz|zstd]   (default: both, into dist/, xz)
# Needs the .NET 10 SDK (and, for the amd64 package's native guest supervisor, clang and zlib1g-dev); the packages it
# makes need no .NET at all. What goes in:
#   /usr/lib/tappaas/          tappaasd, self-contained (the .NET runtime inside), ReadyToRun, not trimmed; tappaas the
#                              same on arm64, on amd64 compiled ahead of time (NativeAOT, one file); the guest
#                              supervisor: on amd64 native/tappaas-shim (NativeAOT), on arm64 the managed one with its
#                              own launcher (no cross toolchain for NativeAOT here)
#   /usr/bin/tappaas, /usr/sbin/tappaasd                  links to them
#   /usr/share/tappaas/{examples,schema}                  the example stack and its releases, the module JSON Schema
#   /lib/systemd/system/tappaasd@.service                 one daemon per site ('tappaas up' enables it under systemd)
#   man pages (from --help), bash/zsh/fish completions, maintainer scripts (remove stops daemons and guests, keeps sites)
# Version: the VersionPrefix of Directory.Build.props when HEAD is tagged v<prefix>, else <prefix>-dev.<commits>
# (Debian: <prefix>~dev.<commits>, so it sorts before the release); 'tappaas --version' adds the commit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
archs="amd64,arm64"
out="$here/dist"
compress=xz
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) archs="${2:?--arch needs a value: amd64, arm64 or amd64,arm64}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --compress) compress="${2:?--compress needs xz or zstd}"; shift 2
      case "$compress" in xz|zstd) ;; *) echo "package.sh: --compress: '$compress' is not xz or zstd" >&2; exit 2 ;; esac ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (use --arch amd64,arm64, --out DIR and --compress xz|zstd)" >&2; exit 2 ;;
  esac
done
command -v dotnet >/dev/null || { echo "package.sh: building the package needs the .NET 10 SDK (dotnet)" >&2; exit 2; }
host_rid="linux-$(case "$(uname -m)" in x86_64) echo x64 ;; aarch64) echo arm64 ;; *) uname -m ;; esac)"
command -v dpkg-deb >/dev/null || { echo "package.sh: dpkg-deb is needed (apt-get install dpkg)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

prefix="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$here/Directory.Build.props")"
commit="$(git -C "$here" rev-parse HEAD)"
if [ "$(git -C "$here" tag --points-at HEAD | grep -cx "v$prefix")" -eq 1 ]; then
  version="$prefix" debversion="$prefix"
else
  count="$(git -C "$here" rev-list --count HEAD)"
  version="$prefix-dev.$count" debversion="$prefix~dev.$count"
fi
date="$(git -C "$here" log -1 --format=%cs)" # the commit's day, not today's: the same commit makes the same package
mkdir -p "$out"
echo "TAPPaaS $version ($commit) for $archs into $out"

# The completions and man pages come from the CLI itself (the clone's build: they are the same for every architecture).
"$here/tappaas" --version >/dev/null
cli=("$here/tappaas")
generated="$out/generated"

man_escape() { sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/'; }

man_page() { # NAME SECTION SUMMARY COMMAND...
  local name="$1" section="$2" summary="$3"; shift 3
  echo ".TH ${name^^} $section $date \"$name $version\" \"TAPPaaS\""
  echo ".SH NAME"
  echo "$name \\- $summary"
  echo ".SH DESCRIPTION"
  echo ".nf"
  "$@" --help | man_escape
  echo ".fi"
  if [ "$name" = tappaas ]; then
    echo ".SH COMMANDS"
    "$@" --help | sed -n '/^Commands:/,$p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u | while read -r sub; do
      echo ".SS tappaas $sub"
      echo ".nf"
      "$@" "$sub" --help | sed -n '/^Usage:/,$p' | man_escape
      echo ".fi"
    done
    echo ".SH FILES"
    echo "~/.local/share/tappaas/site (the default site), /usr/share/tappaas/examples (the example stack), /var/lib/tappaas/sites (sites made by tappaas up)"
  fi
  echo ".SH SEE ALSO"
  [ "$name" = tappaas ] && echo "tappaasd(8)" || echo "tappaas(1), systemd.unit(5)"
}

rm -rf "$generated" && mkdir -p "$generated"
"${cli[@]}" completion bash >"$generated/tappaas.bash"
"${cli[@]}" completion zsh >"$generated/_tappaas"
"${cli[@]}" completion fish >"$generated/tappaas.fish"
man_page tappaas 1 "the TAPPaaS command line: modules, sites, plans, guests, backups" "${cli[@]}" | gzip -9n >"$generated/tappaas.1.gz"
man_page tappaasd 8 "the TAPPaaS daemon: a site's API, reconciler, autoscaler and reverse proxy" dotnet "$here/.build/cli/tappaasd.dll" | gzip -9n >"$generated/tappaasd.8.gz"

for arch in ${archs//,/ }; do
  case "$arch" in
    amd64) rid=linux-x64 ;;
    arm64) rid=linux-arm64 ;;
    *) echo "package.sh: --arch: '$arch' is not amd64 or arm64" >&2; exit 2 ;;
  esac
  root="$out/root-$arch"
  lib="$root/usr/lib/tappaas"
  rm -rf "$root"
  mkdir -p "$lib" "$root/usr/bin" "$root/usr/sbin" "$root/usr/share/tappaas" "$root/lib/systemd/system" "$root/DEBIAN" \
    "$root/usr/share/man/man1" "$root/usr/share/man/man8" "$root/usr/share/doc/tappaas" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d"
  props=(-c Release -r "$rid" --self-contained -p:PublishReadyToRun=true -p:Version="$version" -p:DebugType=none
    -nologo -v quiet)
  echo "  $arch: publishing the CLI and the daemon ($rid, self-contained, ReadyToRun)"
  dotnet publish "$here/src/Tappaas.Cli/Tappaas.Cli.csproj" "${props[@]}" -o "$lib"
  # The daemon again on its own: the same files, and the dashboard's (wwwroot/ and its manifest), which only a publish
  # of the web project itself lays out.
  dotnet publish "$here/src/Tappaas.Daemon/Tappaas.Daemon.csproj" "${props[@]}" -o "$lib"
  if [ ! -x "$lib/native/tappaas-shim" ]; then
    # No native supervisor for this architecture (or no clang here): the managed one, with a launcher of its own.
    echo "  $arch: publishing the managed guest supervisor's launcher (${SECONDS} s)"
    dotnet publish "$here/src/Tappaas.Shim/Tappaas.Shim.csproj" "${props[@]}" -p:PublishAot=false -p:NativeShim=false -o "$lib"
  fi
  if [ "$rid" = "$host_rid" ] && command -v clang >/dev/null 2>&1 && [ -f /usr/include/zlib.h ]; then
    # The CLI compiled ahead of time: one file that answers a command in tens of milliseconds (no runtime to start,
    # no JIT); it replaces the managed tappaas, beside the daemon and the supervisor it starts.
    echo "  $arch: compiling the CLI ahead of time (NativeAOT; ${SECONDS} s)"
    rm -rf "$out/cli-aot-$arch"
    dotnet publish "$here/src/Tappaas.Cli/Tappaas.Cli.csproj" -c Release -r "$rid" -p:PublishAot=true -p:Version="$version" \
      -nologo -v quiet -o "$out/cli-aot-$arch"
    install -m 0755 "$out/cli-aot-$arch/tappaas" "$lib/tappaas"
    rm -f "$lib/tappaas.dll" "$lib/tappaas.deps.json" "$lib/tappaas.runtimeconfig.json"
    rm -rf "$out/cli-aot-$arch"
  fi
  rm -f "$lib"/*.pdb "$lib"/*.xml "$lib/runtimeconfig.template.json"
  [ -x "$lib/tappaas" ] && [ -x "$lib/tappaasd" ] && { [ -x "$lib/native/tappaas-shim" ] || [ -x "$lib/tappaas-shim" ]; } \
    || { echo "package.sh: the publish made no tappaas, tappaasd or guest supervisor in $lib" >&2; exit 1; }
  ln -s ../lib/tappaas/tappaas "$root/usr/bin/tappaas"
  ln -s ../lib/tappaas/tappaasd "$root/usr/sbin/tappaasd"

  cp -r "$here/examples" "$root/usr/share/tappaas/examples"
  cp -r "$here/schema" "$root/usr/share/tappaas/schema"
  cp "$here/deploy/tappaasd@.service" "$root/lib/systemd/system/"
  cp "$generated/tappaas.bash" "$root/usr/share/bash-completion/completions/tappaas"
  cp "$generated/_tappaas" "$root/usr/share/zsh/vendor-completions/_tappaas"
  cp "$generated/tappaas.fish" "$root/usr/share/fish/vendor_completions.d/tappaas.fish"
  cp "$generated/tappaas.1.gz" "$root/usr/share/man/man1/"
  cp "$generated/tappaasd.8.gz" "$root/usr/share/man/man8/"
  cp "$here/README.md" "$root/usr/share/doc/tappaas/README.md"
  cat >"$root/usr/share/doc/tappaas/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: TAPPaaS
Comment: built from commit $commit. The .NET runtime inside /usr/lib/tappaas is Microsoft's, under the MIT license;
 the NuGet packages the programs use are under their own licenses (MIT, Apache-2.0).

Files: *
Copyright: the TAPPaaS developers
License: see the source repository
EOF
  for script in postinst prerm postrm; do
    install -m 0755 "$here/deploy/debian/$script" "$root/DEBIAN/$script"
  done
  size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  sed -e "s/@VERSION@/$debversion/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/deploy/debian/control" >"$root/DEBIAN/control"

  deb="$out/tappaas_${debversion}_${arch}.deb"
  tarball="$out/tappaas_${version}_linux-${arch}.tar.gz"
  echo "  $arch: compressing ($compress; ${SECONDS} s)"
  dpkg-deb --root-owner-group -Z"$compress" --build "$root" "$deb" >/dev/null
  tar -C "$root" --exclude=./DEBIAN --owner=0 --group=0 --numeric-owner --sort=name --mtime="$date" -czf "$tarball" .
  echo "  $arch ($SECONDS s): $deb ($(du -h "$deb" | cut -f1)), $tarball ($(du -h "$tarball" | cut -f1)), installed $((size / 1024)) MiB"
done

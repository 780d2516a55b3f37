#!/usr/bin/env bash
# Fetches the upstream TAPPaaS data files the conformance tests read, for a clone that has no ../shared beside it.
#
# Clones github.com/TAPPaaS/TAPPaaS without checking anything out, then takes only its JSON files at the pinned commit
# (sparse checkout: no script is ever fetched or run), leaves out the Attic/ folders and hidden folders as upstream's
# own loader does, and writes hooks-index.json: the *names* of the hook scripts in each module folder, read from the
# commit's file list. The copy lands in ${XDG_CACHE_HOME:-~/.cache}/tappaas/corpus-<commit>, where the tests look.
#
# Usage: scripts/fetch-corpus.sh [--force]
# Environment: TAPPAAS_CORPUS_REPO (another clone URL or a local repository), TAPPAAS_CORPUS_COMMIT (another commit).
set -euo pipefail

commit="${TAPPAAS_CORPUS_COMMIT:-f54e4fc}"
repo="${TAPPAAS_CORPUS_REPO:-https://github.com/TAPPaaS/TAPPaaS.git}"
pinned="f54e4fc" # the tests look for corpus-<this>; another commit is for trying, and is written there too
dest="${XDG_CACHE_HOME:-$HOME/.cache}/tappaas/corpus-$pinned"

if [ -f "$dest/.complete" ] && [ "${1:-}" != "--force" ]; then
  echo "the corpus is already at $dest (--force fetches it again)"
  exit 0
fi

for tool in git python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install -y $tool)" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $repo (commit $commit, JSON files only)"
if ! git clone --quiet --filter=blob:none --no-checkout "$repo" "$work/repo" 2>"$work/err"; then
  echo "error: cannot clone $repo: $(tail -1 "$work/err")" >&2
  echo "       on a host without access to GitHub, set TAPPAAS_CORPUS to a copy of the corpus instead" >&2
  exit 1
fi
cd "$work/repo"
full="$(git rev-parse --verify --quiet "$commit^{commit}")" || { echo "error: $repo has no commit $commit" >&2; exit 1; }
git sparse-checkout set --no-cone '*.json' >/dev/null
git -c advice.detachedHead=false checkout --quiet "$full"

mkdir -p "$work/out"
git ls-tree -r --name-only "$full" >"$work/files"
python3 - "$work/files" "$work/repo" "$work/out" "$commit" <<'PY'
import json, os, shutil, sys

listing, repo, out, commit = sys.argv[1:5]
paths = [p for p in open(listing).read().splitlines() if p]

def skipped(path):
    # upstream ignores Attic/ (old copies of modules) and hidden folders
    return any(part == "Attic" or part.startswith(".") or part == "node_modules" for part in path.split("/")[:-1])

kept = 0
for path in paths:
    if path.endswith(".json") and not skipped(path):
        target = os.path.join(out, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(repo, path), target)
        kept += 1

# hooks-index.json: for each folder with hook scripts, the names of its own *.sh files (module hooks) and of its
# services/<service>/*.sh files (service hooks); the scripts themselves are never read.
modules = {}
for path in paths:
    if not path.endswith(".sh") or skipped(path):
        continue
    parts = path.split("/")
    if len(parts) >= 4 and parts[-3] == "services":
        folder, service = "/".join(parts[:-3]), parts[-2]
        modules.setdefault(folder, {}).setdefault("services", {}).setdefault(service, []).append(parts[-1])
    else:
        modules.setdefault("/".join(parts[:-1]), {}).setdefault("moduleHooks", []).append(parts[-1])
for entry in modules.values():
    if "moduleHooks" in entry:
        entry["moduleHooks"].sort()
    for names in entry.get("services", {}).values():
        names.sort()
index = {
    "_about": "Index of hook script file names present in the TAPPaaS repository (facts only, no script content). Keys are module directories relative to the repository root.",
    "commit": commit,
    "modules": dict(sorted(modules.items())),
}
with open(os.path.join(out, "hooks-index.json"), "w") as f:
    json.dump(index, f, indent=1)
    f.write("\n")
print(f"kept {kept} JSON files and the names of hook scripts in {len(modules)} folders")
PY

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$work/out" "$dest"
echo "$commit" >"$dest/.complete"
echo "the corpus is at $dest"

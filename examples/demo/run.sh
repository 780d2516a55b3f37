#!/usr/bin/env bash
# The engine walkthrough: a site in a temporary folder, three modules installed in dependency order,
# an update with its plan, a history, a test, and the journal. Usage: examples/demo/run.sh [SITE_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tappaas="$here/../../tappaas"
site="${1:-$(mktemp -d)/site}"
set -x
"$tappaas" validate "$here"
"$tappaas" order "$here"
"$tappaas" init --site "$site" --backend 'cluster:*=fake' --repository "$here"
"$tappaas" plan --site "$site" cluster hello guest || true      # exit 2: changes to make
"$tappaas" install --site "$site" guest hello cluster             # any order on the command line
"$tappaas" status --site "$site"
"$tappaas" test --site "$site" guest
"$tappaas" history --site "$site" guest
"$tappaas" journal --site "$site" | tail -5

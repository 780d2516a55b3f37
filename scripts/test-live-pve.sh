#!/usr/bin/env bash
# Runs the Proxmox VE provider tests against a real cluster. Needs TAPPAAS_PVE_URL, TAPPAAS_PVE_TOKEN
# (USER@REALM!TOKENID=SECRET), TAPPAAS_PVE_NODE, TAPPAAS_PVE_STORAGE and TAPPAAS_PVE_TEMPLATE (a template VMID);
# optional TAPPAAS_PVE_VMID (default 990, must be free) and TAPPAAS_PVE_FINGERPRINT (pinned certificate).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for v in TAPPAAS_PVE_URL TAPPAAS_PVE_TOKEN TAPPAAS_PVE_NODE TAPPAAS_PVE_STORAGE TAPPAAS_PVE_TEMPLATE; do
  [ -n "${!v:-}" ] || { echo "error: $v is not set" >&2; exit 2; }
done
exec dotnet test --project tests/Tappaas.Platform.Proxmox.Tests --filter-trait "Category=Live"

#!/usr/bin/env bash
# Installs npm dependencies when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
# better-sqlite3 is built from source when no prebuilt binary can be fetched; make sure it loads.
node -e "require('better-sqlite3')(':memory:').close()" 2>/dev/null || { echo "setup: rebuilding better-sqlite3"; npm rebuild better-sqlite3; }

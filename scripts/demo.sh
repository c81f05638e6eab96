#!/usr/bin/env bash
# `npm run demo`: installs what is missing, then starts the simulators and the edge gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-node.sh
npm run -s build
exec node --import tsx scripts/demo.ts "$@"

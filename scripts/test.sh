#!/usr/bin/env bash
# The whole test suite: system packages, npm dependencies, type check, test servers, then every test file.
# Usage: npm test [-- FILE_OR_DIR ...]   (default: test/unit test/integration)
# Servers the tests need (InfluxDB, PostgreSQL) are started on loopback high ports and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-node.sh

echo "== type check"
node_modules/.bin/tsc --noEmit -p .

echo "== starting test servers (InfluxDB, PostgreSQL)"
bash scripts/services.sh start
trap 'bash scripts/services.sh stop' EXIT
set -a; source .tmp/services/env; set +a

targets=("$@")
((${#targets[@]})) || targets=(test/unit test/integration)
mapfile -t files < <(find "${targets[@]}" -name '*.test.ts' | sort)
echo "== ${#files[@]} test files"
node --import tsx --test --test-concurrency=2 --test-timeout=180000 "${files[@]}"

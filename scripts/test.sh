#!/usr/bin/env bash
# The whole test suite: system packages, npm dependencies, type check, test servers, then every test file.
# Usage: npm test [-- FILE_OR_DIR ...]   (default: test/unit test/integration test/e2e)
# Servers the tests need (InfluxDB, PostgreSQL) are started on loopback high ports and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-node.sh

echo "== type check"
npm run -s typecheck

echo "== build the web apps (tablet app, console)"
npm run -s build

echo "== starting test servers (InfluxDB, PostgreSQL)"
bash scripts/services.sh start
trap 'bash scripts/services.sh stop' EXIT
set -a; source "${QS_SERVICES_ENV_FILE:-.tmp/services/env}"; set +a

targets=("$@")
((${#targets[@]})) || targets=(test/unit test/integration test/e2e)
mapfile -t files < <(find "${targets[@]}" -name '*.test.ts' | sort)
echo "== ${#files[@]} test files"
node --import tsx --test --test-concurrency=2 --test-timeout=180000 "${files[@]}"

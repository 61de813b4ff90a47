#!/usr/bin/env bash
# CI: compile every native/*.cc for Windows (x86_64, WinSock 2) with the MinGW-w64 cross
# compiler, against this Node's headers and node-addon-api, with -Wall -Wextra -Werror.
# Compile only: nothing is linked (that needs node.lib) and nothing is run.
# Standalone: bash .ci/windows.sh (needs node_modules, i.e. after npm install / npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."

# The posix-thread variant: node-addon-api uses std::mutex, which GCC 12's win32-thread
# variant does not provide.
cxx=x86_64-w64-mingw32-g++-posix
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "installing Debian package g++-mingw-w64-x86-64-posix"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++-mingw-w64-x86-64-posix >/dev/null
fi

# Node's headers: the nodedir npm config if set, else next to the running node.
nodedir=$(npm config get nodedir 2>/dev/null || true)
if [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ ! -f "$nodedir/include/node/node_api.h" ]; then
  nodedir=$(dirname "$(dirname "$(node -p process.execPath)")")
fi
node_inc="$nodedir/include/node"
[ -f "$node_inc/node_api.h" ] || { echo "no node_api.h under $node_inc" >&2; exit 1; }
napi_inc=$(node -p "require('node-addon-api').include_dir")

# The defines of binding.gyp (node_addon_api_except adds NAPI_CPP_EXCEPTIONS), for Windows 10.
flags=(-std=c++17 -fexceptions -Wall -Wextra -Wpedantic -Werror
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -DBUILDING_NODE_EXTENSION
  -D_WIN32_WINNT=0x0A00 -I"$node_inc" -I"$napi_inc")

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== Windows compile check: $("$cxx" --version | head -1), Node headers $node_inc"
failed=0
for src in native/*.cc; do
  if "$cxx" "${flags[@]}" -c "$src" -o "$out/$(basename "$src" .cc).o"; then
    echo "ok   $src"
  else
    echo "FAIL $src"
    failed=$((failed + 1))
  fi
done
total=$(ls native/*.cc | wc -l)
echo "windows compile: $((total - failed)) of $total files compiled"
[ "$failed" -eq 0 ]

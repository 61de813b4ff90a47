#!/usr/bin/env bash
# The package as a user installs it: prebuildify the addon (linux-x64, glibc, stripped),
# `npm pack`, install the tarball into an empty project with no compiler, make, python or
# node-gyp reachable, and run the smoke test (.ci/smoke/) through import and require(), in the
# main thread and a worker; type-check a consumer under node16, nodenext and bundler; run
# attw on the tarball. Then the fallback: the same tarball without prebuilds builds from
# source (with the toolchain back on PATH) and passes the same smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -d node_modules/prebuildify ] || npm install --no-audit --no-fund
echo "== prebuildify"
npm run build:prebuilds >"$work/prebuildify.log" 2>&1 || { cat "$work/prebuildify.log"; exit 1; }
find prebuilds -name '*.node' -exec ls -l {} +

echo "== npm pack (prepare compiles the TypeScript)"
tarball="$work/$(npm pack --pack-destination "$work" 2>/dev/null | tail -1)"
tar -tzf "$tarball" >"$work/contents"
for f in prebuilds/linux-x64/berkeley-sockets.glibc.node dist/index.js dist/index.d.ts dist/promises.js; do
  grep -qx "package/$f" "$work/contents" || { echo "$f missing from $tarball"; exit 1; }
done
echo "$(basename "$tarball"): $(wc -l <"$work/contents") files, $(du -k "$tarball" | cut -f1) KiB"

# PATH without the toolchain: every command on PATH except compilers, make, python, node-gyp.
nobuild="$work/nobuild-bin"
mkdir -p "$nobuild"
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  for f in "$d"/*; do
    name=${f##*/}
    [ -x "$f" ] && [ ! -e "$nobuild/$name" ] || continue
    [[ $name =~ ^(cc|c\+\+|cpp|gcc.*|g\+\+.*|clang.*|.*-(gcc|g\+\+|c\+\+|cc)(-.*)?|make|gmake|cmake|python.*|node-gyp.*|ld(\..*)?|as)$ ]] && continue
    ln -s "$f" "$nobuild/$name"
  done
done
for tool in cc c++ gcc g++ clang make python3 node-gyp; do
  if PATH="$nobuild" command -v "$tool" >/dev/null; then echo "$tool still reachable"; exit 1; fi
done

project() { # dir allowScripts -> an empty project that allows (or not) our install script
  mkdir -p "$1"
  printf '{ "name": "smoke", "private": true, "type": "commonjs", "allowScripts": { "berkeley-sockets": %s } }\n' "$2" >"$1/package.json"
  cp .ci/smoke/* "$1/"
}
smoke() { # dir PATH -> runs the smoke test there with that PATH
  (cd "$1" && PATH="$2" node smoke.mjs && PATH="$2" node smoke.cjs)
}

echo "== install the tarball with no compiler on PATH (the install script allowed) and run the smoke test"
app="$work/app"
project "$app" true
(cd "$app" && PATH="$nobuild" npm install --prefer-offline --no-audit --no-fund --foreground-scripts "$tarball") 2>&1 | tee "$work/install.log"
# The install script ran (node-gyp-build: it found the prebuild loads, so it built nothing).
grep -q '^> node-gyp-build$' "$work/install.log" || { echo "the install script did not run"; exit 1; }
[ ! -e "$app/node_modules/berkeley-sockets/build" ] || { echo "the install built from source"; exit 1; }
out=$(smoke "$app" "$nobuild")
echo "$out"
grep -q 'addon: .*/prebuilds/linux-x64/berkeley-sockets.glibc.node$' <<<"$out" || { echo "not the prebuild"; exit 1; }

echo "== types of the installed package: tsc under node16, nodenext and bundler"
tsc="$repo/node_modules/typescript/bin/tsc"
common=(--noEmit --strict --target es2022 --types node --typeRoots "$repo/node_modules/@types")
(cd "$app" && node "$tsc" "${common[@]}" --module node16 --moduleResolution node16 types.mts && echo "node16: ok")
(cd "$app" && node "$tsc" "${common[@]}" --module nodenext --moduleResolution nodenext types.mts types.cts && echo "nodenext (ESM and CJS): ok")
(cd "$app" && node "$tsc" "${common[@]}" --module esnext --moduleResolution bundler types.mts && echo "bundler: ok")

echo "== attw on the tarball"
npx attw --profile esm-only "$tarball"

echo "== fallback: the tarball without prebuilds"
mkdir -p "$work/repack" && tar -xzf "$tarball" -C "$work/repack"
rm -rf "$work/repack/package/prebuilds"
bare="$work/berkeley-sockets-noprebuilds.tgz"
tar -czf "$bare" -C "$work/repack" package
src="$work/src"
project "$src" true
echo "-- installed with scripts off: loading says how to build"
(cd "$src" && npm install --prefer-offline --no-audit --no-fund --ignore-scripts "$bare" >/dev/null)
if msg=$(cd "$src" && node -e "require('berkeley-sockets')" 2>&1); then echo "loaded with no binary?"; exit 1; fi
grep -o 'berkeley-sockets: no prebuilt binary[^`]*`npm rebuild berkeley-sockets`' <<<"$msg" || { echo "$msg"; exit 1; }
echo "-- npm rebuild berkeley-sockets (toolchain on PATH) builds from source"
(cd "$src" && npm rebuild berkeley-sockets >/dev/null)
out=$(smoke "$src" "$PATH")
echo "$out"
grep -q 'addon: .*/node_modules/berkeley-sockets/build/Release/berkeley_sockets.node$' <<<"$out" || { echo "not the source build"; exit 1; }
echo "pack-smoke: ok"

#!/usr/bin/env bash
# CI: the libFuzzer targets in fuzz/ (native/codec.cc, the Node-API-free byte logic of the
# addon), each run for a bounded time over its committed corpus. Fails on any crash,
# sanitizer report, broken invariant or hang. Standalone: `bash .ci/fuzz.sh`;
# FUZZ_SECONDS=n changes the time per target (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-20}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
if ! command -v clang++-14 >/dev/null 2>&1 || ! installed libclang-rt-14-dev; then
  echo "installing Debian packages: clang-14 libclang-rt-14-dev (libFuzzer)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi

echo "== build fuzz targets"
bash fuzz/build.sh >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for src in fuzz/*.cc; do
  t=$(basename "$src" .cc)
  mkdir -p "$work/$t" "fuzz/corpus/$t"
  # New inputs go to the scratch directory: the committed corpus is only read.
  set +e
  "fuzz/out/$t" -max_total_time="$secs" -max_len=512 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/$t-" "$work/$t" "fuzz/corpus/$t" >"$work/$t.log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
  files=$(find "fuzz/corpus/$t" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz $t: ok, ${execs:-?} executions (${rate:-?}/s) over $files corpus files"
  else
    failed=1
    echo "fuzz $t: FAILED (exit $rc) after ${execs:-?} executions; log tail and reproducer:"
    tail -n 40 "$work/$t.log"
    for f in "$work/$t"-*; do [ -e "$f" ] && { echo "$f:"; base64 -w0 "$f"; echo; }; done
  fi
done
exit $failed

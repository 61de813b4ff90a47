#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/<name>.cc + native/codec.cc) into fuzz/out/<name>.
# Usage: bash fuzz/build.sh [name...]   (default: every fuzz/*.cc)
set -euo pipefail
cd "$(dirname "$0")"
CXX=${CXX:-clang++-14}
mkdir -p out
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in *.cc; do names+=("${f%.cc}"); done
fi
for name in "${names[@]}"; do
  # -D_GNU_SOURCE as the addon builds; -Werror: the targets stay as warning-free as the addon.
  "$CXX" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Wall -Wextra -Werror -D_GNU_SOURCE -o "out/$name" "$name.cc" ../native/codec.cc
  echo "built fuzz/out/$name"
done

#!/usr/bin/env sh
# clang-format check of the hand-written native sources (the generated constants_*.h are
# left as the generator writes them). `--fix` rewrites the files in place instead.
set -eu
cd "$(dirname "$0")/.."
cf=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$cf" ]; then echo "lint-native: clang-format not found (Debian package clang-format)" >&2; exit 1; fi
files=$(ls native/*.cc native/*.h fuzz/*.cc fuzz/*.h 2>/dev/null | grep -v -e constants_list.h -e constants_includes.h)
if [ "${1:-}" = "--fix" ]; then "$cf" -i $files; else "$cf" --dry-run --Werror $files; fi

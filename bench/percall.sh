#!/bin/bash
# User-space instructions per operation of bench/percall.ts, with callgrind: two runs of
# N1 and N2 operations; the difference of each function's instruction count, divided by
# N2 - N1, is its cost per operation (startup is the same in both runs and cancels out,
# up to a few hundred instructions of noise from work done on other threads).
#   bash bench/percall.sh pair|rr|bulk|udp N1 N2 [TOP]
# BENCH_LIB=/abs/path/dist measures another compiled copy (see bench/lib.ts).
set -euo pipefail
mode=${1:?mode}; n1=${2:?N1}; n2=${3:?N2}; top=${4:-25}
command -v valgrind >/dev/null || { echo "percall.sh: needs valgrind" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."  # tsx resolves from the package root
for n in "$n1" "$n2"; do
  valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$n" \
    node --import tsx "$here/percall.ts" "$mode" "$n" >/dev/null 2>"$dir/log.$n" || { cat "$dir/log.$n" >&2; exit 1; }
  callgrind_annotate --threshold=100 "$dir/cg.$n" 2>/dev/null | grep -E '^ *[0-9,]+ ' > "$dir/ann.$n"
done
python3 - "$dir/ann.$n1" "$dir/ann.$n2" "$((n2 - n1))" "$top" <<'PY'
import sys
def load(f):
    d = {}
    for line in open(f):
        parts = line.split(None, 1)
        try:
            n = int(parts[0].replace(',', ''))
        except ValueError:
            continue
        k = parts[1].strip().split(' [')[0]
        d[k] = d.get(k, 0) + n
    return d
a, b, n, top = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for k in sorted(set(a) | set(b), key=lambda k: -(b.get(k, 0) - a.get(k, 0)))[:top]:
    print('%9.1f  %s' % ((b.get(k, 0) - a.get(k, 0)) / n, k[:140]))
PY

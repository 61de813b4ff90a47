// Medians of several benchmark runs: reads the output of `npm run bench` runs on stdin (the
// JSON lines; everything else is skipped), prints the same table with, per benchmark, the
// median of each side and the median of the per-run ratios (each run's two sides were
// measured under the same conditions).
//
//   for i in 1 2 3; do npm run bench; done | npx tsx bench/summarize.ts
import { median, printReport, type Report, type Result } from './report.js';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const reports = input.split('\n').filter((l) => l.startsWith('{"bench":"berkeley-sockets"')).map((l) => JSON.parse(l) as Report);
if (reports.length === 0) {
  process.stderr.write('summarize: no benchmark JSON lines on stdin\n');
  process.exit(2);
}
const names = [...new Set(reports.flatMap((r) => r.results.map((x) => x.name)))];
const med = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : +median(xs as number[]).toFixed(2));
const results: Result[] = names.map((name) => {
  const rs = reports.flatMap((r) => r.results.filter((x) => x.name === name));
  const first = rs[0]!;
  const ratio = +median(rs.map((x) => x.ratio)).toFixed(3);
  return {
    ...first,
    ours: median(rs.map((x) => x.ours)),
    node: median(rs.map((x) => x.node)),
    ratio,
    pass: first.target === null ? null : ratio >= first.target,
    cpuUs: { ours: med(rs.map((x) => x.cpuUs.ours)), node: med(rs.map((x) => x.cpuUs.node)) },
  };
});
const { bench: _bench, runs: _runs, ...base } = reports[0]!;
printReport({ ...base, results, runs: reports.length });

// The benchmark report: a table for people, then one line of JSON for machines.
import type { Settings } from './common.js';

export interface Result {
  name: string;
  what: string;
  unit: string;
  ours: number;
  /** The other side's figure: Node's, or what `vs` names. */
  node: number;
  /** What `node` measured when it is not Node's net/dgram (udp-mmsg: 'C recvfrom'). */
  vs?: string;
  /** ours / node. */
  ratio: number;
  /** Minimum ratio, or null for an informational row. */
  target: number | null;
  pass: boolean | null;
  /** Process CPU µs per unit (bulk: per MiB; accept: the server process's, per connection). */
  cpuUs: { ours: number | null; node: number | null };
}

export interface Report {
  bench: 'berkeley-sockets';
  node: string;
  platform: string;
  cpus: number;
  library: string;
  settings: Settings & { rounds: number };
  results: Result[];
  /** Present in summaries of several runs. */
  runs?: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function fmt(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(1);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 || i === 1 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Prints the table and the JSON line; returns whether every target was met. */
export function printReport(report: Omit<Report, 'bench'>): boolean {
  const us = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
  const rows = [['benchmark', 'unit', 'ours', 'theirs', 'vs', 'ratio', 'target', 'result', 'CPU us ours', 'CPU us theirs']];
  for (const r of report.results) {
    rows.push([
      `${r.name} (${r.what})`, r.unit, fmt(r.ours), fmt(r.node), r.vs ?? 'node', `${r.ratio.toFixed(2)}x`,
      r.target === null ? '-' : `>= ${r.target}x`, r.pass === null ? 'info' : r.pass ? 'pass' : 'FAIL', us(r.cpuUs.ours), us(r.cpuUs.node),
    ]);
  }
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write('theirs: Node\'s net/dgram, or what the vs column names (udp-mmsg: a C receiver, one recvfrom() per datagram).\n');
  process.stdout.write('CPU us: process CPU time (user + system) per unit (bulk: per MiB; accept: of the server process alone, per connection; udp-mmsg: of each receiver process).\n');
  const targeted = report.results.filter((r) => r.pass !== null);
  const allPass = targeted.every((r) => r.pass);
  process.stdout.write(`targets met: ${targeted.filter((r) => r.pass).length} of ${targeted.length}${report.runs ? ` (medians of ${report.runs} runs)` : ''}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'berkeley-sockets', ...report, allPass })}\n`);
  return allPass;
}

// ---------------------------------------------------------------------------------------
// The side-by-side report of bench/compare.ts (`npm run bench`): ours, C and Node.

export interface CompareRow {
  workload: string;
  what: string;
  unit: string;
  /** ns/pair: lower is better (ratios are then time ratios). */
  lowerIsBetter: boolean;
  contender: string;
  side: 'ours' | 'c' | 'node';
  /** Median over the rounds, in `unit`; min and max over the rounds; every round's figure. */
  median: number;
  min: number;
  max: number;
  rounds: number[];
  /** median / the matching C contender's median, and / Node's. */
  vsC: { against: string; ratio: number } | null;
  vsNode: { against: string; ratio: number } | null;
  /** Per round trip (RR and ping-pong rows), medians over the rounds. */
  meanUs: number | null;
  p99Us: number | null;
  /** CPU time (user + system) per unit of the process doing the work (µs; ns for ns/pair). */
  cpuUs: number | null;
  targets: { label: string; ratio: number; pass: boolean }[];
}

export interface CompareReport {
  bench: 'berkeley-sockets-compare';
  date: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  library: string;
  settings: Settings & { rounds: number };
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  rows: CompareRow[];
}

/** Prints the side-by-side table (markdown, so it pastes into README.md); returns whether every target was met. */
export function printCompare(report: CompareReport): boolean {
  const x = (r: { ratio: number } | null): string => (r === null ? '' : `${r.ratio.toFixed(2)}x`);
  const us = (v: number | null): string => (v === null ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const lines = [
    '| workload | contender | median | min–max | vs C | vs Node | mean µs | p99 µs | CPU/unit | target |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  let last = '';
  for (const r of report.rows) {
    const head = r.workload === last ? '' : `**${r.workload}** (${r.unit})`;
    last = r.workload;
    const t = r.targets.map((t) => `${t.label}: ${t.ratio.toFixed(2)}x **${t.pass ? 'pass' : 'FAIL'}**`).join('; ');
    lines.push(`| ${head} | ${r.contender} | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${x(r.vsC)} | ${x(r.vsNode)} | ${us(r.meanUs)} | ${us(r.p99Us)} | ${us(r.cpuUs)} | ${t} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const targets = report.rows.flatMap((r) => r.targets);
  const allPass = targets.every((t) => t.pass);
  process.stdout.write(`median of ${report.settings.rounds} round(s), ${report.settings.duration} ms each; ratios are medians / medians ` +
    '(rates: above 1 = faster; ns/pair: below 1 = faster). CPU/unit: µs of process CPU per unit (ns per pair; per MiB for bulk; ' +
    'the server process per connection for accept; the receiving or pinging process for cross-process rows).\n');
  process.stdout.write(`targets met: ${targets.filter((t) => t.pass).length} of ${targets.length}; run took ${report.seconds} s\n`);
  return allPass;
}

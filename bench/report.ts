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

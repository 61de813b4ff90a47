// Runs one side of one benchmark, for profiling it alone:
//
//   npx tsx bench/one.ts BENCH ours|node [DURATION_MS] [PAIRS]
//   node --cpu-prof --import tsx bench/one.ts tcp-rr ours
//   strace -c -f npx tsx bench/one.ts udp node
import { nodeAccept, oursAccept } from './accept.js';
import type { Measurement, Settings } from './common.js';
import { nodeBulk, nodeRR, oursBulk, oursRR } from './stream.js';
import { nodeUDP, oursUDP } from './udp.js';

type Run = (s: Settings) => Promise<number | Measurement>;
const runs: Record<string, [Run, Run]> = {
  'tcp-rr': [(s) => oursRR('tcp', s), (s) => nodeRR('tcp', s)],
  'unix-rr': [(s) => oursRR('unix', s), (s) => nodeRR('unix', s)],
  'unix-rr-pf': [(s) => oursRR('unix', s, true), (s) => nodeRR('unix', s)],
  'tcp-rr-pf': [(s) => oursRR('tcp', s, true), (s) => nodeRR('tcp', s)],
  accept: [(s) => oursAccept('tcp', s), (s) => nodeAccept('tcp', s)],
  'accept-unix': [(s) => oursAccept('unix', s), (s) => nodeAccept('unix', s)],
  udp: [oursUDP, nodeUDP],
  'tcp-bulk': [(s) => oursBulk('tcp', s), (s) => nodeBulk('tcp', s)],
  'unix-bulk': [(s) => oursBulk('unix', s), (s) => nodeBulk('unix', s)],
};

const [name = '', side = '', dur = '2000', pairs = '8'] = process.argv.slice(2);
const pair = runs[name];
if (pair === undefined || (side !== 'ours' && side !== 'node')) {
  process.stderr.write(`usage: one.ts ${Object.keys(runs).join('|')} ours|node [DURATION_MS] [PAIRS]\n`);
  process.exit(2);
}
const settings: Settings = { duration: Number(dur), warmup: 300, pairs: Number(pairs), acceptConcurrency: 32, clientThreads: Number(process.env.CLIENT_THREADS ?? 2) };
pair[side === 'ours' ? 0 : 1](settings).then((m) => {
  const { rate, cpuUs } = typeof m === 'number' ? { rate: m, cpuUs: undefined } : m;
  process.stdout.write(`${name} ${side}: ${rate.toFixed(1)}/s${cpuUs === undefined ? '' : `, CPU ${cpuUs.toFixed(2)} us/unit`}\n`);
}, (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
